#!/usr/bin/env python3
"""Williams & Zipser (1989): the pipelined XOR.

Two input lines carry random bits. The target of one output unit at step t is the XOR
of the two bits presented tau = 2 steps earlier, so the network must compute XOR — which
needs a hidden stage — and hold results in flight while new inputs keep arriving: a
pipeline. The network is the one of the paper: fully recurrent, every unit sees the
inputs and every unit's previous activation; here 4 logistic units, unit 0 the output,
learning online with exact RTRL (plain gradient descent, learning rate 1.0, weights
updated after every step, the stream never reset). The first tau steps have no target
(NaN).

    python examples/wz_pipelined_xor.py       (about 1 s)

Expected: the mean squared error falls from about 0.25 (chance) to about 0; on a fresh
stream every output is on the right side of 0.5 (100 %; chance is 50 %).
"""

from __future__ import annotations

import sys

import numpy as np

import rtrl

TAU = 2
UNITS = 4
STEPS = 30_000


def stream(steps: int, seed: int):
    """(X, Y): random bit pairs, and the XOR of the pair TAU steps earlier (NaN before)."""
    x = np.random.default_rng(seed).integers(0, 2, size=(steps, 2))
    y = np.full((steps, 1), np.nan)
    y[TAU:, 0] = x[:-TAU, 0] ^ x[:-TAU, 1]
    return x.astype(np.float64), y


def main() -> int:
    X, Y = stream(STEPS, seed=0)
    with rtrl.Network.fully_recurrent(2, UNITS, 1, activation="logistic", seed=0) as net:
        net.configure(optimizer="sgd", learning_rate=1.0)
        print(f"{net!r}, sgd lr 1.0, tau = {TAU}, {STEPS} steps")
        _, losses = net.run(X, Y)
        for start in range(0, STEPS, STEPS // 6):
            part = losses[start:start + STEPS // 6]
            print(f"  steps {start:6d}-{start + STEPS // 6:6d}: mean squared error {np.nanmean(part):.4f}")

        Xt, Yt = stream(2000, seed=1)  # a fresh stream, predictions only
        net.reset_state()
        prediction = net.run(Xt)[:, 0]
    scored = ~np.isnan(Yt[:, 0])
    right = ((prediction[scored] > 0.5) == (Yt[scored, 0] > 0.5)).mean()
    late = np.nanmean(losses[-STEPS // 6:])
    print(f"result:   final mean squared error {late:.4f}; {100 * right:.1f} % right on a fresh stream")
    print("expected: about 0 (at most 0.01); 100 % right (chance: 50 %)")
    return 0 if late <= 0.01 and right == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

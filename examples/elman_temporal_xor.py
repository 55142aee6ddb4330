#!/usr/bin/env python3
"""Elman (1990), "Finding structure in time", §2: the temporal XOR.

A stream of bits in groups of three: the first two random, the third their XOR
(e.g. 1 0 1  0 0 0  0 1 1 ...). A simple recurrent network with 1 input, 2 hidden and
1 output unit (logistic) sees one bit per step and is trained to predict the next bit,
on every step — also where the next bit is random and cannot be predicted. Only every
third bit is predictable, and only by a network that remembers the bit before the
current one.

Elman's network had 2 hidden units and trained on 3,000 bits for 600 passes; here
exact RTRL (online, the weights change after every step, the stream is never reset)
trains it for 50 passes at learning rate 0.1 — about 2 seconds.

    python examples/elman_temporal_xor.py

Expected: on a fresh stream, the mean squared error is low where the next bit is the
XOR bit (about 0.08; at most 0.15) and stays at chance where it is random (about 0.27;
at least 0.2 — a constant guess of 0.5 scores 0.25).
"""

from __future__ import annotations

import sys

import numpy as np

import rtrl

GROUPS = 1000  # 3,000 bits
PASSES = 50
LEARNING_RATE = 0.1


def xor_stream(groups: int, seed: int) -> np.ndarray:
    """`groups` groups of three bits: two random ones and their XOR."""
    pairs = np.random.default_rng(seed).integers(0, 2, size=(groups, 2))
    return np.column_stack([pairs, pairs[:, 0] ^ pairs[:, 1]]).reshape(-1).astype(np.float64)


def main() -> int:
    bits = xor_stream(GROUPS, seed=0)
    x, target = bits[:-1].reshape(-1, 1), bits[1:].reshape(-1, 1)  # predict the next bit

    with rtrl.Network.elman(1, 2, 1, hidden_activation="logistic", output_activation="logistic", seed=0) as net:
        net.configure(optimizer="sgd", learning_rate=LEARNING_RATE)
        print(f"{net!r}, sgd lr {LEARNING_RATE}, {PASSES} passes over {len(bits)} bits")
        for p in range(PASSES):
            _, losses = net.run(x, target)
            if p in (0, 9, PASSES - 1):
                print(f"  pass {p + 1:3d}: mean squared error {losses.mean():.4f} (all bits)")

        # A fresh stream, predictions only (no learning).
        test = xor_stream(GROUPS, seed=1)
        net.reset_state()
        prediction = net.run(test[:-1].reshape(-1, 1))[:, 0]
    error = (prediction - test[1:]) ** 2
    position = (np.arange(1, len(test)) % 3)  # the position of the predicted bit in its group
    print("  fresh stream: mean squared error by the position of the predicted bit")
    names = {0: "1st bit (random)", 1: "2nd bit (random)", 2: "3rd bit (XOR of the two before)"}
    for k in (0, 1, 2):
        mse = error[position == k].mean()
        print(f"    {names[k]:<32} {mse:.4f}  {'#' * int(round(mse * 100))}")
    predictable = error[position == 2].mean()
    other = error[position != 2].mean()
    hits = ((prediction[position == 2] > 0.5) == (test[1:][position == 2] > 0.5)).mean()
    print(f"result:   MSE on the XOR bits {predictable:.4f}, on the random bits {other:.4f}; "
          f"{100 * hits:.1f} % of the XOR bits on the right side of 0.5")
    print("expected: XOR bits about 0.08 (at most 0.15), random bits about 0.27 (at least 0.2)")
    return 0 if predictable <= 0.15 and other >= 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())

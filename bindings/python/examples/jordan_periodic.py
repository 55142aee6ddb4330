"""A Jordan network learns a periodic sequence online.

The sequence 0, .5, 1, .5, 0, -.5, -1, -.5 repeats; the network sees the current value and
predicts the next one. The value alone is ambiguous (after 0.5 comes 1 on the way up and 0
on the way down), so the network needs memory: Jordan's state layer keeps a decaying
trace of its own past outputs, s(t) = mu s(t-1) + y(t-1), and the hidden layer reads it.

    python examples/jordan_periodic.py [--periods 1500] [--mu 0.5] [--seed 2]

Expected: mean squared error over the last period below 1e-3 (a predictor without memory
cannot get below 0.1875 here), every prediction within 0.05 of the next value.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import rtrl

PATTERN = np.array([0.0, 0.5, 1.0, 0.5, 0.0, -0.5, -1.0, -0.5])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--periods", type=int, default=1_500, help="periods to train on")
    parser.add_argument("--mu", type=float, default=0.5, help="decay of the state layer")
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()

    X = np.tile(PATTERN, args.periods)
    Y = np.roll(X, -1)  # the next value (the last target wraps around to the start)

    with rtrl.Network.jordan(1, 8, 1, mu=args.mu, seed=args.seed) as net:
        net.configure(optimizer="adam", learning_rate=0.01)
        print(net)
        predictions, losses = net.run(X, Y)

    n = len(PATTERN)
    for start in (0, len(X) // 4, len(X) // 2, len(X) - n):
        print(f"  period starting at step {start:6d}: mean squared error {losses[start:start + n].mean():.2e}")
    print("  last period:  input -> prediction (next value)")
    for x, y, target in zip(X[-n:], predictions[-n:, 0], Y[-n:]):
        print(f"    {x:5.2f} -> {y:7.4f} ({target:5.2f})")
    mse = losses[-n:].mean()
    worst = np.abs(predictions[-n:, 0] - Y[-n:]).max()
    print(f"result:   mean squared error over the last period {mse:.2e}, worst error {worst:.3f}")
    print("expected: below 1e-3 and 0.05 (a memoryless predictor: 0.1875)")
    return 0 if mse < 1e-3 and worst < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())

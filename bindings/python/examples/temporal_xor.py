"""Temporal XOR (Elman, 1990): learn, online, a bit stream in which every third bit is the
XOR of the two before it.

The first two bits of each group are random, so only the third is predictable: the
target is NaN ("no target") on the other steps, and the network must remember the
previous input to compute the XOR of it and the current one. An Elman network with 4
hidden units learns it online with RTRL in a few tens of thousands of steps.

    python examples/temporal_xor.py [--steps 30000] [--seed 0]

Expected: 100 % of the predictable bits right on fresh data (chance is 50 %).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import rtrl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30_000, help="training steps (default 30000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the data")
    args = parser.parse_args()

    X, Y = rtrl.datasets.temporal_xor(args.steps, seed=args.seed)
    X_test, Y_test = rtrl.datasets.temporal_xor(3_000, seed=args.seed + 1)

    with rtrl.Network.elman(1, 4, 1, output_activation="logistic", seed=args.seed) as net:
        net.configure(optimizer="adam", learning_rate=0.01)
        print(net)
        _, losses = net.run(X, Y)  # learn online; NaN targets are skipped
        has = ~np.isnan(Y[:, 0])
        quarter = len(losses) // 4
        for i in range(4):
            part = slice(i * quarter, (i + 1) * quarter)
            print(f"  steps {i * quarter:6d}-{(i + 1) * quarter:6d}: "
                  f"mean loss on the XOR bits {losses[part][has[part]].mean():.4f}")

        net.reset_state()
        predictions = net.run(X_test)  # no targets: prediction only
    scored = ~np.isnan(Y_test[:, 0])
    correct = (predictions[scored, 0] > 0.5) == (Y_test[scored, 0] > 0.5)
    accuracy = correct.mean()
    print(f"result:   {100 * accuracy:.1f} % of {scored.sum()} predictable bits right on fresh data")
    print("expected: 100 % (at least 99 %); a network without memory gets 50 %")
    return 0 if accuracy >= 0.99 else 1


if __name__ == "__main__":
    sys.exit(main())

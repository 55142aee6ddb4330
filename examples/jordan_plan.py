#!/usr/bin/env python3
"""Jordan (1986), "Serial order": a network produces a sequence from a plan.

A plan is a constant input vector (here one-hot: plan 0 ... plan 3); each plan stands for
a sequence of six actions over the alphabet A B C D. The network must produce the whole
sequence, one action per step, from the plan alone — so it has to know where it is in
the sequence. Jordan's answer: state units that keep a decaying trace of the network's
own past outputs, s(t) = mu s(t-1) + y(t-1), read by the hidden layer together with the
plan. That is rtrl's `jordan` preset (4 plan inputs, 8 tanh hidden units, 4 softmax
outputs, mu = 0.5).

Two sequences share the prefix "AB" and symbols repeat within sequences, so neither the
plan nor the last output alone says what comes next. Training uses teacher forcing, as
Jordan did: the state integrates the target actions (cross-entropy loss, Adam, exact
RTRL, the state reset before each sequence). Then each plan is given alone and the
network runs free, its own outputs feeding its state.

    python examples/jordan_plan.py            (about 2 s)

Expected: all four sequences produced exactly (the most probable action right at every
step), each action with probability above 0.9.
"""

from __future__ import annotations

import sys

import numpy as np

import rtrl

ACTIONS = "ABCD"
PLANS = ["ABCABD", "ABDCBA", "CCDDAB", "DABBCA"]
PASSES = 300


def one_hot(i: int, n: int) -> np.ndarray:
    v = np.zeros(n)
    v[i] = 1.0
    return v


def main() -> int:
    rng = np.random.default_rng(0)
    with rtrl.Network.jordan(len(PLANS), 8, len(ACTIONS), mu=0.5, output_activation="softmax", seed=0) as net:
        net.configure(optimizer="adam", learning_rate=0.01, loss="cross_entropy", teacher_forcing=True)
        print(f"{net!r}, adam lr 0.01, cross-entropy, teacher forcing, {PASSES} passes over the {len(PLANS)} plans")
        for p in range(PASSES):
            total = 0.0
            for k in rng.permutation(len(PLANS)):  # one sequence per plan, in random order
                net.reset_state()
                plan = one_hot(k, len(PLANS))
                for action in PLANS[k]:
                    net.step(plan, one_hot(ACTIONS.index(action), len(ACTIONS)))
                    total += net.last_loss
            if p in (0, 29, PASSES - 1):
                print(f"  pass {p + 1:3d}: cross-entropy per action {total / sum(map(len, PLANS)):.4f}")

        print("  running free from each plan:")
        right, lowest = 0, 1.0
        for k, sequence in enumerate(PLANS):
            net.reset_state()
            produced, confidence = "", []
            for _ in sequence:
                y = net.step(one_hot(k, len(PLANS)))  # no target: its own output feeds the state
                produced += ACTIONS[int(np.argmax(y))]
                confidence.append(float(y.max()))
            lowest = min(lowest, min(confidence))
            right += produced == sequence
            print(f"    plan {k}: produced {produced}  (target {sequence})  "
                  f"lowest probability {min(confidence):.3f}  {'ok' if produced == sequence else 'WRONG'}")
    print(f"result:   {right} of {len(PLANS)} sequences produced exactly; lowest action probability {lowest:.3f}")
    print(f"expected: {len(PLANS)} of {len(PLANS)}; above 0.9")
    return 0 if right == len(PLANS) and lowest > 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Williams & Zipser (1989): a fully recurrent network learns to oscillate, with teacher
forcing, then runs free.

The network has no inputs at all — 6 tanh units that see only each other's previous
activations and their biases; unit 0 is the output. Its target is the wave
0.5 sin(2 pi t / 20). With teacher forcing (Williams & Zipser §4), after each step the
output unit's activation is replaced by the target before the next step reads it, so the
network learns "this sample and my state -> the next sample" from the true signal; exact
RTRL updates the weights after every step (plain gradient descent, learning rate 0.05).
Then the teacher is switched off: the network feeds back its own output and must keep
generating the wave by itself.

    python examples/wz_oscillator.py          (about 1 s)

Expected: free-running, the RMSE against the true wave over the first two periods is
about 0.01 (at most 0.05), and over 20 free periods the network keeps oscillating with a
period of 20 steps (within 0.5) and an amplitude of 0.5 (within 0.05).
"""

from __future__ import annotations

import math
import sys

import numpy as np

import rtrl

PERIOD = 20.0
AMPLITUDE = 0.5
UNITS = 6
TRAIN_STEPS = 20_000
FREE_STEPS = 20 * int(PERIOD)


def wave(t: np.ndarray) -> np.ndarray:
    return AMPLITUDE * np.sin(2 * math.pi * t / PERIOD)


def bar(v: float) -> str:
    return "#" * int(round((v / AMPLITUDE + 1) * 20))


def main() -> int:
    t = np.arange(TRAIN_STEPS)
    with rtrl.Network.fully_recurrent(0, UNITS, 1, seed=0) as net:
        net.configure(optimizer="sgd", learning_rate=0.05, teacher_forcing=True)
        print(f"{net!r}, sgd lr 0.05, teacher forcing, {TRAIN_STEPS} steps")
        _, losses = net.run(np.zeros((TRAIN_STEPS, 0)), wave(t).reshape(-1, 1))
        for start in (0, 1000, 5000, TRAIN_STEPS - 1000):
            print(f"  teacher-forced, steps {start:5d}-{start + 1000:5d}: RMSE {math.sqrt(losses[start:start + 1000].mean()):.4f}")
        free = net.run(np.zeros((FREE_STEPS, 0)))[:, 0]  # no targets: the teacher is gone
    truth = wave(np.arange(TRAIN_STEPS, TRAIN_STEPS + FREE_STEPS))

    print("  running free (output, then the true wave in brackets):")
    for k in range(0, int(PERIOD), 2):
        print(f"    {free[k]:+.3f} ({truth[k]:+.3f}) {bar(free[k])}")
    rmse = math.sqrt(np.mean((free[:40] - truth[:40]) ** 2))
    rising = np.where((free[:-1] < 0) & (free[1:] >= 0))[0]
    period = float(np.diff(rising).mean()) if len(rising) > 2 else math.nan
    amplitude = (free[-2 * int(PERIOD):].max() - free[-2 * int(PERIOD):].min()) / 2
    print(f"result:   free-running RMSE over two periods {rmse:.4f}; over 20 periods: "
          f"period {period:.2f} steps, amplitude {amplitude:.3f}")
    print(f"expected: about 0.01 (at most 0.05); period {PERIOD:g} +- 0.5, amplitude {AMPLITUDE} +- 0.05")
    ok = rmse <= 0.05 and abs(period - PERIOD) <= 0.5 and abs(amplitude - AMPLITUDE) <= 0.05
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

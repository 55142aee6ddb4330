#!/usr/bin/env python3
"""rtrl against a straightforward numpy RTRL, in one run on the same machine.

Both run the same task: a fully recurrent network (m = 1 input, n tanh units, 1 output,
bias), learning online with SGD at every step from a sine stream. The numpy version is
the textbook one (the seed's recurrence, vectorised): the sensitivity update
P(t) = D(t) [W_rec P(t-1) + I(t)] as one matrix product per step, then the gradient and
the update. rtrl runs through the Python binding (`net.run` over the whole stream, and
`net.step` one call per step).

Usage: compare_numpy.py [--sizes 8,16,32,64,128] [--seconds 1.0] [--rounds 7] [--pause 0.3]
Prints a markdown table: the median steps/s of each over the rounds, and the median over
rounds of rtrl/numpy (each round times numpy, rtrl's run and rtrl's step() in turn, so
that a change of the machine's speed between runs does not enter the ratio). Each timing
starts after a pause (--pause seconds): the multi-threaded BLAS libraries keep their
worker threads spinning for a while after their last product (numpy's OpenBLAS for up to
about 0.1 s, rtrl's kernel for 0.2 ms), and without the pause those threads would compete
with the next contender for the cores — measured: rtrl's run at n = 32 was 20 % slower
right after numpy than 0.3 s after it.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import rtrl


class NumpyRTRL:
    """Williams & Zipser's fully recurrent network with exact RTRL, in numpy."""

    def __init__(self, n: int, m: int = 1, k: int = 1, lr: float = 1e-4, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.n, self.m, self.k, self.lr = n, m, k, lr
        cols = n + m + 1
        self.W = rng.uniform(-1, 1, size=(n, cols)) / np.sqrt(cols)
        self.P = np.zeros((n, n * cols))          # d a / d W, W flattened row-major
        self.a = np.zeros(n)

    def step(self, x: np.ndarray, target: np.ndarray) -> np.ndarray:
        n, cols = self.n, self.n + self.m + 1
        xi = np.concatenate([self.a, x, [1.0]])    # the seed's xi(t): a(t-1), x(t), bias
        a = np.tanh(self.W @ xi)
        d = 1.0 - a * a
        P = self.W[:, :n] @ self.P                # W_rec P(t-1)
        P3 = P.reshape(n, n, cols)
        P3[np.arange(n), np.arange(n), :] += xi   # the immediate term
        P *= d[:, None]                           # D(t)
        y = a[: self.k]
        g = 2.0 * (y - target) @ P[: self.k]      # dE/dW, E = sum (y* - y)^2
        self.W -= self.lr * g.reshape(n, cols)
        self.P, self.a = P, a
        return y


def timed(run, steps: int) -> float:
    t0 = time.perf_counter()
    run(steps)
    return time.perf_counter() - t0


def calibrated(run, seconds: float) -> int:
    """A step count that takes about `seconds` / 4."""
    steps = 16
    while True:
        dt = timed(run, steps)
        if dt >= seconds / 16:
            return max(16, int(steps * (seconds / 4) / dt))
        steps *= 4


def interleaved(runs, seconds: float, rounds: int, pause: float):
    """Times each of `runs` once per round, in turn (so that every round sees the same
    machine state), for `rounds` rounds, each timing `pause` seconds after the one before:
    the median steps/s of each, and per run the median over rounds of its rate divided by
    the first run's."""
    counts = [calibrated(r, seconds) for r in runs]
    rates = [[] for _ in runs]
    for _ in range(rounds):
        for i, r in enumerate(runs):
            time.sleep(pause)
            rates[i].append(counts[i] / timed(r, counts[i]))
    ratios = [statistics.median(x / b for x, b in zip(rates[i], rates[0])) for i in range(len(runs))]
    return [statistics.median(x) for x in rates], ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="8,16,32,64,128")
    ap.add_argument("--seconds", type=float, default=1.0, help="about the time of one round of each run")
    ap.add_argument("--rounds", type=int, default=7, help="rounds; each times numpy, rtrl run and rtrl step() in turn")
    ap.add_argument("--pause", type=float, default=0.3,
                    help="seconds between timings, so that one contender's spinning BLAS threads are idle before the next")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"rtrl {rtrl.__version__}, numpy {np.__version__}")
    print()
    print("| n | N | numpy steps/s | rtrl run steps/s | rtrl step() steps/s | rtrl/numpy (run) | rtrl/numpy (step) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        t = np.arange(200_000, dtype=np.float64)
        X = np.sin(0.3 * t)[:, None]
        Y = 0.5 * np.sin(0.3 * (t + 1))[:, None]
        ref = NumpyRTRL(n)

        def run_numpy(steps: int, ref=ref) -> None:
            for i in range(steps):
                ref.step(X[i % len(X)], Y[i % len(Y)])

        net = rtrl.Network.fully_recurrent(1, n, 1, seed=0)
        net.configure(learning_rate=1e-4)

        def run_rtrl(steps: int, net=net) -> None:
            done = 0
            while done < steps:
                chunk = min(steps - done, len(X))
                net.run(X[:chunk], Y[:chunk])
                done += chunk

        def step_rtrl(steps: int, net=net) -> None:
            for i in range(steps):
                net.step(X[i % len(X)], Y[i % len(Y)])

        (a, b, c), (_, rb, rc) = interleaved([run_numpy, run_rtrl, step_rtrl], args.seconds, args.rounds, args.pause)
        print(f"| {n} | {net.num_params} | {a:,.0f} | {b:,.0f} | {c:,.0f} | {rb:.2f} | {rc:.2f} |")
        net.close()


if __name__ == "__main__":
    main()

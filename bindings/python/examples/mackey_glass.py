"""Online one-step-ahead prediction of the Mackey–Glass chaotic series (tau = 17).

The series comes from rtrl.datasets.mackey_glass (Euler, dt = 0.1, one sample per unit of
time). An Elman network sees x(t), rescaled to (x - 0.9) * 2, and predicts x(t+1), learning
from every sample as it arrives (no separate training phase): the error it makes is the
error it would make in production.

    python examples/mackey_glass.py [--steps 20000] [--seed 0] [--plot FILE | --no-plot]

With matplotlib installed it saves a plot (default mackey_glass.png); otherwise it draws
the last stretch of the series as text.

Expected: normalised RMSE (RMSE / standard deviation) of the online predictions over the
last 2000 steps below 0.05; predicting "no change" (persistence) gives about 0.15.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import rtrl


def text_plot(actual: np.ndarray, predicted: np.ndarray, width: int = 60, height: int = 14) -> str:
    """The two series as characters: '*' the series, 'o' the prediction, '@' both."""
    a, p = actual[-width:], predicted[-width:]
    lo, hi = min(a.min(), p.min()), max(a.max(), p.max())
    rows = [[" "] * len(a) for _ in range(height)]

    def row(v: float) -> int:
        return int(round((hi - v) / (hi - lo) * (height - 1))) if hi > lo else 0

    for i, (va, vp) in enumerate(zip(a, p)):
        ra, rp = row(va), row(vp)
        rows[rp][i] = "o"
        rows[ra][i] = "@" if ra == rp else "*"
    return "\n".join("    |" + "".join(r) for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="mackey_glass.png", help="where to save the plot")
    parser.add_argument("--no-plot", action="store_true", help="text output only")
    args = parser.parse_args()

    X, Y = rtrl.datasets.mackey_glass(args.steps, horizon=1, washout=300)
    scale = lambda v: (v - 0.9) * 2.0  # noqa: E731  (centred, roughly in [-1.4, 1])

    with rtrl.Network.elman(1, 12, 1, seed=args.seed) as net:
        net.configure(optimizer="momentum", learning_rate=0.005, momentum=0.9)
        print(net)
        predictions, losses = net.run(scale(X), scale(Y))

    tail = slice(max(len(X) - 2000, 0), len(X))
    std = scale(Y[tail]).std()
    nrmse = np.sqrt(losses[tail].mean()) / std
    persistence = np.sqrt(np.mean((scale(X[tail]) - scale(Y[tail])) ** 2)) / std
    for start in range(0, len(X), max(len(X) // 5, 1)):
        part = slice(start, min(start + 2000, len(X)))
        print(f"  steps {start:6d}-{part.stop:6d}: NRMSE {np.sqrt(losses[part].mean()) / scale(Y[part]).std():.4f}")

    predicted = predictions[:, 0] / 2.0 + 0.9  # back to the series' units
    plotted = False
    if not args.no_plot:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("  (matplotlib is not installed: text plot below)")
        else:
            fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6))
            last = slice(len(X) - 300, len(X))
            top.plot(Y[last, 0], label="x(t+1)")
            top.plot(predicted[last], "--", label="online prediction")
            top.set_title("Mackey-Glass (tau = 17): the last 300 steps")
            top.legend()
            bottom.semilogy(np.convolve(losses, np.ones(200) / 200, mode="valid"))
            bottom.set_title("squared error (rescaled units), moving average over 200 steps")
            bottom.set_xlabel("step")
            fig.tight_layout()
            fig.savefig(args.plot)
            print(f"  plot saved to {args.plot}")
            plotted = True
    if not plotted:
        print("  the last 60 steps ('*' series, 'o' prediction, '@' both):")
        print(text_plot(Y[:, 0], predicted))

    print(f"result:   NRMSE {nrmse:.4f} over the last 2000 steps (persistence: {persistence:.4f})")
    print("expected: below 0.05 (persistence, predicting no change, is about 0.15)")
    return 0 if nrmse < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())

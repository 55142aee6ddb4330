"""The demo's picture: for each stream, the last steps (truth vs one-step prediction) and
the error over the whole run (model vs persistence), as SVG — and as PNG when matplotlib
happens to be installed (optional)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from forecast_tracker import ForecastTracker, rolling_nrmse
from svg_chart import Figure

TRUTH = "#333333"
MODEL = "#d62728"
PERSISTENCE = "#1f77b4"
FLOOR = "#2ca02c"

#: Steps shown in the left-hand panels.
TAIL = 300
#: The window of the rolling NRMSE in the right-hand panels.
WINDOW = 200


def _curves(t: ForecastTracker):
    n = t.received
    steps = np.arange(n)
    model = rolling_nrmse(t.model_error[:n], WINDOW, t.scale)
    persistence = rolling_nrmse(t.persistence_error[:n], WINDOW, t.scale)
    lo = max(n - TAIL, 0)
    tail_steps = np.arange(lo, n) + 1  # prediction t is the forecast of value t + 1
    return steps, model, persistence, tail_steps, t.values[lo + 1:n + 1], t.prediction[lo:n]


def write_svg(path: Path, trackers: Sequence[ForecastTracker], title: str, subtitle: str) -> None:
    rows = len(trackers)
    fig = Figure(1100, 70 + 250 * rows, title=title, subtitle=subtitle)
    for r, t in enumerate(trackers):
        steps, model, persistence, tail_steps, truth, pred = _curves(t)
        top = 80 + 250 * r
        left = fig.panel(70, top, 460, 180, title=f"{t.series.title}: the last {len(tail_steps)} steps",
                         xlabel="step", ylabel="value")
        left.line(tail_steps, truth, TRUTH, "truth x(t+1)", width=2.0)
        left.line(tail_steps, pred, MODEL, "one-step prediction", dash="5,3", width=1.5)
        right = fig.panel(620, top, 460, 180, title=f"{t.series.title}: error over the run",
                          xlabel="step", ylabel=f"NRMSE over {WINDOW} steps", log_y=True)
        right.line(steps, persistence, PERSISTENCE, "persistence x(t+1) = x(t)")
        right.line(steps, model, MODEL, "rtrl (online, prequential)")
        if t.series.noise_floor > 0:
            right.line([steps[0], steps[-1]], [t.series.noise_floor] * 2, FLOOR, "noise floor", dash="3,3", width=1.0)
        right.x_range = (0, max(t.count, 1))
    path.write_text(fig.svg(), encoding="utf-8")


def write_png(path: Path, trackers: Sequence[ForecastTracker], title: str) -> Optional[Path]:
    """The same picture with matplotlib, if it is installed; None otherwise."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(len(trackers), 2, figsize=(12, 3.2 * len(trackers)), squeeze=False)
    for r, t in enumerate(trackers):
        steps, model, persistence, tail_steps, truth, pred = _curves(t)
        a, b = axes[r]
        a.plot(tail_steps, truth, color=TRUTH, lw=2, label="truth x(t+1)")
        a.plot(tail_steps, pred, color=MODEL, lw=1.2, ls="--", label="one-step prediction")
        a.set_title(f"{t.series.title}: the last {len(tail_steps)} steps", fontsize=10)
        a.legend(fontsize=8)
        b.semilogy(steps, persistence, color=PERSISTENCE, label="persistence")
        b.semilogy(steps, model, color=MODEL, label="rtrl")
        if t.series.noise_floor > 0:
            b.axhline(t.series.noise_floor, color=FLOOR, ls=":", label="noise floor")
        b.set_title(f"{t.series.title}: NRMSE over {WINDOW} steps", fontsize=10)
        b.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


"""The demo's pieces on their own: the chart writer's ticks, the rolling NRMSE, the
tracker's bookkeeping, the series (no sockets, no rtrl-stream)."""

from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "demo"))

from forecast_tracker import ForecastTracker, rolling_nrmse  # noqa: E402
from series import Series, mackey_glass, noisy_sines  # noqa: E402
from svg_chart import Figure, format_tick, log_ticks, nice_ticks, thin  # noqa: E402


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 1, 5) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert nice_ticks(9700, 10000, 6) == pytest.approx([9700, 9750, 9800, 9850, 9900, 9950, 10000])
    assert nice_ticks(-1.05, 1.05, 5) == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])


def test_log_ticks_are_the_powers_of_ten_inside() -> None:
    assert log_ticks(0.001, 10) == pytest.approx([0.001, 0.01, 0.1, 1, 10])
    assert log_ticks(0.002, 0.5) == pytest.approx([0.01, 0.1])


def test_tick_labels() -> None:
    assert [format_tick(v) for v in (0, 0.5, 12, 10000, 1e-4, 2e6)] == ["0", "0.5", "12", "10000", "1e-04", "2e+06"]


def test_thin_keeps_the_ends_and_at_most_about_the_limit() -> None:
    xs = list(range(10_001))
    tx, ty = thin(xs, xs, 1000)
    assert tx[0] == 0 and tx[-1] == 10_000 and len(tx) <= 1002 and tx == ty
    assert thin([1, 2], [3, 4], 10) == ([1, 2], [3, 4])


def test_figure_is_well_formed_svg_with_one_polyline_per_line() -> None:
    fig = Figure(400, 200, title="a <title> & more")
    p = fig.panel(50, 40, 300, 120, title="p", log_y=True)
    p.line([0, 1, 2], [0.1, 1.0, 10.0], "#000000", "ok")
    p.line([0, 1], [-1.0, 0.0], "#ff0000", "not positive: skipped on a log axis")
    root = ET.fromstring(fig.svg())
    polylines = root.findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(polylines) == 1
    assert len(polylines[0].get("points").split()) == 3


def test_rolling_nrmse_by_hand() -> None:
    e = np.array([1.0, -1.0, 3.0, np.nan, 0.0])
    got = rolling_nrmse(e, window=2, scale=2.0)
    want = [1 / 2, 1 / 2, math.sqrt(5) / 2, 3 / 2, 0.0]
    assert got == pytest.approx(want)


def test_tracker_scores_prediction_t_against_value_t_plus_1() -> None:
    values = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    t = ForecastTracker(Series("s", "s", values, 0.0), count=4)
    for seq in range(4):
        t.note_sent(seq, when=float(seq))
    for seq, y in enumerate([1.0, 0.0, 1.0, 0.5]):  # right, right, right, off by 0.5
        t.note_prediction(seq, y, when=seq + 0.25)
    t.note_prediction(0, 99.0)  # a repeat is ignored
    assert t.done and t.received == 4
    assert list(t.model_error) == [0.0, 0.0, 0.0, -0.5]
    assert list(t.persistence_error) == [-1.0, 1.0, -1.0, 1.0]
    assert list(t.latency) == [0.25] * 4
    assert t.scale == pytest.approx(np.std(values))


def test_tracker_nrmse_needs_20_forecasts_then_uses_the_window() -> None:
    values = np.arange(41, dtype=np.float64)
    t = ForecastTracker(Series("s", "s", values, 0.0), count=40)
    for seq in range(19):
        t.note_sent(seq, 0.0)
        t.note_prediction(seq, values[seq + 1] + 1.0, 0.0)  # every forecast off by 1
    assert math.isnan(t.nrmse("model"))
    for seq in range(19, 40):
        t.note_sent(seq, 0.0)
        t.note_prediction(seq, values[seq + 1], 0.0)  # exact from here on
    assert t.nrmse("model", last=21) == 0.0
    assert t.nrmse("model") == pytest.approx(math.sqrt(19 / 40) / np.std(values))
    assert t.nrmse("persistence") == pytest.approx(1 / np.std(values))


def test_noisy_sines_noise_floor_matches_the_series() -> None:
    s = noisy_sines(200_000)
    assert s.noise_floor == pytest.approx(0.05 / np.std(s.values), rel=0.01)
    assert noisy_sines(100).values.tolist() == noisy_sines(100).values.tolist()  # seeded


def test_mackey_glass_is_the_tau_17_series_after_a_washout() -> None:
    s = mackey_glass(1000)
    assert s.noise_floor == 0.0 and len(s.values) == 1000
    assert 0.2 < s.values.min() and s.values.max() < 1.45

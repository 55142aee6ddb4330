"""The demo's bookkeeping for one stream: what was sent when, the predictions that came
back, and the errors of the model and of the persistence baseline.

After sample t the network publishes its forecast of sample t + 1, so prediction t is
scored against values[t + 1]; the persistence baseline forecasts values[t + 1] = values[t].
NRMSE = RMSE / the standard deviation of the whole series.
"""

from __future__ import annotations

import math
import time
from typing import List, Optional

import numpy as np

from series import Series


def rolling_nrmse(errors: np.ndarray, window: int, scale: float) -> np.ndarray:
    """sqrt(mean of the last `window` squared errors) / scale at every index (NaN entries
    skipped; NaN where the window holds none)."""
    sq = np.where(np.isnan(errors), 0.0, errors * errors)
    ok = (~np.isnan(errors)).astype(np.float64)
    c_sq = np.concatenate(([0.0], np.cumsum(sq)))
    c_ok = np.concatenate(([0.0], np.cumsum(ok)))
    hi = np.arange(1, len(errors) + 1)
    lo = np.maximum(hi - window, 0)
    n = c_ok[hi] - c_ok[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((c_sq[hi] - c_sq[lo]) / n) / scale


class ForecastTracker:
    """Sent and received samples of one topic."""

    def __init__(self, series: Series, count: int) -> None:
        self.series = series
        self.values = series.values[:count + 1]
        self.count = count  # samples to send; the last one's forecast is scored on values[count]
        self.scale = float(np.std(self.values))
        self.sent_at = np.full(count, np.nan)
        self.prediction = np.full(count, np.nan)
        self.latency = np.full(count, np.nan)
        self.received = 0
        self.sent = 0
        self.first_receive: Optional[float] = None
        self.last_receive: Optional[float] = None
        self.model_error = np.full(count, np.nan)
        self.persistence_error = self.values[:count] - self.values[1:count + 1]

    def note_sent(self, seq: int, when: float) -> None:
        self.sent_at[seq] = when
        self.sent = max(self.sent, seq + 1)

    def note_prediction(self, seq: int, y: float, when: Optional[float] = None) -> None:
        """Records prediction `seq` (the forecast of values[seq + 1])."""
        when = time.perf_counter() if when is None else when
        if not 0 <= seq < self.count or not math.isnan(self.prediction[seq]):
            return
        self.prediction[seq] = y
        self.model_error[seq] = self.values[seq + 1] - y
        self.latency[seq] = when - self.sent_at[seq]
        self.received += 1
        if self.first_receive is None:
            self.first_receive = when
        self.last_receive = when

    @property
    def done(self) -> bool:
        return self.received >= self.count

    def nrmse(self, which: str, last: Optional[int] = None, upto: Optional[int] = None) -> float:
        """NRMSE of `which` ("model" or "persistence") over predictions [upto - last, upto)
        that came back (all of them with last=None; upto defaults to the last received);
        NaN while fewer than 20 have."""
        upto = self.received if upto is None else upto
        lo = 0 if last is None else max(upto - last, 0)
        err = (self.model_error if which == "model" else self.persistence_error)[lo:upto]
        got = ~np.isnan(self.model_error[lo:upto])
        if got.sum() < min(20, self.count):
            return math.nan
        e = err[got]
        return float(np.sqrt(np.mean(e * e)) / self.scale)

    def messages_per_second(self, now: Optional[float] = None) -> float:
        """Predictions received per second since the first one."""
        if self.first_receive is None or self.received < 2:
            return 0.0
        end = self.last_receive if now is None else now
        span = end - self.first_receive
        return (self.received - 1) / span if span > 0 else 0.0

    def latency_percentiles(self, qs: List[float]) -> List[float]:
        lat = self.latency[~np.isnan(self.latency)]
        if lat.size == 0:
            return [math.nan for _ in qs]
        return [float(np.percentile(lat, q)) for q in qs]

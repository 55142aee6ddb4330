"""The two live series of the demo, generated up front from fixed seeds.

Each is a 1-D numpy array; the publisher sends value t as sample t of its topic, and the
network's prediction after sample t is its forecast of value t + 1.
"""

from __future__ import annotations

import math
from typing import Dict, NamedTuple

import numpy as np

import rtrl.datasets


class Series(NamedTuple):
    """A named series: its topic, a one-line description, the values, and the lowest
    one-step NRMSE any forecaster can reach on it (0 for a deterministic series)."""
    topic: str
    title: str
    values: np.ndarray
    noise_floor: float


def mackey_glass(n: int) -> Series:
    """The Mackey–Glass delay differential equation with tau = 17 (chaotic), discretised the
    standard way (explicit Euler, dt = 0.1, one sample per unit of time, history 1.2), after
    a washout of 500 samples. Deterministic: a perfect forecaster reaches NRMSE 0."""
    values = rtrl.datasets.mackey_glass_series(n, tau=17.0, washout=500)
    return Series("mackey-glass", "Mackey-Glass, tau = 17 (chaotic)", values, 0.0)


#: The components of the multi-frequency sine: (amplitude, period in samples, phase).
SINE_COMPONENTS = ((0.6, 23.0, 0.0), (0.3, 7.3, 1.0))
#: The standard deviation of the Gaussian noise added to every sample.
SINE_NOISE = 0.05


def noisy_sines(n: int, seed: int = 1) -> Series:
    """Two incommensurate sines (periods 23 and 7.3 samples) plus Gaussian noise of
    standard deviation 0.05 (seeded). The noise of the next sample cannot be predicted, so
    the best one-step NRMSE is the noise's share of the series' spread, about 0.105."""
    t = np.arange(n, dtype=np.float64)
    clean = sum(a * np.sin(2 * math.pi * t / p + ph) for a, p, ph in SINE_COMPONENTS)
    noise = SINE_NOISE * np.random.default_rng(seed).standard_normal(n)
    values = clean + noise
    variance = sum(a * a / 2 for a, _, _ in SINE_COMPONENTS) + SINE_NOISE ** 2
    return Series("noisy-sines", "two sines (periods 23, 7.3) + noise 0.05", values,
                  SINE_NOISE / math.sqrt(variance))


def demo_series(n: int) -> Dict[str, Series]:
    """Both series, n samples each, by topic."""
    out = [mackey_glass(n), noisy_sines(n)]
    return {s.topic: s for s in out}

"""Seeded sequence tasks for online learning, as (X, Y) pairs ready for ``Network.run``.

Every generator returns two float64 arrays of shape (n, 1): X[t] is the input of step t
and Y[t] the target of the same step (the value to predict after seeing X[0..t]), with
NaN where a step has no target. The same arguments give the same arrays on every machine
(numpy's PCG64 generator, ``numpy.random.default_rng(seed)``).

=====================  =====================================================================
:func:`sine`           a sine wave; predict the next value
:func:`mackey_glass`   the Mackey–Glass delay differential equation, tau = 17 (chaotic)
:func:`narma10`        the 10th-order NARMA system driven by uniform noise
:func:`temporal_xor`   bits where every third bit is the XOR of the two before it
=====================  =====================================================================
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np

from ._errors import InvalidArgumentError

Pair = Tuple[np.ndarray, np.ndarray]

__all__ = ["sine", "mackey_glass", "mackey_glass_series", "narma10", "temporal_xor"]


def _length(n: int) -> int:
    try:
        n = int(n.__index__())
    except (AttributeError, TypeError):
        raise InvalidArgumentError(f"n: expected a non-negative integer, got {n!r}") from None
    if n < 0:
        raise InvalidArgumentError(f"n: expected a non-negative integer, got {n}")
    return n


def _column(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64).reshape(-1, 1)


def sine(n: int, period: float = 20.0, amplitude: float = 1.0, phase: Optional[float] = None,
         noise: float = 0.0, seed: int = 0) -> Pair:
    """One-step-ahead prediction of a sine wave.

    X[t] = amplitude * sin(2 pi t / period + phase) + noise * N(0, 1) and
    Y[t] = amplitude * sin(2 pi (t + 1) / period + phase) (the clean next value).
    `phase` None draws it uniformly from [0, 2 pi) with `seed`; the seed also draws the
    noise.
    """
    n = _length(n)
    if not period > 0:
        raise InvalidArgumentError(f"period: must be > 0, got {period}")
    rng = np.random.default_rng(seed)
    ph = float(rng.uniform(0.0, 2 * math.pi)) if phase is None else float(phase)
    t = np.arange(n + 1, dtype=np.float64)
    wave = amplitude * np.sin(2 * math.pi * t / period + ph)
    x = wave[:-1] + (noise * rng.standard_normal(n) if noise else 0.0)
    return _column(x), _column(wave[1:])


def mackey_glass_series(n: int, tau: float = 17.0, beta: float = 0.2, gamma: float = 0.1,
                        exponent: float = 10.0, x0: float = 1.2, dt: float = 0.1,
                        sample_every: int = 10, washout: int = 0,
                        seed: Optional[int] = None) -> np.ndarray:
    """n samples of the Mackey–Glass series (1-D array).

    The delay differential equation

        dx/dt = beta * x(t - tau) / (1 + x(t - tau)**exponent) - gamma * x(t)

    with the usual chaotic constants (tau = 17, beta = 0.2, gamma = 0.1, exponent = 10),
    discretised the standard way: explicit Euler with step dt = 0.1 (so the delay is
    tau / dt = 170 Euler steps) and one sample every `sample_every` = 10 Euler steps,
    i.e. one sample per unit of time, starting at t = 0. The history x(t) for t <= 0 is
    the constant x0 = 1.2 when `seed` is None (the classic series); an integer seed
    draws each history value uniformly from [x0 - 0.1, x0 + 0.1] instead (another series
    of the same attractor). The first `washout` samples are dropped.
    """
    n = _length(n)
    washout = _length(washout)
    delay = int(round(tau / dt))
    if delay < 1 or sample_every < 1 or not dt > 0:
        raise InvalidArgumentError("mackey_glass: need tau / dt >= 1, dt > 0 and sample_every >= 1")
    if seed is None:
        history = [float(x0)] * (delay + 1)
    else:
        rng = np.random.default_rng(seed)
        history = list(x0 + rng.uniform(-0.1, 0.1, delay + 1))
    # history[k] holds x at Euler step (now - delay + k) in a ring of delay + 1 values.
    ring = history
    head = 0  # index of x(t - tau) in the ring; x(t) is at head - 1
    x = ring[-1]
    total = n + washout
    out = np.empty(total)
    for i in range(total):
        out[i] = x
        for _ in range(sample_every):
            lagged = ring[head]
            x = x + dt * (beta * lagged / (1.0 + lagged ** exponent) - gamma * x)
            ring[head] = x
            head += 1
            if head > delay:
                head = 0
    return out[washout:]


def mackey_glass(n: int, horizon: int = 1, tau: float = 17.0, washout: int = 0,
                 seed: Optional[int] = None) -> Pair:
    """Predict the Mackey–Glass series `horizon` samples ahead.

    X[t] = s(t) and Y[t] = s(t + horizon), with s from :func:`mackey_glass_series`
    (tau = 17, Euler dt = 0.1, one sample per unit of time; see there). Values lie
    roughly in [0.2, 1.4].
    """
    n = _length(n)
    horizon = _length(horizon)
    s = mackey_glass_series(n + horizon, tau=tau, washout=washout, seed=seed)
    return _column(s[:n]), _column(s[horizon:horizon + n])


def narma10(n: int, seed: int = 0) -> Pair:
    """The NARMA10 system identification task.

    u(t) is drawn uniformly from [0, 0.5] and

        y(t+1) = 0.3 y(t) + 0.05 y(t) * sum_{i=0..9} y(t-i) + 1.5 u(t-9) u(t) + 0.1

    with y = u = 0 before t = 0. X[t] = u(t), Y[t] = y(t+1) (which depends on u up to
    and including u(t)). The system occasionally diverges for an unlucky input sequence;
    then the whole input is drawn again from the same generator, so the result is still a
    function of the seed.
    """
    n = _length(n)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        u = rng.uniform(0.0, 0.5, n)
        y = np.zeros(n + 1)
        ok = True
        for t in range(n):
            lo = max(t - 9, 0)
            window = y[lo:t + 1].sum()
            u9 = u[t - 9] if t >= 9 else 0.0
            y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * window + 1.5 * u9 * u[t] + 0.1
            if not abs(y[t + 1]) < 1e3:
                ok = False
                break
        if ok:
            return _column(u), _column(y[1:])
    raise RuntimeError("narma10: diverged 100 times in a row")  # practically unreachable


def temporal_xor(n: int, seed: int = 0) -> Pair:
    """The temporal XOR stream (Elman, 1990): bits in groups of three, the first two drawn
    at random and the third their XOR.

    X[t] = b(t); Y[t] = b(t+1) when b(t+1) is an XOR bit (the only predictable ones),
    NaN otherwise. So every third step has a target: the XOR of the current and the
    previous input.
    """
    n = _length(n)
    rng = np.random.default_rng(seed)
    groups = (n + 1 + 2) // 3
    pairs = rng.integers(0, 2, size=(groups, 2))
    bits = np.empty((groups, 3))
    bits[:, :2] = pairs
    bits[:, 2] = pairs[:, 0] ^ pairs[:, 1]
    b = bits.reshape(-1)[:n + 1]
    target = np.full(n, np.nan)
    positions = np.arange(1, n + 1)
    xor_steps = positions % 3 == 2
    target[xor_steps[:n]] = b[1:][xor_steps[:n]]
    return _column(b[:n]), _column(target)

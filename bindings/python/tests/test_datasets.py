"""rtrl.datasets: seeded, shaped (n, 1), and each follows its documented definition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rtrl import datasets

GENERATORS = [
    lambda seed: datasets.sine(300, seed=seed, noise=0.1),
    lambda seed: datasets.mackey_glass(300, seed=seed),
    lambda seed: datasets.narma10(300, seed=seed),
    lambda seed: datasets.temporal_xor(300, seed=seed),
]


@pytest.mark.parametrize("make", GENERATORS, ids=["sine", "mackey_glass", "narma10", "temporal_xor"])
def test_seeded_shapes_and_types(make):
    X, Y = make(1)
    X2, Y2 = make(1)
    X3, Y3 = make(2)
    assert X.shape == Y.shape == (300, 1)
    assert X.dtype == Y.dtype == np.float64 and X.flags.c_contiguous and Y.flags.c_contiguous
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert not np.array_equal(X, X3)


def test_sine_is_the_formula():
    X, Y = datasets.sine(50, period=12.5, amplitude=2.0, phase=0.3)
    t = np.arange(51)
    wave = 2.0 * np.sin(2 * math.pi * t / 12.5 + 0.3)
    np.testing.assert_allclose(X[:, 0], wave[:-1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(Y[:, 0], wave[1:], rtol=0, atol=1e-15)


def test_mackey_glass_follows_the_euler_recurrence():
    # An independent, straightforward implementation of the documented discretisation.
    dt, delay, every = 0.1, 170, 10
    x = [1.2] * (delay + 1)  # x[k] for Euler steps -170..0
    for _ in range(40 * every):
        lagged = x[-delay - 1]
        x.append(x[-1] + dt * (0.2 * lagged / (1 + lagged ** 10) - 0.1 * x[-1]))
    want = np.array(x[delay::every][:41])
    s = datasets.mackey_glass_series(41)
    np.testing.assert_allclose(s, want, rtol=1e-15)
    X, Y = datasets.mackey_glass(40)
    np.testing.assert_array_equal(X[:, 0], s[:40])
    np.testing.assert_array_equal(Y[:, 0], s[1:41])


def test_mackey_glass_stays_on_its_attractor():
    s = datasets.mackey_glass_series(3000, washout=500)
    assert 0.2 < s.min() < 0.5 and 1.1 < s.max() < 1.45
    assert s.std() > 0.15  # chaotic, not a decay to a fixed point
    h = datasets.mackey_glass(100, horizon=5)
    np.testing.assert_array_equal(h[1][:-5, 0], h[0][5:, 0])


def test_narma10_follows_its_recurrence():
    U, Y = datasets.narma10(200, seed=3)
    u, y = U[:, 0], np.concatenate([[0.0], Y[:, 0]])  # y[t] for t = 0..n
    assert np.all((u >= 0) & (u <= 0.5))
    for t in range(9, 199):
        want = 0.3 * y[t] + 0.05 * y[t] * y[t - 9:t + 1].sum() + 1.5 * u[t - 9] * u[t] + 0.1
        assert y[t + 1] == pytest.approx(want, rel=1e-14)


def test_temporal_xor_every_third_bit_is_the_xor_of_the_previous_two():
    X, Y = datasets.temporal_xor(100, seed=4)
    b = X[:, 0]
    assert set(np.unique(b)) <= {0.0, 1.0}
    for k in range(2, 100, 3):
        assert b[k] == float(int(b[k - 2]) ^ int(b[k - 1]))
    has = ~np.isnan(Y[:, 0])
    assert np.array_equal(np.flatnonzero(has), np.arange(1, 100, 3))  # targets b(t+1) at t = 3k+1
    steps = np.flatnonzero(has)
    np.testing.assert_array_equal(Y[has, 0], [float(int(b[t - 1]) ^ int(b[t])) for t in steps])
    np.testing.assert_array_equal(Y[steps[:-1], 0], b[steps[:-1] + 1])  # = the next input


def test_bad_lengths_are_rejected():
    with pytest.raises(ValueError):
        datasets.sine(-1)
    with pytest.raises(ValueError):
        datasets.narma10(2.5)

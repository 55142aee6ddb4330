"""With updates off, the library's accumulated RTRL gradient equals a numpy BPTT gradient
(tests/bptt.py) of the same run to rounding (relative error < 1e-9), for every preset and
for random builder graphs; the predictions and losses agree too."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest

import rtrl
from bptt import Model, relative_error, rtrl_gradient

TOLERANCE = 1e-9
STEPS = 25


def _data(net: rtrl.Network, rng: np.random.Generator, nan_fraction: float = 0.2,
          simplex: bool = False):
    X = rng.uniform(-1, 1, (STEPS, net.num_inputs))
    if simplex:  # cross-entropy targets: non-negative, not necessarily summing to 1
        Y = rng.uniform(0, 1, (STEPS, net.num_outputs))
    else:
        Y = rng.uniform(-1, 1, (STEPS, net.num_outputs))
    Y[rng.uniform(size=Y.shape) < nan_fraction] = np.nan
    return X, Y


def _check(net: rtrl.Network, X, Y, loss="mse", teacher_forcing=False,
           require_nonzero: bool = True) -> float:
    model = Model(net)
    want_preds, want_losses, want_grad = model.run(X, Y, loss, teacher_forcing)
    preds, losses, grad = rtrl_gradient(net, X, Y, loss, teacher_forcing)
    np.testing.assert_allclose(preds, want_preds, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-11, atol=1e-13)
    if not require_nonzero and not np.any(want_grad):  # e.g. dead relu outputs
        assert not np.any(grad)
        return 0.0
    assert np.linalg.norm(want_grad) > 1e-6  # the comparison means something
    err = relative_error(grad, want_grad)
    assert err < TOLERANCE, f"relative error {err:.3e}"
    return err


PRESETS = [
    ("fully_recurrent tanh", lambda: rtrl.Network.fully_recurrent(3, 6, 2, seed=1)),
    ("fully_recurrent logistic", lambda: rtrl.Network.fully_recurrent(2, 5, 3, activation="logistic", seed=2)),
    ("fully_recurrent relu", lambda: rtrl.Network.fully_recurrent(2, 5, 1, activation="relu", seed=3)),
    ("fully_recurrent no inputs", lambda: rtrl.Network.fully_recurrent(0, 4, 2, seed=4)),
    ("elman tanh/identity", lambda: rtrl.Network.elman(2, 7, 2, seed=5)),
    ("elman logistic/tanh", lambda: rtrl.Network.elman(3, 4, 2, hidden_activation="logistic",
                                                       output_activation="tanh", seed=6)),
    ("jordan mu 0.5", lambda: rtrl.Network.jordan(2, 5, 2, seed=7)),
    ("jordan mu 0.9 relu", lambda: rtrl.Network.jordan(1, 6, 3, mu=0.9, hidden_activation="relu", seed=8)),
]


@pytest.mark.parametrize("name,make", PRESETS, ids=[p[0] for p in PRESETS])
@pytest.mark.parametrize("teacher_forcing", [False, True], ids=["free", "forced"])
def test_presets_match_bptt(name, make, teacher_forcing, rng):
    with make() as net:
        X, Y = _data(net, rng)
        _check(net, X, Y, teacher_forcing=teacher_forcing)


@pytest.mark.parametrize("make", [
    lambda: rtrl.Network.elman(2, 5, 4, output_activation="softmax", seed=9),
    lambda: rtrl.Network.jordan(2, 5, 3, output_activation="softmax", seed=10),
    lambda: rtrl.Network.fully_recurrent(2, 4, 4, activation="softmax", seed=11),
], ids=["elman", "jordan", "fully_recurrent"])
def test_softmax_cross_entropy_matches_bptt(make, rng):
    with make() as net:
        X, Y = _data(net, rng, simplex=True)
        _check(net, X, Y, loss="cross_entropy")


def test_nonzero_weights_from_set_params_are_used(rng):
    # Not just the initial weights: arbitrary parameters, and a mse run with many NaNs.
    with rtrl.Network.elman(2, 4, 3, seed=12) as net:
        net.set_params(rng.normal(0, 0.7, net.num_params))
        X, Y = _data(net, rng, nan_fraction=0.6)
        _check(net, X, Y)


# ---------------------------------------------------------------- random builder graphs

_ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def _random_builder(seed: int):
    """A random acyclic-at-delay-0 graph with dense, diagonal and identity connections,
    fixed and trainable blocks, biases or not, and an output made of some units."""
    r = np.random.default_rng(seed)
    n_inputs = int(r.integers(0, 4))
    n_layers = int(r.integers(1, 5))
    sizes = [int(r.choice([2, 3, 3, 4])) for _ in range(n_layers)]
    names = [f"l{i}" for i in range(n_layers)]
    b = rtrl.Builder(n_inputs)
    for name, size in zip(names, sizes):
        b.layer(name, size, activation=str(r.choice(_ACTIVATIONS)), bias=bool(r.integers(0, 2)))
    edges: List[tuple] = []

    def connect(src, dst, delay, src_size, dst_size):
        kinds = ["dense"] * 3 + (["diagonal", "identity"] if src_size == dst_size else [])
        kind = str(r.choice(kinds))
        trainable = None if kind == "identity" else bool(r.integers(0, 4) > 0)
        scale = float(r.uniform(0.3, 1.2))
        b.connect(src, dst, delay=delay, kind=kind, trainable=trainable, scale=scale)
        edges.append((src, dst, delay, kind))

    for j, (dst, dst_size) in enumerate(zip(names, sizes)):
        if n_inputs and (j == 0 or r.uniform() < 0.4):
            connect("input", dst, int(r.integers(0, 2)), n_inputs, dst_size)
        for i in range(j):  # delay 0 only forward in creation order: acyclic
            if r.uniform() < 0.6 or i == j - 1:
                connect(names[i], dst, 0, sizes[i], dst_size)
        for i in range(n_layers):  # recurrent (delay 1) anywhere
            if r.uniform() < 0.35:
                connect(names[i], dst, 1, sizes[i], dst_size)
    if not any(e[1] == names[0] for e in edges):  # make sure the first layer hears something
        connect(names[0], names[0], 1, sizes[0], sizes[0])
    out = names[-1]
    out_size = sizes[-1]
    if r.uniform() < 0.5:
        k = int(r.integers(1, out_size + 1))
        b.output(out, units=[int(u) for u in r.permutation(out_size)[:k]])
    else:
        b.output(out)
    return b


@pytest.mark.parametrize("seed", range(24))
def test_random_builder_graphs_match_bptt(seed):
    with _random_builder(seed) as b, b.build(seed=seed) as net:
        if net.num_params == 0:
            pytest.skip("graph without trainable parameters")
        rng = np.random.default_rng(1000 + seed)
        X, Y = _data(net, rng)
        _check(net, X, Y, teacher_forcing=bool(seed % 3 == 0), require_nonzero=False)


def test_random_graphs_are_varied():
    # The generator above really produces the features the BPTT test is meant to cover.
    kinds, fixed, delays, subsets = set(), 0, set(), 0
    for seed in range(24):
        with _random_builder(seed) as b, b.build(seed=seed) as net:
            for c in net.connections():
                kinds.add(c.kind)
                delays.add(c.delay)
                fixed += (not c.trainable) and c.kind != "identity"
            layer, units = net.output_units()
            size = next(l.size for l in net.layers() if l.name == layer)
            subsets += units != list(range(size))
    assert kinds == {"dense", "diagonal", "identity"}
    assert delays == {0, 1}
    assert fixed > 0 and subsets > 0

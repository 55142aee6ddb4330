"""save/load, to_bytes/from_bytes, pickle and clone: a restored network continues bit for
bit as the original would have (outputs, losses, parameters and saved bytes)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import rtrl


def _busy_network() -> rtrl.Network:
    """A network mid-run: Adam moments, update_every count mid-way, teacher forcing,
    a non-empty gradient buffer, recurrent state."""
    net = rtrl.Network.jordan(2, 5, 2, mu=0.7, seed=11)
    net.configure(optimizer="adam", learning_rate=0.02, update_every=3, teacher_forcing=True,
                  clip_norm=5.0)
    rng = np.random.default_rng(5)
    for _ in range(31):
        net.step(rng.uniform(-1, 1, 2), rng.uniform(-1, 1, 2))
    return net


def _continue(net: rtrl.Network, steps: int = 40):
    rng = np.random.default_rng(99)
    X = rng.uniform(-1, 1, (steps, 2))
    Y = rng.uniform(-1, 1, (steps, 2))
    Y[::4, 1] = np.nan
    preds, losses = net.run(X, Y)
    return preds, losses, net.get_params(), net.gradient(), net.to_bytes()


def _assert_same_future(a: rtrl.Network, b: rtrl.Network) -> None:
    assert a.to_bytes() == b.to_bytes()
    ra, rb = _continue(a), _continue(b)
    for x, y in zip(ra, rb):
        if isinstance(x, bytes):
            assert x == y
        else:
            np.testing.assert_array_equal(x, y)  # bit-identical, NaNs in the same places


def test_save_and_load_continue_bit_identically(tmp_path):
    net = _busy_network()
    path = tmp_path / "net.rtrl"
    net.save(path)
    loaded = rtrl.Network.load(path)
    assert loaded.step_count == net.step_count == 31
    assert loaded.config == net.config
    _assert_same_future(net, loaded)


def test_save_accepts_str_and_bytes_paths(tmp_path):
    net = _busy_network()
    net.save(str(tmp_path / "a.rtrl"))
    net.save(bytes(tmp_path / "b.rtrl"))
    assert (tmp_path / "a.rtrl").read_bytes() == (tmp_path / "b.rtrl").read_bytes() == net.to_bytes()


def test_to_bytes_from_bytes_continue_bit_identically():
    net = _busy_network()
    data = net.to_bytes()
    assert isinstance(data, bytes) and data[:8] == b"\x89RTRL\r\n\x1a"
    _assert_same_future(net, rtrl.Network.from_bytes(data))


@pytest.mark.parametrize("wrap", [bytearray, memoryview, lambda d: np.frombuffer(d, np.uint8)])
def test_from_bytes_accepts_bytes_like(wrap):
    net = _busy_network()
    assert rtrl.Network.from_bytes(wrap(net.to_bytes())).to_bytes() == net.to_bytes()


def test_pickle_round_trip_continues_bit_identically():
    net = _busy_network()
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        _assert_same_future(pickle.loads(pickle.dumps(net, protocol)), pickle.loads(pickle.dumps(net, protocol)))
    _assert_same_future(net, pickle.loads(pickle.dumps(net)))


def test_clone_copy_and_deepcopy_continue_bit_identically():
    net = _busy_network()
    _assert_same_future(copy.copy(net), copy.deepcopy(net))
    _assert_same_future(net, net.clone())


def test_f32_network_round_trips():
    net = rtrl.Network.elman(2, 4, 2, seed=3, precision="f32")
    net.step([0.1, 0.2], [0.3, 0.4])
    loaded = pickle.loads(pickle.dumps(net))
    assert loaded.precision == "f32"
    _assert_same_future(net, loaded)


def test_builder_network_round_trips_with_its_architecture():
    with rtrl.Builder(2) as b:
        b.layer("h", 3, "relu").layer("o", 2, "identity")
        b.connect("input", "h").connect("h", "h", delay=1, kind="diagonal", trainable=False)
        b.connect("h", "o").connect("o", "h", delay=1, kind="dense")
        b.output("o", units=[1, 0])
        net = b.build(seed=4)
    loaded = rtrl.Network.from_bytes(net.to_bytes())
    assert loaded.blocks() == net.blocks() and loaded.connections() == net.connections()
    assert loaded.output_units() == ("o", [1, 0])
    _assert_same_future(net, loaded)

"""Errors raise the right classes, carry the library's status and message, and leave the
network exactly as it was (the saved bytes before and after are identical)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import rtrl
from rtrl._types import STATUS


@pytest.fixture
def net():
    with rtrl.Network.elman(2, 3, 2, seed=1) as n:
        n.configure(optimizer="adam", learning_rate=0.01)
        for t in range(5):  # some state, optimizer moments and a non-empty buffer
            n.step([0.1 * t, -0.2], [0.3, np.nan])
        n.feed([0.5, 0.5])
        n.accumulate([0.1, 0.2])
        yield n


def _unchanged(net, call, exc, status="RTRL_ERR_INVALID_ARGUMENT", match=None):
    before = net.to_bytes()
    with pytest.raises(exc, match=match) as info:
        call()
    assert net.to_bytes() == before
    e = info.value
    assert isinstance(e, rtrl.RTRLError)
    assert e.status == STATUS[status] and e.status_name == status
    assert e.message and str(e) == e.message
    return e


def test_hierarchy():
    assert issubclass(rtrl.InvalidArgumentError, ValueError)
    assert issubclass(rtrl.FileError, OSError)
    assert issubclass(rtrl.CorruptError, ValueError)
    assert issubclass(rtrl.FormatVersionError, ValueError)
    assert issubclass(rtrl.OutOfMemoryError, MemoryError)
    assert issubclass(rtrl.DivergedError, ArithmeticError)
    for cls in (rtrl.InvalidArgumentError, rtrl.FileError, rtrl.CorruptError, rtrl.FormatVersionError,
                rtrl.OutOfMemoryError, rtrl.DivergedError, rtrl.BufferTooSmallError,
                rtrl.StreamError, rtrl.InternalError):
        assert issubclass(cls, rtrl.RTRLError)


def test_library_messages_come_through(net):
    e = _unchanged(net, lambda: net.step([1.0, float("inf")]), rtrl.InvalidArgumentError)
    assert "x[1]" in e.message and "inf" in e.message
    assert e.message == rtrl._library.library().rtrl_last_error().decode()
    e = _unchanged(net, lambda: net.learn([np.inf, 0.0]), ValueError)
    assert "target[0]" in e.message


def test_nan_input_is_rejected_by_the_library(net):
    e = _unchanged(net, lambda: net.feed([np.nan, 0.0]), rtrl.InvalidArgumentError)
    assert "x[0]" in e.message


def test_step_with_a_bad_target_feeds_nothing(net):
    count = net.step_count
    _unchanged(net, lambda: net.step([0.1, 0.2], [0.0, -np.inf]), rtrl.InvalidArgumentError)
    assert net.step_count == count


@pytest.mark.parametrize("bad", [[1.0], [1.0, 2.0, 3.0], [[1.0, 2.0]], np.zeros((2, 1)), "ab",
                                 [1 + 2j, 0], np.array([1 + 0j, 2]), [None, 1.0], object()])
def test_wrong_shapes_and_types_are_rejected(net, bad):
    e = _unchanged(net, lambda: net.feed(bad), rtrl.InvalidArgumentError)
    assert e.message.startswith("x:")


def test_wrong_target_shape(net):
    e = _unchanged(net, lambda: net.step([0.1, 0.2], [0.5]), ValueError)
    assert "target" in e.message and "(2,)" in e.message


def test_set_params_wrong_length_and_non_finite(net):
    _unchanged(net, lambda: net.set_params(np.zeros(net.num_params + 1)), rtrl.InvalidArgumentError,
               match=r"params: expected shape")
    bad = net.get_params()
    bad[3] = np.nan
    e = _unchanged(net, lambda: net.set_params(bad), rtrl.InvalidArgumentError)
    assert "3" in e.message


def test_blocks_unknown_name_and_wrong_shape(net):
    _unchanged(net, lambda: net.get_block("nope"), rtrl.InvalidArgumentError,
               match="no block named 'nope'")
    _unchanged(net, lambda: net.set_block("hidden->hidden", np.zeros((2, 2))), rtrl.InvalidArgumentError,
               match=r"expected shape \(3, 3\)")
    w = net.get_block("hidden.bias")
    w[0] = np.inf
    _unchanged(net, lambda: net.set_block("hidden.bias", w), rtrl.InvalidArgumentError)


def test_configure_errors_leave_the_configuration(net):
    before = net.config
    for kwargs in (dict(optimizer="rmsprop"), dict(loss="hinge"), dict(learning_rate=-1.0),
                   dict(learning_rate=float("nan")), dict(momentum=1.0), dict(beta2=1.5),
                   dict(eps=0.0), dict(update_every=0), dict(clip_norm=0.0),
                   dict(clip_norm=-1.0), dict(loss="cross_entropy")):
        _unchanged(net, lambda: net.configure(**kwargs), rtrl.InvalidArgumentError)
        assert net.config == before, kwargs


def test_library_rejects_cross_entropy_without_softmax(net):
    e = _unchanged(net, lambda: net.configure(loss="cross_entropy"), rtrl.InvalidArgumentError)
    assert "softmax" in e.message


def test_creation_errors():
    with pytest.raises(rtrl.InvalidArgumentError) as info:
        rtrl.Network.fully_recurrent(1, 3, 4)
    assert "n_outputs" in info.value.message or "4" in info.value.message
    with pytest.raises(ValueError):
        rtrl.Network.elman(1, 0, 1)
    with pytest.raises(rtrl.InvalidArgumentError, match="activation"):
        rtrl.Network.elman(1, 2, 1, hidden_activation="swish")
    with pytest.raises(rtrl.InvalidArgumentError, match="precision"):
        rtrl.Network.elman(1, 2, 1, precision="f16")
    with pytest.raises(rtrl.InvalidArgumentError, match="non-negative"):
        rtrl.Network.elman(-1, 2, 1)
    with pytest.raises(rtrl.InvalidArgumentError):
        rtrl.Network.jordan(1, 2, 1, mu=float("nan"))


def test_builder_errors_leave_the_builder_usable():
    with rtrl.Builder(1) as b:
        b.layer("h", 2)
        with pytest.raises(rtrl.InvalidArgumentError):
            b.layer("h", 3)  # duplicate
        with pytest.raises(rtrl.InvalidArgumentError):
            b.layer("in put", 3)
        with pytest.raises(rtrl.InvalidArgumentError):
            b.connect("input", "nowhere")
        with pytest.raises(rtrl.InvalidArgumentError, match="trainable|identity"):
            b.connect("h", "h", delay=1, kind="identity", trainable=True)
        with pytest.raises(rtrl.InvalidArgumentError, match="delay"):
            b.connect("h", "h", delay=2)
        with pytest.raises(rtrl.InvalidArgumentError):
            b.output("h", units=[5])
        b.connect("input", "h").output("h")
        assert b.build().num_params == 4  # the failed calls changed nothing


def test_delay_zero_cycle_is_reported_at_build():
    with rtrl.Builder(1) as b:
        b.layer("a", 2).layer("b", 2)
        b.connect("input", "a").connect("a", "b").connect("b", "a")
        b.output("b")
        with pytest.raises(rtrl.InvalidArgumentError) as info:
            b.build()
        assert "cycle" in info.value.message


def test_file_errors_are_oserrors(tmp_path, net):
    with pytest.raises(rtrl.FileError) as info:
        rtrl.Network.load(tmp_path / "missing.rtrl")
    assert isinstance(info.value, OSError)
    assert info.value.status_name == "RTRL_ERR_IO"
    assert "missing.rtrl" in info.value.message or "No such file" in info.value.message
    _unchanged(net, lambda: net.save(tmp_path / "no-such-dir" / "x.rtrl"), OSError, status="RTRL_ERR_IO")


def test_corrupt_and_newer_format_bytes(net):
    data = bytearray(net.to_bytes())
    with pytest.raises(rtrl.CorruptError):
        rtrl.Network.from_bytes(bytes(data[:-5]))
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x40
    with pytest.raises(rtrl.CorruptError, match="checksum"):
        rtrl.Network.from_bytes(flipped)
    with pytest.raises(ValueError):
        rtrl.Network.from_bytes(b"not a network at all")
    newer = bytearray(data)
    newer[8:12] = (2).to_bytes(4, "little")
    with pytest.raises(rtrl.FormatVersionError) as info:
        rtrl.Network.from_bytes(newer)
    assert info.value.status_name == "RTRL_ERR_VERSION"
    with pytest.raises(rtrl.InvalidArgumentError, match="bytes-like"):
        rtrl.Network.from_bytes(12)


def test_divergence_guard_refuses_and_reports():
    with rtrl.Network.elman(1, 2, 1, seed=1) as net:
        net.set_params(np.full(net.num_params, 1e200))
        params = net.get_params()
        with pytest.raises(rtrl.DivergedError) as info:
            net.step([1.0], [0.0])
        e = info.value
        assert e.status_name == "RTRL_ERR_DIVERGED"
        assert e.output is not None and e.output.shape == (1,)
        assert net.refused_updates == 1 and net.step_count == 1  # the step stands
        np.testing.assert_array_equal(net.get_params(), params)  # nothing learned
        preds, losses = net.run([[1.0]] * 3, [[0.0]] * 3, on_diverged="continue")
        assert net.refused_updates == 4 and preds.shape == (3, 1)
        with pytest.raises(rtrl.DivergedError) as info:
            net.run([[1.0]] * 3, [[0.0]] * 3)
        assert info.value.index == 0


def test_errors_pickle():
    e = rtrl.CorruptError("bad bytes", STATUS["RTRL_ERR_CORRUPT"])
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is rtrl.CorruptError and e2.message == "bad bytes" and e2.status == -4


def test_closed_network_raises_but_close_is_safe():
    net = rtrl.Network.elman(1, 2, 1)
    net.close()
    net.close()
    for call in (lambda: net.feed([1.0]), lambda: net.learn([1.0]), net.output, net.gradient,
                 net.to_bytes, lambda: net.num_params, lambda: pickle.dumps(net), net.clone,
                 lambda: net.run([[1.0]])):
        with pytest.raises(rtrl.InvalidArgumentError, match="closed"):
            call()


def test_huge_numbers_are_rejected_cleanly():
    with rtrl.Network.fully_recurrent(1, 2, 1) as net:
        with pytest.raises(rtrl.InvalidArgumentError):
            net.feed(10 ** 400)
        with pytest.raises(rtrl.InvalidArgumentError):
            net.feed([10 ** 400])


def test_builder_does_not_pickle():
    with rtrl.Builder(1) as b, pytest.raises(TypeError, match="pickle the Network"):
        pickle.dumps(b)


def test_too_large_networks_are_out_of_memory_errors():
    with pytest.raises(rtrl.OutOfMemoryError) as info:
        rtrl.Network.fully_recurrent(1, 50_000, 1)
    assert isinstance(info.value, MemoryError) and info.value.status_name == "RTRL_ERR_OUT_OF_MEMORY"
    with pytest.raises(rtrl.InvalidArgumentError, match="too large"):
        rtrl.Network.fully_recurrent(1, 2 ** 70, 1)

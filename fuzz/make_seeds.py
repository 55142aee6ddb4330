#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets under fuzz/corpus/<target>/.

    RTRL_LIBRARY=.build/release/librtrl.so python3 fuzz/make_seeds.py

Seeds are small valid (and a few invalid) inputs that start the fuzzers deep in each
format: saved networks of every optimizer, sensitivity path and precision; stream
checkpoints; binary and JSON samples; C-API call programs (see fuzz/capi/fuzz_capi.c for
the byte code). The output is deterministic; the files are committed.
"""
from __future__ import annotations

import math
import os
import struct
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bindings" / "python"))

import rtrl  # noqa: E402
from rtrl import stream  # noqa: E402


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def write(target: str, name: str, data: bytes) -> None:
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def saved(net: rtrl.Network) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "net")
        net.save(p)
        return Path(p).read_bytes()


def wave(t: int) -> float:
    return math.sin(0.3 * t)


def trained(net: rtrl.Network, steps: int = 3) -> rtrl.Network:
    n_in, n_out = net.num_inputs, net.num_outputs
    for t in range(steps):
        net.step([wave(t + i) for i in range(n_in)], [wave(t + 1 + k) for k in range(n_out)])
    return net


def networks():
    """(name, network) of every kind the saved format distinguishes."""
    yield "elman_sgd", trained(rtrl.Network.elman(1, 3, 1, seed=1))
    n = rtrl.Network.fully_recurrent(2, 3, 1, seed=2)
    n.configure(optimizer="adam", learning_rate=0.01, clip_norm=1.0, update_every=2)
    yield "fr_adam", trained(n)
    n = rtrl.Network.jordan(1, 2, 1, mu=0.5, seed=3)
    n.configure(optimizer="momentum", teacher_forcing=True)
    yield "jordan_momentum_tf", trained(n)
    yield "elman_f32", trained(rtrl.Network.elman(1, 2, 1, seed=4, precision="f32"))
    for mode in ("snap1", "uoro"):
        n = rtrl.Network.elman(1, 3, 1, seed=5)
        n.configure(sensitivity=mode)
        yield f"elman_{mode}", trained(n)
    for opt in ("ekf", "dekf"):
        n = rtrl.Network.elman(1, 2, 1, seed=6)
        n.configure(optimizer=opt)
        yield f"elman_{opt}", trained(n)
    n = rtrl.Network.elman(1, 2, 1, seed=7)
    n.configure(readout="rls")
    yield "elman_rls", trained(n)
    b = rtrl.Builder(1)
    b.layer("h", 2, activation="tanh", bias=True)
    b.layer("d", 2, activation="logistic", bias=False)
    b.layer("y", 3, activation="softmax", bias=True)
    b.connect("input", "h")
    b.connect("h", "h", delay=1, kind="diagonal")
    b.connect("h", "d", kind="identity", scale=0.5)
    b.connect("d", "y")
    b.connect("h", "y", trainable=False)
    b.connect("input", "y", delay=1)
    b.output("y", units=[2, 0])
    n = b.build(seed=8)
    n.configure(loss="cross_entropy")
    yield "custom_softmax", n
    n = rtrl.Network.fully_recurrent(0, 2, 1, activation="relu", seed=9)
    yield "fr_no_inputs_relu", trained(n)


def net_load_seeds(nets):
    for name, data in nets:
        write("net_load", f"sealed_{name}", b"\x01" + data)
    name, data = nets[0]
    write("net_load", "raw_elman", b"\x00" + data)
    write("net_load", "raw_truncated", b"\x00" + data[: len(data) // 2])
    future = bytearray(data)
    future[8] = 2
    write("net_load", "raw_version2", b"\x00" + bytes(future))


def checkpoint(topic: bytes, net: bytes, next_seq: int = 7, forecast: bool = False, pending: int = 0) -> bytes:
    body = b"RTRLSTRM" + struct.pack("<II", 1, 1 if forecast else 0) + struct.pack("<H", len(topic)) + topic
    body += struct.pack("<QQQQdQB", next_seq, next_seq, 1, 0, 0.25, next_seq, pending)
    body += struct.pack("<Q", len(net)) + net
    return body + struct.pack("<I", crc32c(body))


def stream_checkpoint_seeds(nets):
    by_name = dict(nets)
    write("stream_checkpoint", "elman", b"\x01" + checkpoint(b"sensor/1", by_name["elman_sgd"]))
    write("stream_checkpoint", "forecast_adam", b"\x01" + checkpoint(b"a", by_name["fr_adam"], 3, True, 1))
    write("stream_checkpoint", "long_topic", b"\x01" + checkpoint(("\u00e9" * 120).encode(), by_name["elman_f32"]))
    write("stream_checkpoint", "raw_uoro", b"\x00" + checkpoint(b"../x", by_name["elman_uoro"]))
    c = bytearray(checkpoint(b"t", by_name["elman_sgd"]))
    c[8] = 2
    write("stream_checkpoint", "raw_version2", b"\x00" + bytes(c))


def shape_byte(n_x: int, n_out: int) -> bytes:
    return bytes([(n_x & 7) | (((n_out - 1) & 3) << 3)])


def wire_seeds():
    s = stream.encode_sample
    j = stream.encode_sample_json
    write("wire", "bin_x1_y1", shape_byte(1, 1) + s([0.5], [0.25], seq=3, timestamp=17))
    write("wire", "bin_x3_noy", shape_byte(3, 2) + s([1.0, -2.0, 3.5], None, seq=0))
    write("wire", "bin_x2_y2_nan_reset", shape_byte(2, 2) + s([0.0, -0.0], [float("nan"), 1e300], seq=2**64 - 1, reset=True))
    write("wire", "bin_f32", shape_byte(2, 1) + s([0.1, 0.2], [0.3], seq=9, float32=True))
    write("wire", "bin_x0", shape_byte(0, 1) + s([], [1.0], seq=1))
    write("wire", "json_full", shape_byte(2, 2) + j([0.5, -1e-300], [None, 2.5], seq=7, timestamp=-5, reset=True))
    write("wire", "json_x_only", shape_byte(1, 1) + b'{"x": [1]}')
    write("wire", "json_spaces", shape_byte(3, 1) + b' {"x":[1e2, -0.0, 5E-1] , "y" : null, "seq":18446744073709551615}')
    write("wire", "json_escapes", shape_byte(1, 1) + b'{"x":[1],"t":-9223372036854775808,"reset":false,"y":[]}')
    write("wire", "json_bad", shape_byte(1, 1) + b'{"x":[1,],"\\ud800":0}')
    write("wire", "bin_truncated", shape_byte(1, 1) + s([0.5], [0.25])[:20])


# ---------------------------------------------------------------- C-API programs
(OP_BUILDER_CREATE, OP_ADD_LAYER, OP_CONNECT, OP_SET_OUTPUT, OP_BUILD, OP_BUILDER_FREE,
 OP_CREATE_PRESET, OP_NET_FREE, OP_CLONE, OP_CONFIGURE, OP_FEED, OP_OUTPUT, OP_LEARN,
 OP_ACCUMULATE, OP_APPLY, OP_GRADIENT, OP_ZERO_GRAD, OP_STEP, OP_RESET_STATE, OP_GET_PARAMS,
 OP_SET_PARAMS, OP_BLOCK_INFO, OP_GET_BLOCK, OP_SET_BLOCK, OP_SAVE_BUFFER, OP_RELOAD,
 OP_GET_CONFIG, OP_INTROSPECT, OP_STEP_MANY) = range(29)
NAME = {"input": 0, "h": 1, "y": 2, "units": 3, "hidden": 4, "output": 5, "state": 6}
D_HALF, D_ONE, D_HUGE, D_INF, D_NAN, D_SMALL = 0x9D, 1, 3, 5, 7, 0x8D  # fz_double bytes


def arr(*doubles):
    return bytes([1, *doubles])  # non-NULL, then one byte per value


def capi_seeds():
    # Elman preset, Adam, many steps, save, reload into slot 1, clone, a poisoned step.
    p = bytes([OP_CREATE_PRESET, 0, 1, 1, 4, 1, 0])
    p += bytes([OP_CONFIGURE, 0, 0x01, 0x00, 2, 1])
    p += bytes([OP_STEP_MANY, 0, 10, 0, 0]) + arr(D_HALF) + arr(D_SMALL) + arr(0)
    p += bytes([OP_SAVE_BUFFER, 0, 0, 1])
    p += bytes([OP_RELOAD, 0, 1, 0])
    p += bytes([OP_CLONE, 1, 2])
    p += bytes([OP_STEP, 2, 0, 0]) + arr(D_HALF) + arr(D_HUGE) + arr(0)
    p += bytes([OP_INTROSPECT, 2, 0, 0]) + bytes([OP_INTROSPECT, 2, 1, 3])
    write("capi", "elman_adam_reload", p)
    # A builder network: 2 inputs, h (tanh, bias) recurrent, y identity; then blocks.
    p = bytes([OP_BUILDER_CREATE, 0, 2])
    p += bytes([OP_ADD_LAYER, 0, NAME["h"], 3, 2, 2])
    p += bytes([OP_ADD_LAYER, 0, NAME["y"], 1, 0, 2])
    p += bytes([OP_CONNECT, 0, NAME["input"], NAME["h"], 0, 0, 2, D_ONE])
    p += bytes([OP_CONNECT, 0, NAME["h"], NAME["h"], 1, 1, 2, D_HALF])
    p += bytes([OP_CONNECT, 0, NAME["h"], NAME["y"], 0, 0, 2, D_ONE])
    p += bytes([OP_SET_OUTPUT, 0, NAME["y"], 0, 0])
    p += bytes([OP_BUILD, 0, 0, 0])
    p += bytes([OP_STEP_MANY, 0, 5, 0, 0]) + arr(D_HALF, D_SMALL) + arr(D_ONE) + arr(0)
    p += bytes([OP_GET_BLOCK, 0, 0xC0, 0]) + arr(*([0] * 6))
    p += bytes([OP_SET_BLOCK, 0, 0xC1, 0]) + arr(*([D_HALF] * 3)) + bytes([1])
    p += bytes([OP_SET_PARAMS, 0, 0, 0]) + arr(*([D_SMALL] * 16))
    p += bytes([OP_FEED, 0, 0]) + arr(D_HUGE, D_HUGE)
    p += bytes([OP_GET_CONFIG, 0, 0, 1, 0])
    write("capi", "builder_blocks", p)
    # Jordan preset with EKF, learn/accumulate/apply, NaN and inf targets, a wrong length.
    p = bytes([OP_CREATE_PRESET, 1, 2, 1, 2, 1, 0])
    p += bytes([OP_CONFIGURE, 1, 0x01, 0x00, 3, 1])
    p += bytes([OP_FEED, 1, 0]) + arr(D_HALF)
    p += bytes([OP_LEARN, 1, 0]) + arr(D_NAN) + bytes([1])
    p += bytes([OP_FEED, 1, 0]) + arr(D_SMALL)
    p += bytes([OP_LEARN, 1, 0]) + arr(D_INF) + bytes([1])
    p += bytes([OP_CONFIGURE, 1, 0x01, 0x00, 1, 1])
    p += bytes([OP_ACCUMULATE, 1, 0]) + arr(D_ONE) + bytes([1])
    p += bytes([OP_GRADIENT, 1, 0]) + arr(*([0] * 12))
    p += bytes([OP_APPLY, 1]) + bytes([OP_ZERO_GRAD, 1]) + bytes([OP_RESET_STATE, 1])
    p += bytes([OP_OUTPUT, 1, 0xD0]) + arr(0, 0)
    write("capi", "jordan_ekf", p)
    # Fully recurrent with SnAp-1, f32 and a sensitivity switch; NULL-handle calls.
    p = bytes([OP_CREATE_PRESET, 2, 0, 2, 3, 2, 0x09, 0, 1])
    p += bytes([OP_CONFIGURE, 2, 0x00, 0x10, 1, 1])
    p += bytes([OP_STEP_MANY, 2, 7, 0, 0]) + arr(D_HALF, D_SMALL) + arr(D_ONE, D_NAN) + arr(0, 0)
    p += bytes([OP_CONFIGURE, 2, 0x00, 0x10, 2, 1])
    p += bytes([OP_STEP_MANY, 2, 7, 0, 0]) + arr(D_HALF, D_SMALL) + arr(D_ONE, D_NAN) + arr(0, 0)
    p += bytes([OP_FEED, 0, 0]) + bytes([OP_LEARN, 1, 0])
    write("capi", "fr_snap1_f32", p)


def main() -> None:
    nets = [(name, saved(net)) for name, net in networks()]
    net_load_seeds(nets)
    stream_checkpoint_seeds(nets)
    wire_seeds()
    capi_seeds()
    for t in sorted((HERE / "corpus").iterdir()):
        files = list(t.iterdir())
        print(f"{t.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()

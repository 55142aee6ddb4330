"""rtrl.stream: the codec, Publisher/Subscriber and `python -m rtrl.stream publish|subscribe`."""

import math
import os
import subprocess
import sys
import time

import pytest

from conftest import PUSH_PULL, PYTHON_BINDING, collect, pull_from, replay, stream

# Runs `python -m rtrl.stream` without executing rtrl/__init__.py (which may need librtrl);
# test_import_without_librtrl checks that the real import works without it.
RUN_MODULE = (
    "import sys, types; p = types.ModuleType('rtrl'); p.__path__ = [sys.argv.pop(1)]; sys.modules['rtrl'] = p; "
    "import runpy; sys.argv[0] = 'rtrl.stream'; runpy.run_module('rtrl.stream', run_name='__main__')"
)


def cli(*args, **kw):
    return [sys.executable, "-c", RUN_MODULE, str(PYTHON_BINDING / "rtrl"), *args]


def test_import_without_librtrl(tmp_path):
    """`import rtrl.stream` works on a machine without librtrl: a copy of the package
    outside the repository (so its .build folders are not found), RTRL_LIBRARY unset."""
    import shutil
    shutil.copytree(PYTHON_BINDING / "rtrl", tmp_path / "rtrl",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so*"))
    env = {k: v for k, v in os.environ.items() if k not in ("RTRL_LIBRARY", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(tmp_path)
    code = ("import ctypes.util, rtrl.stream as s; "
            "print('system' if ctypes.util.find_library('rtrl') else 'none'); "
            "print(s.decode_prediction(s.encode_prediction(1, 2, 0.5, [3.0])))")
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "seq=1" in r.stdout


def test_codec_round_trips():
    p = stream.encode_sample([0.1, -2.0], [math.nan], seq=9, timestamp=5, reset=True)
    s = stream.decode_sample(p)
    assert s.x == (0.1, -2.0) and math.isnan(s.y[0]) and s.seq == 9 and s.timestamp == 5 and s.reset
    assert stream.decode_sample(stream.encode_sample_json([0.5], [None], seq=3)).seq == 3
    assert stream.decode_prediction(stream.encode_prediction(3, 4, 0.0625, [0.75])) == (3, 4, 0.0625, (0.75,))
    # The worked example of docs/wire-format.md.
    assert stream.encode_sample([0.5], [0.25], seq=3, timestamp=1733000000000000000).hex(" ") == (
        "01 01 01 00 01 00 00 00 01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 "
        "00 80 c0 73 51 da 0c 18 00 00 00 00 00 00 e0 3f 00 00 00 00 00 00 d0 3f")
    assert stream.encode_prediction(3, 4, 0.0625, [0.5]).hex(" ") == (
        "01 02 01 00 01 00 00 00 03 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 "
        "00 00 00 00 00 00 b0 3f 00 00 00 00 00 00 e0 3f")
    with pytest.raises(stream.WireFormatError):
        stream.decode_prediction(b"\x01\x01" + bytes(30))
    with pytest.raises(ValueError):
        stream.encode_sample_json([math.nan])


def test_publisher_and_subscriber(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL)
    with stream.Publisher(a.input, pattern="push") as pub, stream.Subscriber(a.output, pattern="pull") as sub:
        for t in range(20):
            assert pub.send("p", [math.sin(t)], [math.sin(t + 1)], timestamp=0) == t
        got = [sub.recv(timeout=5) for _ in range(20)]
    expected = replay([(b"p", stream.encode_sample([math.sin(t)], [math.sin(t + 1)], seq=t)) for t in range(20)], [], tmp_path)
    assert [(t.encode(), stream.encode_prediction(*p)) for t, p in got] == expected


def test_cli_publish_and_subscribe(adapters, tmp_path):
    a = adapters(*PUSH_PULL)
    csv = tmp_path / "data.csv"
    rows = [(math.sin(0.3 * t), math.sin(0.3 * (t + 1))) for t in range(40)]
    csv.write_text("x,target\n" + "".join(f"{x!r},{y!r}\n" for x, y in rows))
    sub = subprocess.Popen(cli("subscribe", "--endpoint", a.output, "--pattern", "pull", "--count", "40", "--timeout", "10"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pub = subprocess.run(cli("publish", "--csv", str(csv), "--endpoint", a.input, "--inputs", "1", "--topic", "csv",
                             "--rate", "400"), capture_output=True, text=True, timeout=30)
    assert pub.returncode == 0, pub.stderr
    out, err = sub.communicate(timeout=20)
    assert sub.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 40
    expected = replay([(b"csv", stream.encode_sample([x], [y], seq=t)) for t, (x, y) in enumerate(rows)], [], tmp_path)
    for line, (_, payload) in zip(lines, expected):
        p = stream.decode_prediction(payload)
        assert line == f"csv seq={p.seq} step={p.step} loss={p.loss!r} y={p.y[0]!r}"


def test_cli_rate_paces_the_publisher(adapters, tmp_path):
    a = adapters(*PUSH_PULL)
    csv = tmp_path / "d.csv"
    csv.write_text("".join(f"{t}\n" for t in range(20)))
    t0 = time.monotonic()
    r = subprocess.run(cli("publish", "--csv", str(csv), "--endpoint", a.input, "--rate", "50"), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 >= 0.38   # 20 samples at 50 Hz

"""examples/c/subscribe.c: a plain-libzmq subscriber prints the adapter's predictions."""

import shutil
import subprocess
import time

import pytest
import zmq

from conftest import REPO, collect, push_to, replay, series, stream


@pytest.fixture(scope="module")
def subscriber(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler")
    exe = tmp_path_factory.mktemp("c") / "subscribe"
    subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-Werror", "-std=c99", "-o", str(exe),
                    str(REPO / "examples" / "c" / "subscribe.c"), "-lzmq"], check=True)
    return exe


def test_c_subscriber_prints_every_prediction_exactly(adapters, ctx, tmp_path, subscriber):
    a = adapters("--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out", "@tcp://127.0.0.1:*",
                 "--stats-every", "0.1")
    proc = subprocess.Popen([str(subscriber), a.output, "", "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("$metrics {")   # subscribed (PUB drops until then)
        msgs = series(0, 30)
        push = push_to(ctx, a.input)
        for m in msgs:
            push.send_multipart(list(m))
        out, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()
    lines = [l for l in out.splitlines() if not l.startswith("$metrics")]
    assert proc.returncode == 0 and len(lines) == 30
    for line, (_, payload) in zip(lines, replay(msgs, [], tmp_path)):
        p = stream.decode_prediction(payload)
        topic, seq, step, loss, y = line.split(" ", 4)
        assert topic == "s0" and seq == f"seq={p.seq}" and step == f"step={p.step}"
        assert float(loss.split("=")[1]) == p.loss
        assert float(y.split("=")[1]) == p.y[0]


def test_c_subscriber_pull_mode(adapters, ctx, tmp_path, subscriber):
    a = adapters("--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
                 "--out", "@tcp://127.0.0.1:*", "--stats-every", "0")
    proc = subprocess.Popen([str(subscriber), "pull:" + a.output, "", "5"], stdout=subprocess.PIPE, text=True)
    push = push_to(ctx, a.input)
    for m in series(0, 5):
        push.send_multipart(list(m))
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert [l.split()[1] for l in out.splitlines()] == [f"seq={i}" for i in range(5)]

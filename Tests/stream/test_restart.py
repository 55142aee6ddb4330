"""Must show 5: SIGTERM mid-stream exits 0 within 5 s with checkpoints written; a restart
with the same --checkpoint-dir continues bit-identically to an uninterrupted run."""

import os
import threading
import time

from conftest import PUSH_PULL, by_topic, checkpoint_next_seq, collect, pull_from, push_to, quiet, series, stream

NET = ["--hidden", "5", "--seed", "9", "--optimizer", "adam", "--learning-rate", "0.01"]
N = 3000


def messages():
    a, b = series(0, N), series(1, N)
    return [m for pair in zip(a, b) for m in pair]


def test_sigterm_then_restart_continues_bit_identically(adapters, ctx, tmp_path):
    msgs = messages()
    # The uninterrupted run.
    a = adapters(*PUSH_PULL, *NET, name="straight")
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    for m in msgs:
        push.send_multipart(list(m))
    straight = by_topic(collect(pull, len(msgs)))
    a.stop()

    # The interrupted run: SIGTERM while samples are flowing.
    ckdir = tmp_path / "checkpoints"
    b = adapters(*PUSH_PULL, *NET, "--checkpoint-dir", str(ckdir), "--checkpoint-every", "0.2", name="first")
    pull, push = pull_from(ctx, b.output), push_to(ctx, b.input)
    stop_sending = threading.Event()

    def sender():
        for i, m in enumerate(msgs):
            if stop_sending.is_set():
                return
            push.send_multipart(list(m))
            if i % 50 == 49:
                time.sleep(0.005)

    t = threading.Thread(target=sender)
    t.start()
    got = collect(pull, 1000, timeout=20)   # mid-stream
    rc, seconds = b.stop()
    stop_sending.set()
    t.join()
    got += quiet(pull, 0.5)                  # what it finished before exiting
    assert rc == 0, b.log()
    assert seconds < 5
    summary = b.summary()
    assert summary["unsent"] == 0 and summary["predictions"] == len(got)
    assert len(got) < len(msgs), "the stop came mid-stream"
    first = by_topic(got)
    files = sorted(os.listdir(ckdir))
    assert files == ["t-s0.ckpt", "t-s1.ckpt"]
    for f in files:
        topic, next_seq = checkpoint_next_seq(ckdir / f)
        assert next_seq == len(first[topic])  # the checkpoint holds exactly what was published

    # The restart: the same directory, the rest of each topic's samples.
    c = adapters(*PUSH_PULL, *NET, "--checkpoint-dir", str(ckdir), name="second")
    assert "restored 2 streams" in c.log()
    pull, push = pull_from(ctx, c.output), push_to(ctx, c.input)
    rest = [(tp, p) for tp, p in msgs if stream.decode_sample(p).seq >= len(first[tp])]
    for m in rest:
        push.send_multipart(list(m))
    second = by_topic(collect(pull, len(rest)))
    for topic in (b"s0", b"s1"):
        assert first[topic] + second[topic] == straight[topic]
    rc, _ = c.stop()
    assert rc == 0
    assert c.summary()["gaps"] == 0 and c.summary()["repeats"] == 0


def test_sigint_also_stops_cleanly(adapters, ctx, tmp_path):
    import signal
    ckdir = tmp_path / "ck"
    a = adapters(*PUSH_PULL, "--checkpoint-dir", str(ckdir), "--checkpoint-every", "0")
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    for m in series(0, 10):
        push.send_multipart(list(m))
    collect(pull, 10)
    rc, seconds = a.stop(signal.SIGINT)
    assert rc == 0 and seconds < 5
    assert checkpoint_next_seq(ckdir / "t-s0.ckpt") == (b"s0", 10)
    assert a.summary()["checkpoints written"] == 1

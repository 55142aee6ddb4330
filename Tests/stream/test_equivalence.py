"""Must show 1: predictions equal an offline network bit for bit; topics are independent."""

import math
import time

import pytest
import zmq

from conftest import PUSH_PULL, by_topic, collect, pull_from, push_to, quiet, replay, send_all, series, stream

NET = ["--hidden", "6", "--seed", "7", "--learning-rate", "0.05"]


def mixed_messages(n: int):
    """Two topics interleaved, with every payload variant: no target, NaN target units,
    reset, float32, JSON with and without seq."""
    msgs = []
    for t in range(n):
        for k, topic in enumerate((b"alpha", "βeta/é".encode())):
            x = [math.sin(0.1 * t + k), math.cos(0.05 * t)]
            y = [math.sin(0.1 * (t + 1) + k), 0.5 * x[1]]
            if t % 11 == 5:
                y = None
            elif t % 13 == 7:
                y[1] = math.nan
            if t % 17 == 9:
                payload = stream.encode_sample_json(x, y, seq=t)
            elif t % 19 == 3:
                payload = stream.encode_sample(x, y, seq=t, float32=True)
            else:
                payload = stream.encode_sample(x, y, seq=t, reset=(t % 101 == 50))
            msgs.append((topic, payload))
    return msgs


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_predictions_equal_offline_bit_for_bit(adapters, ctx, tmp_path, transport):
    args = ["--inputs", "2", "--outputs", "2", *NET]
    if transport == "tcp":
        a = adapters(*PUSH_PULL, *args)
    else:
        a = adapters("--in-pattern", "pull", "--in", f"@ipc://{tmp_path}/in.ipc", "--out-pattern", "push",
                     "--out", f"@ipc://{tmp_path}/out.ipc", "--stats-every", "0", *args)
        assert a.input.startswith("ipc://") and a.output.startswith("ipc://")
    pull = pull_from(ctx, a.output)
    push = push_to(ctx, a.input)
    msgs = mixed_messages(400)
    send_all(push, msgs)
    live = collect(pull, len(msgs))
    offline = replay(msgs, args, tmp_path)
    assert len(offline) == len(msgs)
    assert by_topic(live) == by_topic(offline)
    # What a prediction says: seq echoed, step = samples fed to that topic, loss present iff a target.
    alpha = [stream.decode_prediction(p) for p in by_topic(live)[b"alpha"]]
    assert [p.seq for p in alpha] == list(range(400))
    assert [p.step for p in alpha] == list(range(1, 401))
    assert math.isnan(alpha[5].loss) and not math.isnan(alpha[4].loss)
    rc, _ = a.stop()
    assert rc == 0


def test_topics_are_independent(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL, *NET)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    s0, s1 = series(0, 300), series(1, 300)
    interleaved = [m for pair in zip(s0, s1) for m in pair]
    send_all(push, interleaved)
    live = by_topic(collect(pull, 600))
    # Each topic alone, offline, gives the same predictions as when interleaved.
    assert live[b"s0"] == [p for _, p in replay(s0, NET, tmp_path, "s0")]
    assert live[b"s1"] == [p for _, p in replay(s1, NET, tmp_path, "s1")]
    assert live[b"s0"] != live[b"s1"]


def test_sub_input_with_topic_prefixes_and_pub_output(adapters, ctx, tmp_path):
    """The default patterns: the adapter's SUB connects to our PUB, its PUB binds."""
    pub = ctx.socket(zmq.XPUB)  # an XPUB shows when the adapter's subscriptions arrive
    pub.bind(f"ipc://{tmp_path}/pub.ipc")
    a = adapters("--in", f"ipc://{tmp_path}/pub.ipc", "--topic", "keep/", "--topic", "also",
                 "--out", "tcp://127.0.0.1:*", "--stats-every", "0.1", *NET)
    subscriptions = set()
    deadline = time.monotonic() + 5
    while len(subscriptions) < 2 and time.monotonic() < deadline:
        if pub.poll(100):
            subscriptions.add(pub.recv())
    assert subscriptions == {b"\x01keep/", b"\x01also"}
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(b"")
    sub.connect(a.output)
    assert sub.poll(5000)  # a $metrics message: our subscription has arrived
    kept = series(0, 100)
    kept = [(b"keep/" + t, p) for t, p in kept]
    dropped = [(b"drop/" + t, p) for t, p in series(1, 100)]
    for m in [x for pair in zip(kept, dropped) for x in pair]:
        pub.send_multipart(list(m))
    live = collect(sub, 100)
    assert live == replay(kept, NET, tmp_path)
    assert quiet(sub, 0.3) == []
    rc, _ = a.stop()
    assert rc == 0
    assert a.summary()["streams"] == 1


def test_matches_the_python_binding_if_available(adapters, ctx, tmp_path):
    """When librtrl and the Python binding are available: the same predictions as
    rtrl.Network.elman fed the same samples (the contract's offline reference)."""
    try:
        import rtrl  # noqa: PLC0415
        net = rtrl.Network.elman(1, 6, 1, seed=7)
        net.configure(optimizer="sgd", learning_rate=0.05)
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"the Python binding is not usable here: {e}")
    a = adapters(*PUSH_PULL, *NET)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    msgs = series(0, 200)
    send_all(push, msgs)
    live = collect(pull, 200)
    for (t, payload), (_, sample_payload) in zip(live, msgs):
        s = stream.decode_sample(sample_payload)
        y = net.step(list(s.x), target=list(s.y))
        assert [float(v) for v in y] == list(stream.decode_prediction(payload).y)

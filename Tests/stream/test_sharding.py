"""Sharding (issue 8, Must show 4): streams spread over several rtrl-stream processes by
topic prefix; every topic lands on exactly one shard and the union of their predictions
equals a single-process run."""

import math
import os
import time
from pathlib import Path

import pytest
import zmq

from conftest import by_topic, collect, quiet, replay, stream

NET = ["--hidden", "5", "--seed", "11", "--learning-rate", "0.05"]
N_SHARDS = 3
N_TOPICS = 300
STEPS = 12


def ids(n=N_TOPICS):
    """Stream ids of assorted shapes: ASCII, '/', non-ASCII, long."""
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(f"sensor-{i}")
        elif kind == 1:
            out.append(f"plant/{i % 7}/line-{i}")
        elif kind == 2:
            out.append(f"capteur-é-{i}")
        else:
            out.append(f"m{i}-" + "x" * (i % 200))
    return out


def samples(stream_ids, n_shards, steps=STEPS, start=0):
    """Interleaved samples of every stream on its shard topic (x = sin, target = next x)."""
    msgs = []
    for t in range(start, start + steps):
        for k, sid in enumerate(stream_ids):
            topic = stream.shard_topic(sid, n_shards).encode()
            x = math.sin(0.11 * t + 0.37 * k)
            msgs.append((topic, stream.encode_sample([x], [math.sin(0.11 * (t + 1) + 0.37 * k)], seq=t)))
    return msgs


def wait_for_subscriptions(xpub, expected, timeout=10.0):
    """Reads subscription messages from an XPUB until `expected` (a set) have all arrived."""
    seen = set()
    deadline = time.monotonic() + timeout
    while not expected <= seen:
        left = deadline - time.monotonic()
        assert left > 0 and xpub.poll(int(left * 1000)), f"subscriptions seen: {seen}, expected {expected}"
        seen.add(xpub.recv())
    return seen


def sharded_adapter(adapters, shard, n, input_endpoint, output_endpoint, *extra, name=None):
    return adapters("--in", input_endpoint, "--shard", f"{shard}/{n}", "--out-pattern", "push",
                    "--out", output_endpoint, "--stats-every", "0", "--hwm", "0", *NET, *extra,
                    name=name or f"shard{shard}")


def pull_bound(ctx, endpoint):
    s = ctx.socket(zmq.PULL)
    s.linger = 0
    s.rcvhwm = 0
    s.bind(endpoint)
    return s


# ---------------------------------------------------------------- the helper


def test_shard_topic_is_fnv1a_modulo_n_with_a_fixed_width_prefix():
    assert stream.fnv1a32(b"") == 0x811C9DC5
    assert stream.fnv1a32(b"a") == 0xE40C292C
    assert stream.fnv1a32(b"foobar") == 0xBF9CF968
    assert stream.shard_of("a", 10000) == 0xE40C292C % 10000 == 2220
    assert stream.shard_topic("a", 10000) == "s2220/a"
    assert stream.shard_topic("sensor-7", 3) == "s0002/sensor-7"
    assert stream.shard_topic("é", 1) == "s0000/é"
    assert stream.shard_of("é", 7) == stream.fnv1a32("é".encode()) % 7
    for bad in (0, 10001, -1, 2.0, True):
        with pytest.raises(ValueError):
            stream.shard_topic("a", bad)
    for bad in ("", "x" * 250):
        with pytest.raises(ValueError):
            stream.shard_topic(bad, 3)
    assert len(stream.shard_topic("x" * 249, 3).encode()) == 255
    counts = [0] * N_SHARDS
    for sid in ids():
        counts[stream.shard_of(sid, N_SHARDS)] += 1
    assert sum(counts) == N_TOPICS and min(counts) >= 70, counts  # roughly even


def test_the_python_helper_equals_the_c_function():
    try:
        import ctypes  # noqa: PLC0415

        from rtrl import _library  # noqa: PLC0415
        lib = _library.library()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"librtrl is not loadable here: {e}")
    buf = ctypes.create_string_buffer(256)
    length = ctypes.c_size_t()
    shard = ctypes.c_uint32()
    for sid in ids():
        for n in (1, 2, 3, 16, 9973, 10000):
            assert lib.rtrl_shard_of(sid.encode(), n, ctypes.byref(shard)) == 0
            assert lib.rtrl_shard_topic(sid.encode(), n, buf, 256, ctypes.byref(length)) == 0
            assert shard.value == stream.shard_of(sid, n)
            assert buf.value.decode() == stream.shard_topic(sid, n) and length.value == len(buf.value)


# ---------------------------------------------------------------- Must show 4


def test_three_shards_take_disjoint_shares_and_match_a_single_process(adapters, ctx, tmp_path):
    """One publisher, 300 topics, 3 sharded adapters (SUB) over TCP loopback: each adapter
    receives only its share (ZeroMQ filters at the publisher: the three adapters together
    receive each message once), and the union of their predictions equals that of one
    unsharded adapter fed the same messages, bit for bit."""
    pub = ctx.socket(zmq.XPUB)
    pub.sndhwm = 0
    pub.linger = 2000
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    endpoint = f"tcp://127.0.0.1:{port}"
    shard_out = pull_bound(ctx, "tcp://127.0.0.1:*")
    single_out = pull_bound(ctx, "tcp://127.0.0.1:*")
    shard_out_ep = shard_out.getsockopt_string(zmq.LAST_ENDPOINT)
    single_out_ep = single_out.getsockopt_string(zmq.LAST_ENDPOINT)
    shards = [sharded_adapter(adapters, i, N_SHARDS, endpoint, ">" + shard_out_ep) for i in range(N_SHARDS)]
    single = adapters("--in", endpoint, "--out-pattern", "push", "--out", ">" + single_out_ep, "--stats-every", "0",
                      "--hwm", "0", *NET, name="single")
    wait_for_subscriptions(pub, {b"\x01s0000/", b"\x01s0001/", b"\x01s0002/", b"\x01"})

    stream_ids = ids()
    msgs = samples(stream_ids, N_SHARDS)
    for m in msgs:
        pub.send_multipart(list(m))
    sharded = collect(shard_out, len(msgs), timeout=30)
    unsharded = collect(single_out, len(msgs), timeout=30)
    assert quiet(shard_out, 0.2) == []

    # Every topic landed on exactly one shard: the right one, by the prefix of its topic.
    topics_by_shard = [set() for _ in range(N_SHARDS)]
    for a, sh in zip(shards, range(N_SHARDS)):
        rc, _ = a.stop()
        assert rc == 0
        s = a.summary()
        assert s["refused"] == 0 and s["malformed"] == 0
        topics_by_shard[sh] = {sid for sid in stream_ids if stream.shard_of(sid, N_SHARDS) == sh}
        assert s["streams"] == len(topics_by_shard[sh])
        assert s["messages"] == STEPS * len(topics_by_shard[sh])  # its share, nothing else
    assert sum(a.summary()["messages"] for a in shards) == len(msgs)  # each message sent to one shard
    assert set().union(*topics_by_shard) == set(stream_ids)
    assert sum(len(t) for t in topics_by_shard) == N_TOPICS
    live = by_topic(sharded)
    assert len(live) == N_TOPICS
    for topic, predictions in live.items():
        assert len(predictions) == STEPS

    # The union of the shards' predictions equals the single process's, and the offline reference.
    assert live == by_topic(unsharded)
    assert live == by_topic(replay(msgs, NET, tmp_path))
    single.stop()


def test_a_pull_shard_refuses_topics_outside_its_share(adapters, ctx, tmp_path):
    """With PULL (no filtering by ZeroMQ) the adapter itself refuses other shards' topics,
    topics without a shard prefix, and ids that hash elsewhere; they are counted."""
    a = adapters("--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
                 "--out", "@tcp://127.0.0.1:*", "--stats-every", "0.1", "--shard", f"1/{N_SHARDS}", *NET)
    pull = ctx.socket(zmq.PULL)
    pull.connect(a.output)
    push = ctx.socket(zmq.PUSH)
    push.linger = 2000
    push.connect(a.input)
    stream_ids = ids(60)
    msgs = samples(stream_ids, N_SHARDS, steps=3)
    mine = [m for m in msgs if m[0].startswith(b"s0001/")]
    wrong_hash = next(sid for sid in stream_ids if stream.shard_of(sid, N_SHARDS) != 1)
    strays = [(b"plain-topic", msgs[0][1]), (b"s0001/", msgs[0][1]), (b"s001/x", msgs[0][1]),
              (("s0001/" + wrong_hash).encode(), msgs[0][1])]
    for m in msgs + strays:
        push.send_multipart(list(m))
    live = collect(pull, len(mine))
    assert by_topic(live) == by_topic(replay(mine, NET, tmp_path))
    m = None
    deadline = time.monotonic() + 5
    while m is None or m["messages"] < len(msgs) + len(strays):
        assert time.monotonic() < deadline
        topic, payload = pull.recv_multipart()
        if topic == b"$metrics":
            import json  # noqa: PLC0415
            m = json.loads(payload)
    refused = len(msgs) - len(mine) + len(strays)
    assert m["refused"] == refused and m["refused_off_shard"] == refused
    assert m["shard"] == "1/3" and m["streams"] == len({t for t, _ in mine})
    a.stop()
    assert a.summary()["refused"] == refused
    assert f"refused {refused} (off-shard {refused})" in a.log()


def test_shard_with_topic_filters_subscribes_behind_the_prefix(adapters, ctx, tmp_path):
    pub = ctx.socket(zmq.XPUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    adapters("--in", f"tcp://127.0.0.1:{port}", "--shard", "2/5", "--topic", "plant/", "--topic", "x",
             "--out", "tcp://127.0.0.1:*", "--stats-every", "0", *NET)
    wait_for_subscriptions(pub, {b"\x01s0002/plant/", b"\x01s0002/x"})


# ---------------------------------------------------------------- moving streams


def test_moving_a_checkpoint_file_moves_the_stream_to_another_shard(adapters, ctx, tmp_path):
    """Resharding 2 -> 3 adapters: stop, move each checkpoint file to the directory of its
    new shard (file names hold the stream id, not the shard), start, continue. Every stream
    continues bit for bit, as if it had never moved; a misplaced file stops the start."""
    stream_ids = ids(30)
    first = samples(stream_ids, 2, steps=6)
    dirs2 = [tmp_path / f"old{i}" for i in range(2)]
    out = pull_bound(ctx, "tcp://127.0.0.1:*")
    out_ep = ">" + out.getsockopt_string(zmq.LAST_ENDPOINT)
    old = [adapters("--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push", "--out", out_ep,
                    "--stats-every", "0", "--shard", f"{i}/2", "--checkpoint-dir", str(dirs2[i]), *NET, name=f"old{i}")
           for i in range(2)]
    pushes = []
    for a in old:
        p = ctx.socket(zmq.PUSH)
        p.linger = 2000
        p.connect(a.input)
        pushes.append(p)
    for topic, payload in first:
        pushes[int(topic[1:5])].send_multipart([topic, payload])
    before = collect(out, len(first))
    for a in old:
        assert a.stop()[0] == 0
    files = sorted(f.name for d in dirs2 for f in d.iterdir())
    assert len(files) == 30 and not any(f.startswith("t-s000") for f in files)  # no shard in the name

    # A file in the wrong directory: the adapter refuses to start, naming the right shard.
    dirs3 = [tmp_path / f"new{i}" for i in range(3)]
    for d in dirs3:
        d.mkdir()
    stray = next(sid for sid in stream_ids if stream.shard_of(sid, 3) != 0)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    src = next(d / f for d in dirs2 for f in os.listdir(d) if checkpoint_id(d / f) == stray)
    (bad_dir / src.name).write_bytes(src.read_bytes())
    bad = adapters("--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--shard", "0/3", "--checkpoint-dir",
                   str(bad_dir), *NET, name="bad", expect_start=False)
    assert bad.proc.wait(timeout=10) != 0
    assert f"belongs to shard {stream.shard_of(stray, 3)}/3" in bad.log()

    for d in dirs2:
        for f in d.iterdir():
            f.rename(dirs3[stream.shard_of(checkpoint_id(f), 3)] / f.name)
    new = [adapters("--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push", "--out", out_ep,
                    "--stats-every", "0", "--shard", f"{i}/3", "--checkpoint-dir", str(dirs3[i]), *NET, name=f"new{i}")
           for i in range(3)]
    for i, a in enumerate(new):
        assert f"restored {len(os.listdir(dirs3[i]))} stream" in a.log() or not os.listdir(dirs3[i])
    pushes = []
    for a in new:
        p = ctx.socket(zmq.PUSH)
        p.linger = 2000
        p.connect(a.input)
        pushes.append(p)
    second = samples(stream_ids, 3, steps=6, start=6)
    for topic, payload in second:
        pushes[int(topic[1:5])].send_multipart([topic, payload])
    after = collect(out, len(second))
    for a in new:
        assert a.stop()[0] == 0

    # The reference: one unsharded process that saw every sample under the bare stream id.
    def bare(msgs):
        return [(t[6:], p) for t, p in msgs]
    reference = by_topic(replay(bare(first) + bare(second), NET, tmp_path))
    got = {}
    for t, p in before + after:
        got.setdefault(t[6:], []).append(p)
    assert got == reference


def checkpoint_id(path: Path) -> str:
    """The stream id stored in a checkpoint file, read by hand (docs/operations.md, file
    layout) and by rtrl.stream.checkpoint_topic."""
    b = path.read_bytes()
    n = int.from_bytes(b[16:18], "little")
    assert stream.checkpoint_topic(path) == b[18:18 + n].decode()
    return stream.checkpoint_topic(str(path))


# ---------------------------------------------------------------- fan-in through the proxy


def test_many_publishers_reach_the_shards_through_the_proxy(adapters, ctx, tmp_path):
    """Two publishers -> rtrl-stream proxy (XSUB/XPUB) -> 2 shards: the shards' prefixes
    reach the publishers, each shard gets exactly its share, predictions match offline."""
    proxy = adapters("proxy", "--in", "@tcp://127.0.0.1:*", "--out", "@tcp://127.0.0.1:*", "--hwm", "0",
                     name="proxy", expect_start=False)
    line = proxy.wait_for(r"proxy in=xsub@\S+ out=xpub@\S+")
    proxy_in, proxy_out = (part.split("@", 1)[1] for part in line.split()[-2:])
    assert not proxy_in.endswith(":5550") and not proxy_out.endswith(":5555")  # --in/--out were honoured
    out = pull_bound(ctx, "tcp://127.0.0.1:*")
    out_ep = ">" + out.getsockopt_string(zmq.LAST_ENDPOINT)
    shards = [sharded_adapter(adapters, i, 2, proxy_out, out_ep) for i in range(2)]
    publishers = []
    for _ in range(2):
        p = ctx.socket(zmq.XPUB)  # an XPUB to see the forwarded subscriptions
        p.sndhwm = 0
        p.linger = 2000
        p.connect(proxy_in)
        wait_for_subscriptions(p, {b"\x01s0000/", b"\x01s0001/"})
        publishers.append(p)
    stream_ids = ids(40)
    msgs = samples(stream_ids, 2, steps=5)
    for k, (topic, payload) in enumerate(msgs):   # each stream from one publisher
        publishers[stream_ids.index(topic[6:].decode()) % 2].send_multipart([topic, payload])
    live = collect(out, len(msgs))
    assert by_topic(live) == by_topic(replay(msgs, NET, tmp_path))
    for i, a in enumerate(shards):
        assert a.stop()[0] == 0
        share = sum(1 for sid in stream_ids if stream.shard_of(sid, 2) == i)
        assert a.summary()["messages"] == 5 * share and a.summary()["refused"] == 0
    rc, _ = proxy.stop()
    assert rc == 0
    assert f"summary: {len(msgs)} messages forwarded" in proxy.log()

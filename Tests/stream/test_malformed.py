"""Must show 3: each kind of malformed message is dropped and counted; the predictions after
the garbage equal those of a clean run."""

import struct

from conftest import PUSH_PULL, collect, next_metrics, pull_from, push_to, quiet, replay, series, stream

ARGS = ["--hidden", "4", "--seed", "1", "--max-message-size", "4096", "--stats-every", "0.1"]


def garbage():
    """(topic, payload or frame list, reason) for every malformed case reaching the adapter."""
    good = stream.encode_sample([0.5], [0.25], seq=0)
    cases = [
        (b"s0", good[:20], "truncated"),
        (b"s0", good[:-1], "truncated"),
        (b"s0", good + b"\0", "wrong_size"),
        (b"s0", bytes([2]) + good[1:], "unknown_version"),
        (b"s0", bytes([1, 2]) + good[2:], "unknown_kind"),
        (b"s0", good[:2] + struct.pack("<H", 1 | 8) + good[4:], "unknown_flags"),
        (b"s0", good[:12] + struct.pack("<I", 1) + good[16:], "reserved_not_zero"),
        (b"s0", good[:2] + struct.pack("<H", 0) + good[4:], "target_flag_mismatch"),
        (b"s0", stream.encode_sample([0.5, 1.0], [0.25]), "input_count_mismatch"),
        (b"s0", stream.encode_sample([0.5], [0.25, 1.0]), "target_count_mismatch"),
        (b"s0", stream.encode_sample([float("nan")], [0.25]), "non_finite_input"),
        (b"s0", stream.encode_sample([float("inf")], None), "non_finite_input"),
        (b"s0", stream.encode_sample([0.5], [float("inf")]), "infinite_target"),
        (b"s0", stream.encode_sample([0.5], [float("-inf")]), "infinite_target"),
        (b"s0", b'{"x": [0.5]', "bad_json"),
        (b"s0", b'{"x": [NaN]}', "bad_json"),
        (b"s0", b'{"x": [Infinity]}', "bad_json"),
        (b"s0", b'{"x": [0.5], "y": [1e999]}', "infinite_target"),
        (b"s0", b'{"x": "0.5"}', "invalid_json_sample"),
        (b"s0", b"", "empty_payload"),
        (b"", good, "empty_topic"),
        (b"t" * 256, good, "topic_too_long"),
        (b"\xff\xfe", good, "topic_not_utf8"),
        ([b"s0"], None, "frame_count"),
        ([b"s0", good, b"extra"], None, "frame_count"),
    ]
    return cases


def test_garbage_is_dropped_counted_and_harmless(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL, *ARGS)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    clean = series(0, 200)
    cases = garbage()
    expected = {}
    sent = []
    for i, (topic, payload) in enumerate(clean):
        sent.append((topic, payload))
        if i % 7 == 3 and cases:
            t, p, reason = cases.pop(0)
            push.send_multipart(t if p is None else [t, p])  # a frame list, or topic + payload
            expected[reason] = expected.get(reason, 0) + 1
        push.send_multipart([topic, payload])
    assert not cases, "every case was sent"
    live = collect(pull, 200)
    assert live == replay(clean, ARGS[:4], tmp_path)     # the garbage changed nothing
    assert quiet(pull, 0.2) == []                        # and produced no output
    m = next_metrics(pull, where=lambda m: m["messages"] == 200 + sum(expected.values()))
    assert m["malformed"] == sum(expected.values())
    assert {k: v for k, v in m["malformed_by_reason"].items() if v} == expected
    assert m["predictions"] == 200 and m["streams"] == 1
    rc, _ = a.stop()
    assert rc == 0
    assert a.summary()["malformed"] == sum(expected.values())
    assert "dropped a malformed message" in a.log()


def test_oversize_frame_costs_only_its_own_connection(adapters, ctx, tmp_path):
    """A frame over --max-message-size (ZMQ_MAXMSGSIZE) never reaches the adapter: libzmq
    drops the sender's connection, counted as a disconnect; other publishers are unaffected."""
    a = adapters(*PUSH_PULL, *ARGS)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    clean = series(0, 100)
    for m in clean[:50]:
        push.send_multipart(list(m))
    collect(pull, 50)
    rogue = push_to(ctx, a.input)
    rogue.send_multipart([b"s0", stream.encode_sample([0.5] * 600, None)])  # 4832 bytes > 4096
    m = next_metrics(pull, where=lambda m: m["disconnects"] >= 1)
    assert m["disconnects"] == 1 and m["malformed"] == 0 and m["messages"] == 50
    rogue.close(linger=0)
    for msg in clean[50:]:
        push.send_multipart(list(msg))
    live = collect(pull, 50)
    assert live == replay(clean, ARGS[:4], tmp_path)[50:]

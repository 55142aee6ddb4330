"""Stats lines, $metrics, the summary, seq gaps and repeats, the divergence guard's count."""

import json
import math
import re
import time

from conftest import PUSH_PULL, collect, next_metrics, pull_from, push_to, replay, stream


def test_stats_line_metrics_and_summary(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL, "--stats-every", "0.2")
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    seqs = [0, 1, 2, 5, 6, 6, 3, 4]   # a gap (3, 4 missing at 5), a repeat (6), a step back (3)
    for s in seqs:
        push.send_multipart([b"g", stream.encode_sample([0.1 * s], [0.2], seq=s)])
    push.send_multipart([b"h", stream.encode_sample([0.1], [0.3], seq=4)])   # a new topic starting at 4: a gap
    push.send_multipart([b"h", b"garbage"])
    preds = collect(pull, 9)
    assert [stream.decode_prediction(p).seq for t, p in preds if t == b"g"] == seqs
    m = next_metrics(pull, where=lambda m: m["messages"] == 10)
    assert m["gaps"] == 2 and m["repeats"] == 2 and m["malformed"] == 1 and m["streams"] == 2
    assert m["predictions"] == 9 and m["refused"] == 0 and m["refused_updates"] == 0
    assert m["worst_stream"]["topic"] in ("g", "h")
    assert set(m) >= {"uptime_s", "messages_per_second", "mse", "malformed_by_reason", "unsent", "disconnects",
                      "checkpoints_written", "auth_denied"}
    # mse is the prequential squared error per target unit, pooled over the streams.
    errors = [(0.2 - stream.decode_prediction(p).y[0]) ** 2 for t, p in preds if t == b"g"]
    errors += [(0.3 - stream.decode_prediction(p).y[0]) ** 2 for t, p in preds if t == b"h"]
    assert m["mse"] == __import__("pytest").approx(sum(errors) / len(errors), rel=1e-12)
    line = a.wait_for(r"msg/s")
    for word in ("msg/s", "streams", "mse", "worst", "malformed 1", "gaps 2", "repeats 2", "refused 0", "refused updates 0"):
        assert word in line, line
    rc, _ = a.stop()
    assert rc == 0
    s = a.summary()
    assert s["messages"] == 10 and s["gaps"] == 2 and s["repeats"] == 2 and s["malformed"] == 1


def test_divergence_guard_refusals_are_counted_and_streams_go_on(adapters, ctx, tmp_path):
    args = ["--learning-rate", "1e300"]
    a = adapters(*PUSH_PULL, "--stats-every", "0.1", *args)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    msgs = [(b"d", stream.encode_sample([1.0], [1e200], seq=t)) for t in range(20)]
    for msg in msgs:
        push.send_multipart(list(msg))
    live = collect(pull, 20)
    m = next_metrics(pull, where=lambda m: m["messages"] == 20)
    assert m["refused_updates"] > 0
    assert live == replay(msgs, args, tmp_path)
    a.stop()
    assert a.summary()["refused updates"] == m["refused_updates"]


def test_json_without_seq_uses_the_streams_count(adapters, ctx):
    a = adapters(*PUSH_PULL)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    for i in range(5):
        push.send_multipart([b"j", json.dumps({"x": [i * 0.5], "y": [None]}).encode()])
    preds = [stream.decode_prediction(p) for _, p in collect(pull, 5)]
    assert [p.seq for p in preds] == [0, 1, 2, 3, 4]
    assert all(p.loss == 0 for p in preds)   # a target of null units only: E over no units
    a.stop()
    assert a.summary()["gaps"] == 0

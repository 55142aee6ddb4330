"""Must show 7: with --max-streams 3 the fourth topic is refused and counted; the three keep
learning, and no stream is evicted."""

from conftest import PUSH_PULL, by_topic, collect, next_metrics, pull_from, push_to, quiet, replay, series

ARGS = ["--max-streams", "3", "--stats-every", "0.1"]


def test_fourth_topic_is_refused(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL, *ARGS)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    topics = [series(k, 100) for k in range(4)]
    interleaved = [m for group in zip(*topics) for m in group]
    for m in interleaved:
        push.send_multipart(list(m))
    live = by_topic(collect(pull, 300))
    assert set(live) == {b"s0", b"s1", b"s2"}
    assert quiet(pull, 0.3) == []
    m = next_metrics(pull, where=lambda m: m["messages"] == 400)
    assert m["refused"] == 100 and m["streams"] == 3 and m["predictions"] == 300 and m["malformed"] == 0
    three = [msg for msg in interleaved if msg[0] != b"s3"]
    assert live == by_topic(replay(three, [], tmp_path))
    # The three keep learning after the refusals.
    more = [m for group in zip(*(series(k, 50, start=100) for k in range(3))) for m in group]
    for msg in more:
        push.send_multipart(list(msg))
    later = by_topic(collect(pull, 150))
    full = by_topic(replay(three + more, [], tmp_path))
    for t in (b"s0", b"s1", b"s2"):
        assert live[t] + later[t] == full[t]
    rc, _ = a.stop()
    assert rc == 0
    assert a.summary()["refused"] == 100
    assert 'refused new topic "s3"' in a.log()

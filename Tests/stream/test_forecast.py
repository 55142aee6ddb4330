"""Must show 2: forecast mode learns from the next sample (checked against an offline run)."""

import math

import pytest

from conftest import PUSH_PULL, by_topic, collect, pull_from, push_to, replay, send_all, stream

ARGS = ["--forecast", "--inputs", "2", "--outputs", "1", "--hidden", "5", "--seed", "3", "--learning-rate", "0.1"]


def plain_samples(topic: bytes, n: int, reset_at=()):
    return [(topic, stream.encode_sample([math.sin(0.2 * t), math.cos(0.3 * t)], None, seq=t, reset=t in reset_at))
            for t in range(n)]


def test_forecast_equals_offline(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL, *ARGS)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    msgs = plain_samples(b"f", 300, reset_at=(150,)) + plain_samples(b"g", 50)
    send_all(push, msgs)
    live = collect(pull, len(msgs))
    assert by_topic(live) == by_topic(replay(msgs, ARGS, tmp_path))


def test_forecast_loss_is_the_previous_prediction_against_this_sample(adapters, ctx, tmp_path):
    a = adapters(*PUSH_PULL, *ARGS)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    msgs = plain_samples(b"f", 200, reset_at=(120,))
    send_all(push, msgs)
    preds = [stream.decode_prediction(p) for _, p in collect(pull, 200)]
    xs = [stream.decode_sample(p).x for _, p in msgs]
    assert math.isnan(preds[0].loss)         # nothing to learn from on a topic's first sample
    assert math.isnan(preds[120].loss)       # a reset starts a new sequence: no target for the old one
    for t in range(1, 200):
        if t == 120:
            continue
        expected = (xs[t][0] - preds[t - 1].y[0]) ** 2
        assert preds[t].loss == pytest.approx(expected, rel=1e-12, abs=1e-300), t
    # Learning happens: the one-step-ahead error falls.
    early = sum(p.loss for p in preds[1:21]) / 20
    late = sum(p.loss for p in preds[180:200]) / 20
    assert late < early


def test_forecast_differs_from_learning_the_same_sample(adapters, ctx, tmp_path):
    """The target is the next sample, not a copy of this one: predictions differ from a
    plain run given y(t) = x(t)[:1]."""
    a = adapters(*PUSH_PULL, *ARGS)
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    msgs = plain_samples(b"f", 50)
    send_all(push, msgs)
    live = [p for _, p in collect(pull, 50)]
    same = [(t, stream.encode_sample(stream.decode_sample(p).x, [stream.decode_sample(p).x[0]], seq=i))
            for i, (t, p) in enumerate(msgs)]
    plain = [p for _, p in replay(same, ARGS[1:], tmp_path)]
    assert [stream.decode_prediction(p).y for p in live][1:] != [stream.decode_prediction(p).y for p in plain][1:]

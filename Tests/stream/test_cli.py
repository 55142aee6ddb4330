"""The rtrl-stream command line: --help, --config, errors."""

import json
import re
import subprocess

from conftest import PUSH_PULL, binary, collect, pull_from, push_to, replay, series

OPTIONS = [
    "--in", "--in-pattern", "--topic", "--out", "--out-pattern", "--preset", "--inputs", "--hidden", "--outputs",
    "--mu", "--seed", "--precision", "--hidden-activation", "--output-activation", "--optimizer", "--learning-rate",
    "--momentum", "--beta1", "--beta2", "--eps", "--clip-norm", "--loss", "--teacher-forcing", "--update-every",
    "--divergence-guard", "--forecast", "--max-streams", "--checkpoint-dir", "--checkpoint-every", "--stats-every",
    "--max-message-size", "--hwm", "--linger", "--curve-secret-key", "--curve-allow", "--curve-server-key",
    "--config", "--max-messages", "--duration", "--quiet",
]


def test_help_explains_every_option():
    out = subprocess.run([binary(), "--help"], capture_output=True, text=True, check=True).stdout
    for option in OPTIONS:
        m = re.search(r"^\s+(?:-\w, )?" + re.escape(option) + r"\b[^\n]*\n?(.*)", out, re.M)
        assert m, f"{option} is not in --help"
    assert "keygen" in out and "replay" in out
    flat = " ".join(out.split())
    assert "(default: sgd)" in flat and "(default: 0.01)" in flat


def test_config_file_with_command_line_override(adapters, ctx, tmp_path):
    config = tmp_path / "stream.json"
    config.write_text(json.dumps({"hidden": 3, "seed": 4, "learning_rate": 0.5, "optimizer": "momentum",
                                  "in-pattern": "sub"}))
    a = adapters(*PUSH_PULL, "--config", str(config), "--learning-rate", "0.02")
    pull, push = pull_from(ctx, a.output), push_to(ctx, a.input)
    msgs = series(0, 50)
    for m in msgs:
        push.send_multipart(list(m))
    live = collect(pull, 50)
    assert live == replay(msgs, ["--hidden", "3", "--seed", "4", "--optimizer", "momentum", "--learning-rate", "0.02"], tmp_path)
    assert live != replay(msgs, ["--hidden", "3", "--seed", "4", "--optimizer", "momentum", "--learning-rate", "0.5"], tmp_path, "other")


def test_bad_settings_fail_with_a_message(adapters, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hidden": 3, "nope": 1}')
    for args, words in [
        (["--config", str(bad)], "unknown key"),
        (["--forecast", "--inputs", "1", "--outputs", "2"], "forecast"),
        (["--in", "udp://x"], "tcp://"),
        (["--in-pattern", "pull", "--topic", "a"], "SUB"),
        (["--learning-rate=-1"], "learning_rate"),
    ]:
        a = adapters(*args, expect_start=False)
        assert a.proc.wait(10) != 0
        assert words in a.log(), a.log()


def test_max_messages_and_duration_end_the_program(adapters, ctx):
    a = adapters(*PUSH_PULL, "--max-messages", "3")
    push = push_to(ctx, a.input)
    pull = pull_from(ctx, a.output)
    for m in series(0, 3):
        push.send_multipart(list(m))
    assert a.proc.wait(10) == 0
    assert a.summary()["messages"] == 3
    b = adapters(*PUSH_PULL, "--duration", "0.2")
    assert b.proc.wait(10) == 0

"""Runs every classic experiment in examples/ and the streaming demo (short), as a user
would: each must exit 0, which it does only when its result meets the expectation it
states, and print its result next to the expected one.

    RTRL_LIBRARY=$PWD/.build/release/librtrl.so RTRL_STREAM=$PWD/.build/release/rtrl-stream \
        .venv/bin/python -m pytest -q Tests/examples
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

CLASSICS = [
    "elman_temporal_xor.py",
    "elman_letters.py",
    "wz_pipelined_xor.py",
    "wz_oscillator.py",
    "jordan_plan.py",
]


def run(args, timeout: float = 120.0, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


@pytest.mark.parametrize("script", CLASSICS)
def test_classic_experiment_meets_its_stated_expectation(script: str) -> None:
    p = run([EXAMPLES / script])
    out = p.stdout
    assert p.returncode == 0, f"{script} exited {p.returncode}:\n{out}\n{p.stderr}"
    result = [line for line in out.splitlines() if line.startswith("result:")]
    expected = [line for line in out.splitlines() if line.startswith("expected:")]
    assert len(result) == 1 and len(expected) == 1, out


def test_every_classic_is_listed_here() -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert scripts == sorted(CLASSICS)


def test_demo_streams_both_series_and_beats_persistence(tmp_path: Path) -> None:
    """The demo of `make demo`, 8 s at 500 samples/s per stream."""
    p = run([EXAMPLES / "demo" / "demo.py", "--seconds", "8", "--rate", "500", "--output-dir", tmp_path],
            timeout=90.0)
    assert p.returncode == 0, f"demo exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    assert "demo: OK" in p.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["rtrl_stream_status"] == 0
    assert "malformed 0" in summary["rtrl_stream_summary"] and "unsent 0" in summary["rtrl_stream_summary"]
    for topic in ("mackey-glass", "noisy-sines"):
        s = summary["streams"][topic]
        assert s["samples"] == 4000
        assert s["nrmse_last"] < 0.5 * s["persistence_last"], (topic, s)
    # Deterministic: the forecasts do not depend on timing (PUSH/PULL drops nothing).
    assert abs(summary["streams"]["mackey-glass"]["persistence_last"] - 0.1466) < 0.002
    svg = ET.parse(tmp_path / "forecast.svg").getroot()
    assert svg.tag.endswith("svg")
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) >= 8

"""Results equal to the C tests' for the same seeds: the parity scenarios of Tests/c
(Tests/c/scenarios/*.txt), run through the Python binding, reproduce the engine's
reference trajectory (Tests/c/reference, `rtrl-capi-reference`) bit for bit: every
prediction, loss, gradient buffer and parameter vector of every step.

The reference comes from the `rtrl-capi-reference` program of the same build as the
library (RTRL_CAPI_REFERENCE, which `make test-python` sets, or the repository's
.build/release and .build/debug). Without it the comparison is skipped: trajectories are
bit-identical only for one build on one CPU (the engine picks its kernels by instruction
set), so no stored copy can stand in for it."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from conftest import REPO_ROOT
from scenario import Scenario

SCENARIOS = sorted((REPO_ROOT / "Tests" / "c" / "scenarios").glob("*.txt"))


def _reference_program() -> Optional[Path]:
    env = os.environ.get("RTRL_CAPI_REFERENCE")
    candidates = [Path(env)] if env else []
    candidates += [REPO_ROOT / ".build" / c / "rtrl-capi-reference" for c in ("release", "debug")]
    return next((p for p in candidates if p.is_file() and os.access(p, os.X_OK)), None)


def test_the_scenarios_exist():
    assert len(SCENARIOS) >= 5, "Tests/c/scenarios is missing or nearly empty"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_matches_the_engine_reference(path):
    got = Scenario(path.read_text()).trajectory()
    assert got.count("\n") > 100  # a real run, not an empty file
    program = _reference_program()
    if program is not None:
        want = subprocess.run([str(program), str(path)], check=True, capture_output=True,
                              text=True).stdout
        if got != want:
            diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "reference",
                                        "python", n=0, lineterm="")
            pytest.fail("trajectory differs from the reference:\n" +
                        "\n".join(line[:300] for line in list(diff)[:12]))
        return
    pytest.skip("no rtrl-capi-reference program (build it with `make test-c`, or set "
                "RTRL_CAPI_REFERENCE)")

"""The examples run and reach the result they promise (each exits 1 when it misses)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import rtrl
from conftest import PYTHON_DIR

EXAMPLES = [
    ("temporal_xor.py", []),
    ("jordan_periodic.py", []),
    ("mackey_glass.py", ["--no-plot"]),
]


@pytest.mark.parametrize("name,args", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_reaches_its_expected_result(name, args, tmp_path):
    env = dict(os.environ, RTRL_LIBRARY=rtrl.library_path,
               PYTHONPATH=str(PYTHON_DIR) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, str(PYTHON_DIR / "examples" / name), *args], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert any(l.startswith("result:") for l in lines) and any(l.startswith("expected:") for l in lines)

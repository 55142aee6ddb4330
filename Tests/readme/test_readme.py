"""README.md's quick starts, run exactly as written, and its links.

A quick start is the first fenced block after a line `<!-- readme-test: NAME -->`. Each runs
in bash (-e -u -o pipefail) at the root of the repository, as a user would paste it after
`make demo`, and must exit 0 (every block checks its own result: the C program's exit
status, the Python asserts). Needs the release build and .venv (`make test-readme`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Dict

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
MARKER = re.compile(r"^<!-- readme-test: (\S+) -->\n```\w*\n(.*?)^```", re.M | re.S)


def quick_starts() -> Dict[str, str]:
    """NAME -> the shell code of every marked block."""
    found: Dict[str, str] = {}
    for m in MARKER.finditer(README.read_text(encoding="utf-8")):
        assert m.group(1) not in found, f"two blocks are marked {m.group(1)!r}"
        found[m.group(1)] = m.group(2)
    return found


def test_the_readme_has_a_quick_start_for_c_python_and_the_stream() -> None:
    assert set(quick_starts()) == {"c", "python", "stream"}


@pytest.mark.parametrize("name", sorted(quick_starts()))
def test_quick_start_runs_as_written(name: str) -> None:
    code = quick_starts()[name]
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, f"quick start {name!r} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert p.stdout.strip(), f"quick start {name!r} printed nothing"


def test_every_relative_link_in_the_readme_exists() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    assert local, "no links found"
    missing = [link for link in local if not (REPO / link).exists()]
    assert not missing, f"README.md links to missing files: {missing}"

"""The crash test, short: 10 SIGKILLs of rtrl-stream at random moments (kill_test.py has
the checks and the full 100-kill run, `make kill-test`)."""

import subprocess
import sys
from pathlib import Path


def test_ten_kills_lose_no_completed_checkpoint():
    script = Path(__file__).with_name("kill_test.py")
    r = subprocess.run([sys.executable, str(script), "--kills", "10", "--seed", "11"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 0 failed (of " in r.stdout and "kills: 10 of running adapters" in r.stdout, r.stdout
    assert "10 of 10 restarts that ran confirmed loading every checkpoint" in r.stdout, r.stdout

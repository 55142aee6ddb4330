"""rtrl-stream as a child process of the demo: started with a config file on free loopback
ports, its stderr kept in a log file, stopped with SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import List, Optional, Sequence

REPO = Path(__file__).resolve().parents[2]

_LISTENING = re.compile(r"listening in=(?:sub|pull)(\S+) out=(?:pub|push)(\S+); (.*)$")


def find_binary() -> str:
    """$RTRL_STREAM, else the repository's release (then debug) build."""
    env = os.environ.get("RTRL_STREAM")
    if env:
        return env
    for d in (".build/release", ".build/debug"):
        p = REPO / d / "rtrl-stream"
        if p.exists():
            return str(p)
    raise SystemExit("demo: rtrl-stream not found: run `make build` (or set RTRL_STREAM)")


class StreamProcess:
    """A running ``rtrl-stream --in-pattern pull --out-pattern push --forecast``.

    The input (PULL) and output (PUSH) sockets bind free ports on 127.0.0.1; they are read
    from the program's first stderr line. The process gets its own session, so a Ctrl-C in
    the terminal reaches only the demo, which then stops the adapter with SIGTERM.
    """

    def __init__(self, config: Path, log_path: Path, extra: Sequence[str] = ()) -> None:
        self.args: List[str] = [
            find_binary(), "--config", str(config), "--forecast",
            "--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*",
            "--out-pattern", "push", "--out", "@tcp://127.0.0.1:*",
            "--stats-every", "0", *extra,
        ]
        self.log_path = log_path
        self.lines: List[str] = []
        self._log = open(log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        self._started = threading.Event()
        self._reader = threading.Thread(target=self._drain, name="rtrl-stream-stderr", daemon=True)
        self._reader.start()
        self.input_endpoint = self.output_endpoint = self.network = ""
        try:
            started = self._started.wait(timeout=15)
        except BaseException:  # Ctrl-C while it starts
            self.stop()
            raise
        if not started or not self.input_endpoint:
            self.stop()
            raise SystemExit("demo: rtrl-stream did not start:\n" + "".join(self.lines))

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            self._log.write(line)
            self._log.flush()
            m = _LISTENING.search(line)
            if m and not self._started.is_set():
                self.input_endpoint = "tcp://" + m.group(1).split(",")[0].split("tcp://", 1)[1]
                self.output_endpoint = "tcp://" + m.group(2).split(",")[0].split("tcp://", 1)[1]
                self.network = m.group(3).strip()
                self._started.set()
        self._started.set()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then wait (SIGKILL only if it does not exit within `timeout` seconds).
        Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        if not self._log.closed:
            self._log.close()
        return self.proc.returncode

    def summary(self) -> Optional[str]:
        """The summary line it printed at exit, if any."""
        for line in reversed(self.lines):
            if "summary:" in line:
                return line.strip()
        return None

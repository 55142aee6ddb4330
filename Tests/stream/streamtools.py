"""What the stream tests (Tests/stream) and the reliability tests (Tests/reliability) share:
the rtrl.stream codec, an rtrl-stream process, pyzmq clients and the offline reference.

The adapter binary: $RTRL_STREAM, else .build/release/rtrl-stream, else .build/debug/rtrl-stream.
The offline reference is `rtrl-stream replay`, which feeds recorded samples to per-topic
copies of the same template network with plain Network calls (no sockets).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import zmq

REPO = Path(__file__).resolve().parents[2]
PYTHON_BINDING = REPO / "bindings" / "python"
sys.path.insert(0, str(PYTHON_BINDING))


def _import_stream():
    """rtrl.stream needs neither librtrl nor the rest of the binding. If rtrl/__init__.py
    cannot be imported here (no librtrl built), load the subpackage on its own; the
    requirement itself is checked by test_python_client.py::test_import_without_librtrl."""
    try:
        import rtrl.stream as s  # noqa: PLC0415
        return s
    except Exception:  # noqa: BLE001
        for name in [n for n in sys.modules if n == "rtrl" or n.startswith("rtrl.")]:
            del sys.modules[name]
        pkg = types.ModuleType("rtrl")
        pkg.__path__ = [str(PYTHON_BINDING / "rtrl")]
        sys.modules["rtrl"] = pkg
        import rtrl.stream as s  # noqa: PLC0415
        return s


stream = _import_stream()
Message = Tuple[bytes, bytes]


def binary() -> str:
    env = os.environ.get("RTRL_STREAM")
    if env:
        return env
    for d in (".build/release", ".build/debug"):
        p = REPO / d / "rtrl-stream"
        if p.exists():
            return str(p)
    raise RuntimeError("rtrl-stream not found: build it (make build) or set RTRL_STREAM")


class Adapter:
    """A running rtrl-stream process; stderr goes to `log_path`. With `expect_start`, the
    constructor waits for the "listening" line and reads the bound endpoints from it."""

    def __init__(self, args: Sequence[str], log_path: Path, expect_start: bool = True) -> None:
        self.log_path = log_path
        self.args = [binary(), *args]
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self._log)
        self.input = self.output = ""
        if expect_start:
            line = self.wait_for(r"listening in=(sub|pull)(\S+) out=(pub|push)(\S+);")
            m = re.search(r"listening in=(sub|pull)(\S+) out=(pub|push)(\S+);", line)
            self.input = m.group(2).split(",")[0].lstrip("@>")
            self.output = m.group(4).split(",")[0].lstrip("@>")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log().splitlines():
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None:
                raise AssertionError(f"rtrl-stream exited ({self.proc.returncode}):\n{self.log()}")
            time.sleep(0.005)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> Tuple[int, float]:
        """Sends `sig`; returns (exit code, seconds until exit)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self._log.close()
        return rc, time.monotonic() - t0

    def kill(self) -> int:
        """SIGKILL, then wait: nothing of the process runs after this returns."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        rc = self.proc.wait(timeout=20)
        if not self._log.closed:
            self._log.close()
        return rc

    def summary(self) -> Dict[str, int]:
        """The counters of the summary line printed at exit."""
        line = next(l for l in self.log().splitlines() if "summary:" in l)
        patterns = {
            "messages": r"summary: (\d+) messages", "predictions": r"(\d+) predictions", "streams": r"(\d+) streams?\b",
            "malformed": r"malformed (\d+)", "gaps": r"gaps (\d+)", "repeats": r"repeats (\d+)",
            "refused": r"refused (\d+)", "refused updates": r"refused updates (\d+)", "unsent": r"unsent (\d+)",
            "disconnects": r"disconnects (\d+)", "checkpoints written": r"checkpoints written (\d+)",
        }
        return {k: int(re.search(p, line).group(1)) for k, p in patterns.items()}


def push_to(ctx, endpoint: str, **curve):
    """A PUSH socket connected to `endpoint`: no send limit, 2 s to deliver at close."""
    return _connected(ctx, zmq.PUSH, endpoint, linger=2000, sndhwm=0, **curve)


def pull_from(ctx, endpoint: str, **curve):
    """A PULL socket connected to `endpoint`: no receive limit."""
    return _connected(ctx, zmq.PULL, endpoint, linger=0, rcvhwm=0, **curve)


def _connected(ctx, kind: int, endpoint: str, server_key: Optional[bytes] = None,
               keypair: Optional[Tuple[bytes, bytes]] = None, **options):
    s = ctx.socket(kind)
    for name, value in options.items():
        setattr(s, name, value)
    _curve(s, server_key=server_key, keypair=keypair)
    s.connect(endpoint)
    return s


def _curve(s, server_key: Optional[bytes] = None, keypair: Optional[Tuple[bytes, bytes]] = None) -> None:
    if server_key is not None:
        public, secret = keypair if keypair else zmq.curve_keypair()
        s.curve_serverkey = server_key
        s.curve_publickey = public
        s.curve_secretkey = secret


def collect(sock, count: int, timeout: float = 20.0, metrics: Optional[list] = None) -> List[Message]:
    """Receives `count` predictions (skipping $metrics, which go to `metrics` if given)."""
    out: List[Message] = []
    deadline = time.monotonic() + timeout
    while len(out) < count:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            raise AssertionError(f"got {len(out)} of {count} predictions within {timeout} s")
        topic, payload = sock.recv_multipart()
        if topic == b"$metrics":
            if metrics is not None:
                metrics.append(json.loads(payload))
            continue
        out.append((topic, payload))
    return out


def quiet(sock, seconds: float = 0.3, metrics: Optional[list] = None) -> List[Message]:
    """Whatever predictions arrive within `seconds` ($metrics go to `metrics` if given)."""
    out: List[Message] = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            return out
        topic, payload = sock.recv_multipart()
        if topic == b"$metrics":
            if metrics is not None:
                metrics.append(json.loads(payload))
        else:
            out.append((topic, payload))


def replay(messages: Sequence[Message], args: Sequence[str], tmp: Path, name: str = "replay") -> List[Message]:
    """The offline reference: `rtrl-stream replay` of `messages` with network options `args`."""
    src, dst = tmp / f"{name}.in", tmp / f"{name}.out"
    stream.write_frames(str(src), messages)
    subprocess.run([binary(), "replay", str(src), "-o", str(dst), *args], check=True, capture_output=True)
    return stream.read_frames(str(dst))

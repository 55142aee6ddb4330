"""End-to-end tests of rtrl-stream with real pyzmq clients (issue 6, "Must show" 1-7).

The adapter binary: $RTRL_STREAM, else .build/release/rtrl-stream, else .build/debug/rtrl-stream.
The offline reference is `rtrl-stream replay`, which feeds recorded samples to per-topic
copies of the same template network with plain Network calls (no sockets).
"""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest
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
    raise RuntimeError("rtrl-stream not found: build it (swift build -c release) or set RTRL_STREAM")


class Adapter:
    """A running rtrl-stream process; stderr goes to a file."""

    def __init__(self, args: Sequence[str], tmp: Path, name: str = "adapter", expect_start: bool = True) -> None:
        self.log_path = tmp / f"{name}.log"
        self.args = [binary(), *args]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self._log)
        self.input = self.output = ""
        if expect_start:
            line = self.wait_for(r"listening in=(\w+)(\S+) out=(\w+)(\S+);")
            m = re.search(r"listening in=(sub|pull)(\S+) out=(pub|push)(\S+);", line)
            self.input = m.group(2).split(",")[0].lstrip("@>")
            self.output = m.group(4).split(",")[0].lstrip("@>")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log().splitlines():
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None:
                raise AssertionError(f"rtrl-stream exited ({self.proc.returncode}):\n{self.log()}")
            time.sleep(0.01)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> Tuple[int, float]:
        """Sends `sig`; returns (exit code, seconds until exit)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self._log.close()
        return rc, time.monotonic() - t0

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

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self._log.closed:
            self._log.close()


@pytest.fixture
def ctx():
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.fixture
def adapters(tmp_path):
    """adapters(args...) starts an rtrl-stream; all are killed at the end of the test."""
    started: List[Adapter] = []

    def start(*args: str, name: Optional[str] = None, expect_start: bool = True) -> Adapter:
        a = Adapter(list(args), tmp_path, name or f"adapter{len(started)}", expect_start)
        started.append(a)
        return a

    yield start
    for a in started:
        a.close()


PUSH_PULL = ["--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
             "--out", "@tcp://127.0.0.1:*", "--stats-every", "0"]


def push_to(ctx, endpoint: str, **curve):
    s = ctx.socket(zmq.PUSH)
    s.linger = 2000
    s.sndhwm = 0
    _curve(s, **curve)
    s.connect(endpoint)
    return s


def pull_from(ctx, endpoint: str, **curve):
    s = ctx.socket(zmq.PULL)
    s.linger = 0
    s.rcvhwm = 0
    _curve(s, **curve)
    s.connect(endpoint)
    return s


def _curve(s, server_key: Optional[bytes] = None, keypair: Optional[Tuple[bytes, bytes]] = None) -> None:
    if server_key is not None:
        public, secret = keypair if keypair else zmq.curve_keypair()
        s.curve_serverkey = server_key
        s.curve_publickey = public
        s.curve_secretkey = secret


def collect(sock, count: int, timeout: float = 10.0, metrics: Optional[list] = None) -> List[Message]:
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


def quiet(sock, seconds: float = 0.3) -> List[Message]:
    """Whatever predictions arrive within `seconds` ($metrics skipped)."""
    out = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            return out
        topic, payload = sock.recv_multipart()
        if topic != b"$metrics":
            out.append((topic, payload))


def next_metrics(sock, timeout: float = 5.0, where=lambda m: True) -> dict:
    """The next $metrics object satisfying `where` (predictions are discarded)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            raise AssertionError("no matching $metrics message")
        topic, payload = sock.recv_multipart()
        if topic == b"$metrics":
            m = json.loads(payload)
            if where(m):
                return m


def replay(messages: Sequence[Message], args: Sequence[str], tmp: Path, name: str = "replay") -> List[Message]:
    """The offline reference: `rtrl-stream replay` of `messages` with network options `args`."""
    src, dst = tmp / f"{name}.in", tmp / f"{name}.out"
    stream.write_frames(str(src), messages)
    subprocess.run([binary(), "replay", str(src), "-o", str(dst), *args], check=True, capture_output=True)
    return stream.read_frames(str(dst))


def by_topic(messages: Sequence[Message]) -> Dict[bytes, List[bytes]]:
    out: Dict[bytes, List[bytes]] = {}
    for t, p in messages:
        out.setdefault(t, []).append(p)
    return out


def series(topic_index: int, n: int, with_target: bool = True, start: int = 0) -> List[Message]:
    """A deterministic 1-input series: x = sin, target = the next x."""
    import math
    topic = f"s{topic_index}".encode()
    out = []
    for t in range(start, start + n):
        x = math.sin(0.07 * t + topic_index)
        y = [math.sin(0.07 * (t + 1) + topic_index)] if with_target else None
        out.append((topic, stream.encode_sample([x], y, seq=t)))
    return out


def send_all(sock, messages: Sequence[Message]) -> None:
    for t, p in messages:
        sock.send_multipart([t, p])


def checkpoint_next_seq(path: Path) -> Tuple[bytes, int]:
    """(topic, next expected seq) from a checkpoint file's header (docs/operations.md)."""
    b = path.read_bytes()
    assert b[:8] == b"RTRLSTRM"
    (tn,) = struct.unpack_from("<H", b, 16)
    topic = b[18:18 + tn]
    (next_seq,) = struct.unpack_from("<Q", b, 18 + tn)
    return topic, next_seq

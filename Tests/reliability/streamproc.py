"""Helpers of the reliability tests: an rtrl-stream process, pyzmq clients, the
checkpoint file format read independently of the adapter.

The adapter binary: $RTRL_STREAM, else .build/release/rtrl-stream. The library (for
loading the networks inside checkpoints): $RTRL_LIBRARY, else .build/release/librtrl.so.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import zmq

REPO = Path(__file__).resolve().parents[2]
PYTHON_BINDING = REPO / "bindings" / "python"
sys.path.insert(0, str(PYTHON_BINDING))


def _import_stream():
    """rtrl.stream (the wire codec) needs neither librtrl nor numpy: when the package
    cannot be imported (no matching librtrl), load the subpackage on its own."""
    import types
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
PUSH_PULL = ["--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
             "--out", "@tcp://127.0.0.1:*"]


def binary() -> str:
    env = os.environ.get("RTRL_STREAM")
    if env:
        return env
    p = REPO / ".build" / "release" / "rtrl-stream"
    if p.exists():
        return str(p)
    raise RuntimeError("rtrl-stream not found: build it (make build) or set RTRL_STREAM")


class Adapter:
    """A running rtrl-stream process; stderr goes to a log file."""

    def __init__(self, args: Sequence[str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen([binary(), *args], stdout=subprocess.DEVNULL, stderr=self._log)
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

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self._log.close()
        return rc

    def kill(self) -> int:
        """SIGKILL, then wait: nothing of the process runs after this returns."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        rc = self.proc.wait(timeout=20)
        self._log.close()
        return rc

    def summary(self) -> Dict[str, int]:
        line = next(l for l in self.log().splitlines() if "summary:" in l)
        out = {}
        for key, pattern in {"messages": r"summary: (\d+) messages", "predictions": r"(\d+) predictions",
                             "malformed": r"malformed (\d+)", "refused": r"refused (\d+)",
                             "refused updates": r"refused updates (\d+)"}.items():
            out[key] = int(re.search(pattern, line).group(1))
        return out


def push_to(ctx: zmq.Context, endpoint: str) -> zmq.Socket:
    s = ctx.socket(zmq.PUSH)
    s.linger = 0
    s.sndhwm = 0
    s.connect(endpoint)
    return s


def pull_from(ctx: zmq.Context, endpoint: str) -> zmq.Socket:
    s = ctx.socket(zmq.PULL)
    s.linger = 0
    s.rcvhwm = 0
    s.connect(endpoint)
    return s


def receive(sock: zmq.Socket, count: int, timeout: float = 20.0, metrics: Optional[list] = None) -> List[Message]:
    """`count` predictions ($metrics go to `metrics` when given)."""
    out: List[Message] = []
    deadline = time.monotonic() + timeout
    while len(out) < count:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            raise AssertionError(f"got {len(out)} of {count} predictions within {timeout} s")
        frames = sock.recv_multipart()
        if frames[0] == b"$metrics":
            if metrics is not None:
                metrics.append(json.loads(frames[1]))
            continue
        out.append((frames[0], frames[1]))
    return out


def drain(sock: zmq.Socket, seconds: float, metrics: Optional[list] = None) -> List[Message]:
    """Whatever predictions arrive within `seconds`."""
    out: List[Message] = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not sock.poll(int(left * 1000)):
            return out
        frames = sock.recv_multipart()
        if frames[0] == b"$metrics":
            if metrics is not None:
                metrics.append(json.loads(frames[1]))
        else:
            out.append((frames[0], frames[1]))


def replay(messages: Sequence[Message], args: Sequence[str], tmp: Path, name: str = "replay") -> List[Message]:
    """The offline reference: `rtrl-stream replay` of `messages` with network options `args`."""
    src, dst = tmp / f"{name}.in", tmp / f"{name}.out"
    stream.write_frames(str(src), messages)
    subprocess.run([binary(), "replay", str(src), "-o", str(dst), *args], check=True, capture_output=True)
    return stream.read_frames(str(dst))


# ---------------------------------------------------------------- checkpoint files

def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), table-driven."""
    c = 0xFFFFFFFF
    t = _CRC_TABLE
    for b in data:
        c = (c >> 8) ^ t[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF


def _crc_table() -> List[int]:
    out = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        out.append(c)
    return out


_CRC_TABLE = _crc_table()
NET_MAGIC = bytes([0x89, 0x52, 0x54, 0x52, 0x4C, 0x0D, 0x0A, 0x1A])


@dataclass
class Checkpoint:
    """The fields of a stream checkpoint file (version 1; StreamCheckpoint.swift)."""
    topic: bytes
    forecast: bool
    next_seq: int
    samples: int
    gaps: int
    repeats: int
    network: bytes


class CheckpointError(Exception):
    pass


def read_checkpoint(data: bytes) -> Checkpoint:
    """Parses and verifies a checkpoint file independently of the adapter: magic, version,
    lengths, the outer CRC-32C, and the inner network's magic, version, length and CRC."""
    if len(data) < 16 or data[:8] != b"RTRLSTRM":
        raise CheckpointError("bad magic or too short")
    version, flags = struct.unpack_from("<II", data, 8)
    if version != 1:
        raise CheckpointError(f"version {version}")
    (stored,) = struct.unpack_from("<I", data, len(data) - 4)
    if crc32c(data[:-4]) != stored:
        raise CheckpointError("checksum mismatch")
    (tn,) = struct.unpack_from("<H", data, 16)
    at = 18 + tn
    topic = data[18:at]
    next_seq, samples, gaps, repeats, _sse, _count, _pending, nn = struct.unpack_from("<QQQQdQBQ", data, at)
    at += struct.calcsize("<QQQQdQBQ")
    net = data[at:at + nn]
    if at + nn + 4 != len(data):
        raise CheckpointError("length fields disagree with the file size")
    if net[:8] != NET_MAGIC or struct.unpack_from("<I", net, 8)[0] != 1:
        raise CheckpointError("the network is not a version-1 rtrl network")
    (payload,) = struct.unpack_from("<Q", net, 16)
    if payload != len(net) - 28 or crc32c(net[:-4]) != struct.unpack_from("<I", net, len(net) - 4)[0]:
        raise CheckpointError("the network's length or checksum is wrong")
    return Checkpoint(topic, bool(flags & 1), next_seq, samples, gaps, repeats, net)


class Library:
    """librtrl through ctypes, for loading the networks inside checkpoints."""

    def __init__(self) -> None:
        path = os.environ.get("RTRL_LIBRARY") or str(REPO / ".build" / "release" / "librtrl.so")
        self.lib = ctypes.CDLL(path)
        self.lib.rtrl_net_load_from_buffer.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.rtrl_net_load_from_buffer.restype = ctypes.c_int
        self.lib.rtrl_net_step_count.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)]
        self.lib.rtrl_net_step_count.restype = ctypes.c_int
        self.lib.rtrl_net_free.argtypes = [ctypes.c_void_p]
        self.lib.rtrl_last_error.restype = ctypes.c_char_p

    def step_count(self, saved: bytes) -> int:
        """Loads a saved network (rtrl_net_load_from_buffer) and returns its step count."""
        h = ctypes.c_void_p()
        st = self.lib.rtrl_net_load_from_buffer(saved, len(saved), ctypes.byref(h))
        if st != 0:
            raise CheckpointError(f"rtrl_net_load_from_buffer: {st} {self.lib.rtrl_last_error().decode()}")
        n = ctypes.c_uint64()
        self.lib.rtrl_net_step_count(h, ctypes.byref(n))
        self.lib.rtrl_net_free(h)
        return n.value


def sine_sample(topic_index: int, t: int, with_target: bool = True) -> bytes:
    x = math.sin(0.07 * t + topic_index)
    y = [math.sin(0.07 * (t + 1) + topic_index)] if with_target else None
    return stream.encode_sample([x], y, seq=t)


def process_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def process_rss_parts_kib(pid: int) -> Tuple[int, int]:
    """(RssAnon, RssFile) in KiB: heap and stacks vs mapped files (code paged in)."""
    parts = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:")):
                parts[line.split(":")[0]] = int(line.split()[1])
    return parts.get("RssAnon", 0), parts.get("RssFile", 0)


def process_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))

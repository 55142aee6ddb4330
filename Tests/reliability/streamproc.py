"""Helpers of the reliability tests: the checkpoint file format read independently of the
adapter, librtrl for loading the networks inside, process figures. The rtrl-stream process,
the pyzmq clients and the offline reference come from Tests/stream/streamtools.py.

The library: $RTRL_LIBRARY, else .build/release/librtrl.so.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stream"))
import streamtools  # noqa: E402
from streamtools import REPO, Message, binary, collect, pull_from, push_to, quiet, replay, stream  # noqa: E402,F401

PUSH_PULL = ["--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
             "--out", "@tcp://127.0.0.1:*"]


class Adapter(streamtools.Adapter):
    """A running rtrl-stream process whose `stop` returns the exit code alone."""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        return super().stop(sig, timeout)[0]


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

"""End-to-end tests of rtrl-stream with real pyzmq clients (issue 6, "Must show" 1-7).

The process, the clients and the offline reference (`rtrl-stream replay`) are in
streamtools.py, shared with Tests/reliability; here: the fixtures and the helpers only these
tests use.
"""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest
import zmq

from streamtools import (PYTHON_BINDING, REPO, Adapter, Message, binary, collect, pull_from, push_to,  # noqa: F401
                         quiet, replay, stream)


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
        a = Adapter(list(args), tmp_path / f"{name or f'adapter{len(started)}'}.log", expect_start)
        started.append(a)
        return a

    yield start
    for a in started:
        a.kill()


PUSH_PULL = ["--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
             "--out", "@tcp://127.0.0.1:*", "--stats-every", "0"]


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

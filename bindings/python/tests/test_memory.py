"""Creating and dropping many networks (and builders) leaves the process RSS flat: every
handle is freed, by close(), by the context manager or by garbage collection."""

from __future__ import annotations

import gc
import os
import sys

import pytest

import rtrl

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux)")

COUNT = 20_000
LIMIT_MB = 4.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _churn(count: int) -> None:
    for i in range(count):
        kind = i % 4
        if kind == 0:
            net = rtrl.Network.fully_recurrent(2, 8, 1, seed=i)  # dropped: __del__ frees it
            net.step([0.1, 0.2], [0.3])
        elif kind == 1:
            with rtrl.Network.elman(2, 8, 1, seed=i) as net:
                net.to_bytes()
        elif kind == 2:
            net = rtrl.Network.jordan(1, 4, 1, seed=i)
            rtrl.Network.from_bytes(net.to_bytes()).close()
            net.close()
        else:
            with rtrl.Builder(1) as b:
                b.layer("h", 4).connect("input", "h").connect("h", "h", delay=1).output("h")
                b.build(seed=i).close()


def test_creating_and_dropping_20000_networks_keeps_rss_flat():
    _churn(2_000)  # warm up allocator pools and caches
    gc.collect()
    before = _rss_mb()
    _churn(COUNT)
    gc.collect()
    grown = _rss_mb() - before
    print(f"RSS {before:.1f} MB -> {before + grown:.1f} MB after {COUNT} networks", file=sys.stderr)
    assert grown < LIMIT_MB, f"RSS grew by {grown:.1f} MB over {COUNT} networks"


def test_the_check_detects_a_leak():
    # Keeping the networks alive must show up, or the test above proves nothing.
    gc.collect()
    before = _rss_mb()
    kept = [rtrl.Network.fully_recurrent(2, 16, 1) for _ in range(400)]  # ~40 kB each
    grown = _rss_mb() - before
    del kept
    assert grown > LIMIT_MB

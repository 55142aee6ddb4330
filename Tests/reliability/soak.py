#!/usr/bin/env python3
"""The soak run (issue 7, "Must show" 5): rtrl-stream under steady load for a long time.

The load, at a steady --rate of messages per second:
  - valid samples (binary, and JSON one in ten) on --topics steady topics, in seq order;
  - malformed messages of every kind the adapter counts: truncated, wrong version, wrong
    n_x, a NaN input, bad JSON, an empty topic, a topic over 255 bytes, a non-UTF-8 topic,
    messages of one and of three frames (about 10 %);
  - topic churn: a new, never seen topic name in about 10 % of the messages, so the table
    fills up to --max-streams and then every new topic is refused (counted), for the
    whole run.
Checkpoints are written every 5 s, metrics every 5 s.

Every --sample-every seconds the adapter's resident memory (VmRSS) and open file
descriptors (/proc/PID/fd) are sampled. "Start" is the first sample after --warmup
seconds (the table full, the allocator warm); the run passes when, at the end, RSS is
within --rss-tolerance-mb of the start, the fd count within 2 of it (a checkpoint write
may hold a file open at the moment of sampling), the adapter exits 0 on SIGTERM, and its
counters match what was sent (every message counted, every malformed one as malformed).

    RTRL_STREAM=.build/release/rtrl-stream python3 Tests/reliability/soak.py --seconds 1800
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List

import zmq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streamproc import (PUSH_PULL, Adapter, binary, process_fds, process_rss_kib, process_rss_parts_kib,  # noqa: E402
                        sine_sample, stream)

MALFORMED = [
    # (topic frame(s), payload or None for a one-frame message)
    ("truncated", [b"st-0", stream.encode_sample([0.5], [0.1])[:20]]),
    ("version", [b"st-1", b"\x02" + stream.encode_sample([0.5], [0.1])[1:]]),
    ("n_x", [b"st-2", stream.encode_sample([0.5, 0.25], [0.1])]),
    ("nan", [b"st-3", stream.encode_sample([float("nan")], [0.1])]),
    ("json", [b"st-4", b'{"x": [1,]}']),
    ("empty topic", [b"", stream.encode_sample([0.5])]),
    ("long topic", [b"x" * 300, stream.encode_sample([0.5])]),
    ("utf8", [b"\xff\xfe-bad", stream.encode_sample([0.5])]),
    ("one frame", [b"st-5"]),
    ("three frames", [b"st-6", stream.encode_sample([0.5]), b"extra"]),
]


class Load(threading.Thread):
    def __init__(self, ctx: zmq.Context, endpoint: str, rate: float, topics: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.sock = ctx.socket(zmq.PUSH)
        self.sock.linger = 5000
        self.sock.sndhwm = 0
        self.sock.connect(endpoint)
        self.rate, self.topics, self.seconds = rate, topics, seconds
        self.sent = self.valid = self.malformed = self.churn = 0
        self.seq = [0] * topics

    def run(self) -> None:
        t0 = time.monotonic()
        n = 0
        while True:
            now = time.monotonic() - t0
            if now >= self.seconds:
                break
            # Steady pacing: send the messages due by now, in batches of at most 50.
            due = int(now * self.rate) - n
            if due <= 0:
                time.sleep(0.002)
                continue
            for _ in range(min(due, 50)):
                r = n % 20
                if r == 7 or r == 15:
                    name, frames = MALFORMED[(n // 20) % len(MALFORMED)]
                    self.sock.send_multipart(frames)
                    self.malformed += 1
                elif r == 3 or r == 11:
                    self.sock.send_multipart([f"churn-{self.churn}".encode(), stream.encode_sample([0.5], [0.1])])
                    self.churn += 1
                else:
                    i = n % self.topics
                    t = self.seq[i]
                    if n % 10 == 1:
                        payload = stream.encode_sample_json([0.1 * (t % 7)], [0.2], seq=t)
                    else:
                        payload = sine_sample(i, t)
                    self.sock.send_multipart([f"st-{i}".encode(), payload])
                    self.seq[i] += 1
                    self.valid += 1
                n += 1
                self.sent += 1
        self.sock.close()


class Drain(threading.Thread):
    def __init__(self, ctx: zmq.Context, endpoint: str) -> None:
        super().__init__(daemon=True)
        self.sock = ctx.socket(zmq.PULL)
        self.sock.linger = 0
        self.sock.rcvhwm = 0
        self.sock.connect(endpoint)
        self.predictions = 0
        self.metrics: dict = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if not self.sock.poll(100):
                continue
            frames = self.sock.recv_multipart()
            if frames[0] == b"$metrics":
                self.metrics = json.loads(frames[1])
            else:
                self.predictions += 1
        self.sock.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=1800)
    ap.add_argument("--rate", type=float, default=2000, help="messages per second")
    ap.add_argument("--topics", type=int, default=150, help="steady topics")
    ap.add_argument("--max-streams", type=int, default=200)
    ap.add_argument("--warmup", type=float, default=None, help="seconds before the start sample (default 5 %%, 10-120 s)")
    ap.add_argument("--sample-every", type=float, default=10)
    ap.add_argument("--rss-tolerance-mb", type=float, default=4.0)
    ns = ap.parse_args()
    warmup = ns.warmup if ns.warmup is not None else min(120.0, max(10.0, ns.seconds * 0.05))
    work = Path(tempfile.mkdtemp(prefix="rtrl-soak-"))
    args = [*PUSH_PULL, "--stats-every", "5", "--checkpoint-dir", str(work / "ck"), "--checkpoint-every", "5",
            "--max-streams", str(ns.max_streams), "--hidden", "8", "--seed", "1"]
    adapter = Adapter(args, work / "adapter.log")
    ctx = zmq.Context()
    drain = Drain(ctx, adapter.output)
    drain.start()
    load = Load(ctx, adapter.input, ns.rate, ns.topics, ns.seconds)
    print(f"soak: {binary()} pid {adapter.pid}, {ns.seconds:.0f} s at {ns.rate:.0f} msg/s, {ns.topics} steady topics, "
          f"max-streams {ns.max_streams}, warm-up {warmup:.0f} s", flush=True)
    samples: List[tuple] = []
    t0 = time.monotonic()
    load.start()
    next_sample = 0.0
    while load.is_alive():
        now = time.monotonic() - t0
        if now >= next_sample:
            rss, fds = process_rss_kib(adapter.pid), process_fds(adapter.pid)
            anon, files = process_rss_parts_kib(adapter.pid)
            samples.append((now, rss, fds, load.sent))
            m = drain.metrics
            print(f"  t={now:6.0f} s  rss {rss / 1024:7.2f} MB (anon {anon / 1024:.2f}, file {files / 1024:.2f})  "
                  f"fds {fds:3d}  sent {load.sent:9d}  "
                  f"predictions {drain.predictions:9d}  streams {m.get('streams', '?')}  malformed "
                  f"{m.get('malformed', '?')}  refused {m.get('refused', '?')}", flush=True)
            next_sample += ns.sample_every
        time.sleep(0.2)
    load.join()
    time.sleep(2.0)  # the adapter catches up
    end = (time.monotonic() - t0, process_rss_kib(adapter.pid), process_fds(adapter.pid), load.sent)
    samples.append(end)
    rc = adapter.stop()
    drain.stop.set()
    drain.join()
    ctx.term()
    summary = adapter.summary() if rc == 0 else {}

    start = next((s for s in samples if s[0] >= warmup), samples[0])
    peak = max(samples, key=lambda s: s[1])
    growth_mb = (end[1] - start[1]) / 1024
    problems = []
    if rc != 0:
        problems.append(f"the adapter exited {rc}")
    if abs(growth_mb) > ns.rss_tolerance_mb:
        problems.append(f"RSS changed by {growth_mb:+.2f} MB from t={start[0]:.0f} s to the end")
    if abs(end[2] - start[2]) > 2:
        problems.append(f"open fds went from {start[2]} to {end[2]}")
    if summary:
        if summary["messages"] != load.sent:
            problems.append(f"the adapter counted {summary['messages']} messages, {load.sent} were sent")
        if summary["malformed"] != load.malformed:
            problems.append(f"malformed: counted {summary['malformed']}, sent {load.malformed}")
        refused_expected = max(0, load.churn - (ns.max_streams - ns.topics))
        if summary["refused"] != refused_expected:
            problems.append(f"refused: counted {summary['refused']}, expected {refused_expected}")
        if summary["predictions"] != load.valid + (load.churn - refused_expected):
            problems.append(f"predictions: {summary['predictions']}, expected {load.valid + load.churn - refused_expected}")
    print(f"soak: {end[0]:.0f} s; RSS {start[1] / 1024:.2f} MB at t={start[0]:.0f} s (after warm-up), "
          f"{end[1] / 1024:.2f} MB at the end ({growth_mb:+.2f} MB), peak {peak[1] / 1024:.2f} MB at t={peak[0]:.0f} s, "
          f"{samples[0][1] / 1024:.2f} MB at t=0; open fds {start[2]} -> {end[2]} (t=0: {samples[0][2]})")
    half = next((x for x in samples if x[0] >= end[0] / 2), start)
    third = next((x for x in samples if x[0] >= end[0] * 2 / 3), start)
    print(f"soak: RSS over the second half {(end[1] - half[1]) / 1024:+.2f} MB (from t={half[0]:.0f} s), over the "
          f"last third {(end[1] - third[1]) / 1024:+.2f} MB (from t={third[0]:.0f} s)")
    print(f"soak: sent {load.sent} messages ({load.valid} valid on {ns.topics} topics, {load.malformed} malformed, "
          f"{load.churn} on new topics); adapter summary: {summary}; predictions received {drain.predictions}")
    for p in problems:
        print("FAILURE:", p)
    print(f"soak: {0 if problems else 1} passed, {1 if problems else 0} failed")
    if problems:
        print(f"work dir kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

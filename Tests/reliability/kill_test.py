#!/usr/bin/env python3
"""The crash test (issue 7, "Must show" 3): SIGKILL rtrl-stream at random moments while a
publisher streams, restart it from its checkpoint directory, and check every time that

  1. every checkpoint file in the directory is complete and intact — read here
     independently of the adapter (magic, version, lengths, the file's CRC-32C, the inner
     network's CRC-32C) and loaded through the C ABI (rtrl_net_load_from_buffer);
  2. the restarted adapter loads every one of them ("restored N streams", N = the files)
     and goes on;
  3. no stream ever goes back past its last completed checkpoint. Precisely: let S_k(T)
     be the network step count in topic T's checkpoint file right after kill k (the
     process is dead, so what is on disk is exactly the last checkpoint whose rename
     completed). Then (a) S_k(T) >= S_{k-1}(T) — the files themselves never go back —
     and (b) the first prediction the next incarnation publishes for T carries
     step == S_k(T) + 1, and every later one of that incarnation a larger step: it
     continued from exactly that checkpoint, not from an older one or from scratch
     (a topic without a file must restart at step 1).

Kills land anywhere: while samples flow, during the checkpoint writes (64 topics, a
checkpoint every 50 ms, each file fsync'd: a temporary file left in the directory after a
kill shows the kill interrupted a write, and those are counted), and, about one time in
ten, within 50 ms of a start (while the checkpoints are being loaded). --kills counts the
kills of adapters that ran (each of them, once restarted, must confirm loading every
checkpoint); the early kills come on top.

    RTRL_STREAM=.build/release/rtrl-stream RTRL_LIBRARY=.build/release/librtrl.so \\
        python3 Tests/reliability/kill_test.py --kills 100

Prints the counts and "N passed, 0 failed (of N kills: ...)"; exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import zmq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streamproc import Adapter, Library, binary, read_checkpoint, sine_sample, stream  # noqa: E402


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Publisher(threading.Thread):
    """Streams samples round-robin over the topics, each topic with its own seq counting
    up from 0 for the whole test (samples sent while the adapter is down are lost, as
    they would be in production: the adapter must cope with the gaps)."""

    def __init__(self, ctx: zmq.Context, endpoint: str, topics: int) -> None:
        super().__init__(daemon=True)
        self.sock = ctx.socket(zmq.PUSH)
        self.sock.linger = 0
        self.sock.sndhwm = 2000
        self.sock.connect(endpoint)
        self.topics = topics
        self.sent = 0
        self.seq = [0] * topics
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for i in range(self.topics):
                t = self.seq[i]
                try:
                    self.sock.send_multipart([f"k{i}".encode(), sine_sample(i, t)], flags=zmq.NOBLOCK)
                except zmq.Again:
                    continue  # the adapter is down and the queue is full: drop, as a live source would
                self.seq[i] += 1
                self.sent += 1
            time.sleep(0.004)
        self.sock.close()


class Collector(threading.Thread):
    """Receives every prediction; records (generation, topic, step) for the checks."""

    def __init__(self, ctx: zmq.Context, endpoint: str) -> None:
        super().__init__(daemon=True)
        self.sock = ctx.socket(zmq.PULL)
        self.sock.linger = 0
        self.sock.connect(endpoint)
        self.generation = 0
        self.lock = threading.Lock()
        self.records: List[Tuple[int, bytes, int]] = []
        self.last_receive = time.monotonic()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if not self.sock.poll(50):
                continue
            topic, payload = self.sock.recv_multipart()
            self.last_receive = time.monotonic()
            if topic == b"$metrics":
                continue
            p = stream.decode_prediction(payload)
            with self.lock:
                self.records.append((self.generation, topic, p.step))
        self.sock.close()

    def quiet(self, seconds: float = 0.25, timeout: float = 10.0) -> None:
        """Waits until nothing has arrived for `seconds` (the killed adapter's last
        predictions are in)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() - self.last_receive < seconds and time.monotonic() < deadline:
            time.sleep(0.02)

    def take(self, generation: int) -> List[Tuple[bytes, int]]:
        with self.lock:
            return [(t, s) for g, t, s in self.records if g == generation]


def scan(ckdir: Path, lib: Library) -> Tuple[Dict[bytes, int], int, List[str]]:
    """(topic -> step count of its checkpoint, temporary files, problems) of the directory."""
    steps: Dict[bytes, int] = {}
    problems: List[str] = []
    temporaries = 0
    for name in sorted(os.listdir(ckdir)) if ckdir.exists() else []:
        path = ckdir / name
        if name.startswith(".") and ".ckpt.tmp-" in name:
            temporaries += 1
            continue
        if not name.endswith(".ckpt"):
            problems.append(f"unexpected file {name}")
            continue
        try:
            c = read_checkpoint(path.read_bytes())
            steps[c.topic] = lib.step_count(c.network)
            if c.samples != steps[c.topic]:
                problems.append(f"{name}: samples {c.samples} != network steps {steps[c.topic]}")
        except Exception as e:  # noqa: BLE001
            problems.append(f"{name}: {e}")
    return steps, temporaries, problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--topics", type=int, default=64)
    ap.add_argument("--checkpoint-every", default="0.05")
    ap.add_argument("--max-delay", type=float, default=1.2, help="seconds of running before a kill, at most")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ns = ap.parse_args()
    rng = random.Random(ns.seed)
    lib = Library()
    work = Path(tempfile.mkdtemp(prefix="rtrl-kill-test-"))
    ckdir = work / "checkpoints"
    in_port, out_port = free_port(), free_port()
    args = ["--in-pattern", "pull", "--in", f"@tcp://127.0.0.1:{in_port}", "--out-pattern", "push",
            "--out", f"@tcp://127.0.0.1:{out_port}", "--stats-every", "0", "--hidden", "8", "--seed", "5",
            "--checkpoint-dir", str(ckdir), "--checkpoint-every", ns.checkpoint_every, "--linger", "0"]
    ctx = zmq.Context()
    publisher = Publisher(ctx, f"tcp://127.0.0.1:{in_port}", ns.topics)
    collector = Collector(ctx, f"tcp://127.0.0.1:{out_port}")
    collector.start()
    publisher.start()
    print(f"kill test: {binary()}, {ns.kills} kills, {ns.topics} topics, checkpoint every {ns.checkpoint_every} s, "
          f"work dir {work}", flush=True)

    failures: List[str] = []
    failed_kills = set()  # the kills (1-based) after which a check failed

    def fail(kill: int, message: str) -> None:
        failures.append(message)
        failed_kills.add(kill)

    previous: Dict[bytes, int] = {}
    counts = dict(kills=0, early_kills=0, kills_mid_write=0, files_verified=0, restarts_verified=0,
                  continuations_checked=0)
    adapter: Optional[Adapter] = None
    generation = 0
    t_start = time.monotonic()

    def check_generation(gen: int, at_start: Dict[bytes, int]) -> None:
        # Incarnation `gen` started after kill gen - 1: its checks belong to that kill.
        """Every topic's predictions of incarnation `gen` continue its checkpoint."""
        first: Dict[bytes, int] = {}
        last: Dict[bytes, int] = {}
        for topic, step in collector.take(gen):
            if topic not in first:
                first[topic] = step
                want = at_start.get(topic, 0) + 1
                if step != want:
                    fail(gen - 1, f"incarnation {gen}: topic {topic!r} resumed at step {step}, its checkpoint "
                                  f"holds {at_start.get(topic, 0)} (expected {want})")
                counts["continuations_checked"] += 1
            elif step <= last[topic]:
                fail(gen - 1, f"incarnation {gen}: topic {topic!r} went from step {last[topic]} to {step}")
            last[topic] = step

    ran = 0  # kills of incarnations that ran (past their start): the --kills counted
    try:
        for k in range(10 * ns.kills + 1):  # k: every kill so far, early ones included
            # Start an incarnation on the directory as the previous one left it.
            at_start = scan(ckdir, lib)[0]
            generation += 1
            collector.generation = generation
            log = work / f"adapter-{generation}.log"
            early = ran < ns.kills and rng.random() < 0.1
            if early:
                # Killed within 50 ms of the start, perhaps while loading the checkpoints.
                import subprocess
                logf = open(log, "wb")
                proc = subprocess.Popen([binary(), *args], stdout=subprocess.DEVNULL, stderr=logf)
                time.sleep(rng.uniform(0.0, 0.05))
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                logf.close()
                counts["early_kills"] += 1
            else:
                adapter = Adapter(args, log)
                restored = len(at_start)
                text = adapter.log()
                if restored and f"restored {restored} stream" not in text:
                    fail(k, f"incarnation {generation}: expected 'restored {restored} streams':\n{text}")
                elif generation > 1:
                    counts["restarts_verified"] += 1
                if ran == ns.kills:
                    time.sleep(1.0)
                    rc = adapter.stop()
                    if rc != 0:
                        fail(k, f"the final incarnation exited {rc}:\n{adapter.log()}")
                    adapter = None
                    collector.quiet()
                    check_generation(generation, at_start)
                    break
                time.sleep(rng.uniform(0.0, ns.max_delay))
                adapter.kill()
                adapter = None
                ran += 1
            counts["kills"] += 1
            collector.quiet()
            check_generation(generation, at_start)
            # What the kill left on disk: the last completed checkpoints.
            now, temporaries, problems = scan(ckdir, lib)
            counts["files_verified"] += len(now)
            counts["kills_mid_write"] += 1 if temporaries else 0
            for p in problems:
                fail(k + 1, f"after kill {k + 1}: {p}")
            for topic, steps in previous.items():
                if topic not in now:
                    fail(k + 1, f"after kill {k + 1}: the checkpoint of {topic!r} disappeared")
                elif now[topic] < steps:
                    fail(k + 1, f"after kill {k + 1}: the checkpoint of {topic!r} went back from {steps} to {now[topic]}")
            previous = now
            if not early and ran % 10 == 0:
                print(f"  {ran} kills (+{counts['early_kills']} early), {len(now)} checkpoints, {counts['kills_mid_write']} mid-write so far, "
                      f"{len(failures)} failures", flush=True)
        # The final state, after a clean stop.
        final, temporaries, problems = scan(ckdir, lib)
        for p in problems:
            fail(counts["kills"], f"after the final stop: {p}")
        if temporaries:
            fail(counts["kills"], f"after the final stop: {temporaries} temporary files left")
        counts["files_verified"] += len(final)
    finally:
        if adapter is not None:
            adapter.kill()
        publisher.stop.set()
        collector.stop.set()
        publisher.join()
        collector.join()
        ctx.term()

    seconds = time.monotonic() - t_start
    with collector.lock:
        received = len(collector.records)
    print(f"kill test: {counts['kills']} kills ({ran} of running adapters, {counts['early_kills']} more within 50 ms of "
          f"a start; {counts['kills_mid_write']} left a half-written temporary file) in {seconds:.0f} s; "
          f"{counts['restarts_verified']} of {counts['kills'] - counts['early_kills']} restarts that ran confirmed "
          f"loading every checkpoint; "
          f"{counts['files_verified']} checkpoint files verified (CRC-32C and rtrl_net_load_from_buffer); "
          f"{counts['continuations_checked']} stream continuations checked (step == checkpoint + 1); "
          f"{publisher.sent} samples sent, {received} predictions received; {len(final)} streams at the end")
    for f in failures[:20]:
        print("FAILURE:", f)
    if failures or ns.keep:
        print(f"work dir kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    bad = len({k for k in failed_kills if k >= 1} | ({1} if any(k < 1 for k in failed_kills) else set()))
    print(f"kill test: {counts['kills'] - bad} passed, {bad} failed (of {counts['kills']} kills: {ran} of running "
          f"adapters, {counts['early_kills']} early)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

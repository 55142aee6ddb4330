#!/usr/bin/env python3
"""make bench-stream: rtrl-stream end to end over TCP loopback (not a timed test).

Measures, with the release build of rtrl-stream (elman 1-8-1, the defaults otherwise) and
a C load generator (loadgen.c, plain libzmq, so the client is not the bottleneck):

  1. messages/s, PUSH -> adapter (PULL in, PUSH out) -> PULL, 1 topic
  2. the same with 1,000 topics (round-robin)
  3. p50/p99 latency from publish to prediction at 10,000 messages/s, 1 topic
  4. for context: raw ZeroMQ PUSH -> PULL over TCP loopback with the same frames, no adapter

Also reports the adapter's CPU time per message (user + system, from wait4), which does
not depend on how busy the machine is. The goal (issue 6) is >= 500,000 messages/s with 1
topic; the figures are printed either way.

Options: --binary PATH (default .build/release/rtrl-stream), --messages N (default 1,000,000),
--repeats N (default 3; the best run is reported), --json (one JSON object on stdout).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def build_loadgen(out_dir: Path) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        sys.exit("bench-stream: no C compiler")
    exe = out_dir / "loadgen"
    subprocess.run([cc, "-O2", "-o", str(exe), str(HERE / "loadgen.c"), "-lzmq", "-lpthread", "-lm"], check=True)
    return exe


def start_adapter(binary: str, log: Path, extra=()):
    f = open(log, "wb")
    p = subprocess.Popen([binary, "--in-pattern", "pull", "--in", "@tcp://127.0.0.1:*", "--out-pattern", "push",
                          "--out", "@tcp://127.0.0.1:*", "--stats-every", "0", "--hwm", "100000", *extra],
                         stdout=subprocess.DEVNULL, stderr=f)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = re.search(r"listening in=pull@(\S+) out=push@(\S+);", log.read_text())
        if m:
            return p, f, m.group(1), m.group(2)
        if p.poll() is not None:
            break
        time.sleep(0.02)
    sys.exit(f"bench-stream: rtrl-stream did not start:\n{log.read_text()}")


def run_once(binary: str, loadgen: Path, tmp: Path, mode: str, messages: int, arg: str):
    p, f, ep_in, ep_out = start_adapter(binary, tmp / "adapter.log")
    try:
        r = subprocess.run([str(loadgen), mode, ep_in, ep_out, str(messages), arg],
                           capture_output=True, text=True, timeout=600)
    finally:
        p.send_signal(signal.SIGTERM)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        f.close()
    if r.returncode != 0:
        sys.exit(f"bench-stream: loadgen failed: {r.stderr}\n{(tmp / 'adapter.log').read_text()}")
    result = json.loads(r.stdout)
    result["adapter_cpu_us_per_message"] = round((usage.ru_utime + usage.ru_stime) / messages * 1e6, 3)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("RTRL_STREAM", str(REPO / ".build" / "release" / "rtrl-stream")))
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ns = ap.parse_args()
    if not Path(ns.binary).exists():
        sys.exit(f"bench-stream: {ns.binary} not found (swift build -c release)")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        loadgen = build_loadgen(tmp)
        best = lambda runs, key: max(runs, key=lambda r: r[key])  # noqa: E731
        one = best([run_once(ns.binary, loadgen, tmp, "throughput", ns.messages, "1") for _ in range(ns.repeats)],
                   "messages_per_second")
        many = best([run_once(ns.binary, loadgen, tmp, "throughput", ns.messages, "1000") for _ in range(ns.repeats)],
                    "messages_per_second")
        lat_runs = [run_once(ns.binary, loadgen, tmp, "latency", 100_000, "10000") for _ in range(ns.repeats)]
        lat = min(lat_runs, key=lambda r: r["p99_us"])
        raw_runs = []
        for _ in range(ns.repeats):
            r = subprocess.run([str(loadgen), "raw", str(ns.messages)], capture_output=True, text=True, check=True)
            raw_runs.append(json.loads(r.stdout))
        raw = best(raw_runs, "messages_per_second")
    report = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg(),
                    "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
        "one_topic": one, "thousand_topics": many, "latency_10k_per_s": lat, "raw_zeromq": raw,
        "goal_messages_per_second": 500_000, "goal_met": one["messages_per_second"] >= 500_000,
    }
    if ns.json:
        print(json.dumps(report))
        return 0
    print(f"rtrl-stream end to end, elman 1-8-1, TCP loopback PUSH/PULL ({os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; best of {ns.repeats}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')})")
    print(f"  1 topic:      {one['messages_per_second']:>10,.0f} messages/s  "
          f"(adapter CPU {one['adapter_cpu_us_per_message']:.2f} us/message)")
    print(f"  1,000 topics: {many['messages_per_second']:>10,.0f} messages/s  "
          f"(adapter CPU {many['adapter_cpu_us_per_message']:.2f} us/message)")
    print(f"  latency at {lat['rate']:,.0f} messages/s: p50 {lat['p50_us']:.0f} us, p99 {lat['p99_us']:.0f} us, "
          f"max {lat['max_us']:.0f} us")
    print(f"  raw ZeroMQ PUSH->PULL, same frames, no adapter: {raw['messages_per_second']:,.0f} messages/s")
    verdict = "met" if report["goal_met"] else "NOT met"
    print(f"  goal >= 500,000 messages/s with 1 topic: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""make demo — two live series stream over ZeroMQ into rtrl-stream, which learns each one
online with exact RTRL and streams back one-step-ahead forecasts.

    .venv/bin/python examples/demo/demo.py        # what `make demo` runs (about 45 s)

A publisher thread sends two series in real time over TCP loopback, one topic each:
Mackey-Glass (tau = 17, chaotic) and two noisy sines. rtrl-stream, in forecast mode,
gives every topic its own network (a copy of the template in stream-config.json); for
each sample x(t) it first learns from x(t) as the target of its previous forecast, then
publishes its forecast of x(t+1). The demo scores every forecast against the value that
follows it — next to the persistence forecast x(t+1) = x(t) — prints a live line per
stream, and ends with a summary table and demo-output/forecast.svg.

Every forecast is made before the network has seen the value it forecasts (prequential
evaluation). The series are seeded and the adapter handles every sample in order
(PUSH/PULL sockets drop nothing), so the forecasts — and the NRMSE figures — are the same
on every run; only messages/s and latencies depend on the machine.

Exit status: 0 when the model's NRMSE is below persistence's on both series over the last
2,000 steps (or after a clean stop on Ctrl-C), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
try:
    import rtrl.stream  # noqa: F401
except ImportError:  # not installed: use the binding in the tree
    sys.path.insert(0, str(REPO / "bindings" / "python"))
from rtrl.stream import Publisher, Subscriber  # noqa: E402

from forecast_figure import write_png, write_svg  # noqa: E402
from forecast_tracker import ForecastTracker  # noqa: E402
from series import demo_series  # noqa: E402
from stream_process import StreamProcess  # noqa: E402

#: The window of the live NRMSE, and the final window of the summary.
LIVE_WINDOW = 500
FINAL_WINDOW = 2000


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", type=Path, default=HERE / "stream-config.json",
                   help="rtrl-stream settings for every stream's network [examples/demo/stream-config.json]")
    p.add_argument("--seconds", type=float, default=40.0, help="how long to stream [40]")
    p.add_argument("--rate", type=float, default=250.0, help="samples per second per stream [250]")
    p.add_argument("--output-dir", type=Path, default=Path("demo-output"), help="where the picture goes [demo-output]")
    return p.parse_args(argv)


def publish(endpoint: str, trackers: Sequence[ForecastTracker], rate: float, stop: threading.Event,
            failure: List[BaseException]) -> None:
    """Sends sample i of every stream at start + i / rate (the publisher's own thread and socket)."""
    try:
        with Publisher(">" + endpoint, pattern="push") as pub:
            pub.socket.linger = 1000
            start = time.perf_counter()
            for i in range(trackers[0].count):
                delay = start + i / rate - time.perf_counter()
                if delay > 0 and stop.wait(delay):
                    return
                if stop.is_set():
                    return
                for t in trackers:
                    t.note_sent(i, time.perf_counter())
                    pub.send(t.series.topic, [float(t.values[i])], seq=i)
    except BaseException as e:  # noqa: BLE001 - reported by the main thread
        failure.append(e)


class Progress:
    """One live line per stream: rewritten in place on a terminal, printed every few
    seconds otherwise (a log, a pipe)."""

    def __init__(self, trackers: Sequence[ForecastTracker], seconds: float) -> None:
        self.trackers = trackers
        self.seconds = seconds
        self.tty = sys.stdout.isatty()
        self.every = 0.25 if self.tty else 5.0
        self.next = 0.0
        self.drawn = 0

    def lines(self, elapsed: float) -> List[str]:
        def f(v: float) -> str:
            return f"{v:7.4f}" if math.isfinite(v) else "      -"
        out = [f"  {elapsed:5.1f} s of {self.seconds:.0f} s   NRMSE over the last {LIVE_WINDOW} forecasts:"]
        for t in self.trackers:
            out.append(f"  {t.series.topic:<13} samples {t.received:6d}   {t.messages_per_second(time.perf_counter()):4.0f} msg/s"
                       f"   rtrl {f(t.nrmse('model', LIVE_WINDOW))}   persistence {f(t.nrmse('persistence', LIVE_WINDOW))}")
        return out

    def update(self, elapsed: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self.next:
            return
        self.next = now + self.every
        lines = self.lines(elapsed)
        if self.tty and self.drawn:
            sys.stdout.write(f"\033[{self.drawn}F")
        sys.stdout.write("".join(line + ("\033[K\n" if self.tty else "\n") for line in lines))
        sys.stdout.flush()
        self.drawn = len(lines) if self.tty else 0


def summary_table(trackers: Sequence[ForecastTracker]) -> List[str]:
    head = ["stream", "samples", "msg/s", "NRMSE run", f"NRMSE last {FINAL_WINDOW}",
            f"persistence last {FINAL_WINDOW}", "rtrl/persistence", "noise floor", "latency p50/p99 ms"]
    rows = [head]
    for t in trackers:
        p50, p99 = t.latency_percentiles([50, 99])
        model, pers = t.nrmse("model", FINAL_WINDOW), t.nrmse("persistence", FINAL_WINDOW)
        rows.append([t.series.topic, str(t.received), f"{t.messages_per_second():.0f}", f"{t.nrmse('model'):.4f}",
                     f"{model:.4f}", f"{pers:.4f}", f"{model / pers:.3f}" if pers > 0 else "-",
                     f"{t.series.noise_floor:.3f}" if t.series.noise_floor else "0", f"{p50 * 1e3:.2f} / {p99 * 1e3:.2f}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    fmt = lambda r: "  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return [fmt(rows[0]), "  " + "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows[1:]]


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    count = max(int(round(args.seconds * args.rate)), 2)
    out_dir = args.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    series = demo_series(count + 1)
    trackers = [ForecastTracker(s, count) for s in series.values()]
    by_topic: Dict[str, ForecastTracker] = {t.series.topic: t for t in trackers}

    # SIGTERM ends the demo like Ctrl-C: the adapter is stopped, the picture written.
    def _terminate(signum, frame):  # noqa: ANN001
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _terminate)

    print("rtrl demo: two live series over ZeroMQ into rtrl-stream, learned online with exact RTRL")
    try:
        adapter = StreamProcess(args.config, out_dir / "rtrl-stream.log")
    except KeyboardInterrupt:
        print("interrupted while rtrl-stream was starting (stopped)")
        return 0
    stop = threading.Event()
    failure: List[BaseException] = []
    publisher = threading.Thread(target=publish, name="publisher", daemon=True,
                                 args=(adapter.input_endpoint, trackers, args.rate, stop, failure))
    progress = Progress(trackers, args.seconds)
    interrupted = False
    problem = ""
    start = time.monotonic()
    try:
        print(f"  network   {adapter.network}   (settings: {args.config})")
        print(f"  sockets   samples -> push {adapter.input_endpoint} -> rtrl-stream -> push {adapter.output_endpoint} -> forecasts")
        for t in trackers:
            print(f"  {t.series.topic:<13} {t.series.title}: {count} samples at {args.rate:g}/s")
        print()
        with Subscriber(">" + adapter.output_endpoint, pattern="pull") as sub:
            publisher.start()
            deadline = start + args.seconds + 20.0
            while not all(t.done for t in trackers):
                m = sub.recv(timeout=0.05)
                if m is not None:
                    topic, prediction = m
                    tracker = by_topic.get(topic)
                    if tracker is not None:
                        tracker.note_prediction(prediction.seq, prediction.y[0])
                progress.update(time.monotonic() - start)
                if failure:
                    problem = f"the publisher failed: {failure[0]!r}"
                    break
                if not adapter.alive():
                    problem = f"rtrl-stream exited early (status {adapter.proc.returncode})"
                    break
                if time.monotonic() > deadline:
                    problem = "timed out waiting for forecasts"
                    break
            progress.update(time.monotonic() - start, force=True)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop.set()
        if publisher.is_alive():
            publisher.join(timeout=5)
        status = adapter.stop()
    wall = time.monotonic() - start

    print()
    if interrupted:
        print(f"interrupted after {wall:.1f} s; rtrl-stream stopped (exit status {status})")
    print(f"summary: {adapter.network}; NRMSE = RMSE / standard deviation of the series;"
          f" every forecast made before its value was sent")
    for line in summary_table(trackers):
        print(line)
    line = adapter.summary()
    print(line if line else "rtrl-stream printed no summary")
    print(f"rtrl-stream exit status {status}, {wall:.1f} s of streaming")

    shown = [t for t in trackers if t.received > 1]
    if shown:
        title = "rtrl-stream: one-step forecasts of two live series, learned online with exact RTRL"
        subtitle = (f"{adapter.network}; every forecast made before the value arrived; "
                    f"NRMSE = RMSE / std of the series")
        svg = out_dir / "forecast.svg"
        write_svg(svg, shown, title, subtitle)
        png = write_png(out_dir / "forecast.png", shown, title)
        print(f"picture: {svg}" + (f" and {png}" if png else ""))
    write_summary_json(out_dir / "summary.json", trackers, adapter, status, wall, interrupted)

    if interrupted:
        return 0 if status == 0 else 1
    if problem:
        print(f"demo: FAILED: {problem}")
        return 1
    if status != 0:
        print(f"demo: FAILED: rtrl-stream exited with status {status}")
        return 1
    misses = [t.series.topic for t in trackers
              if not t.nrmse("model", FINAL_WINDOW) < t.nrmse("persistence", FINAL_WINDOW)]
    if misses:
        print(f"demo: FAILED: the model is not below persistence on {', '.join(misses)}")
        return 1
    print(f"demo: OK: the model's NRMSE is below persistence's on both series (last {FINAL_WINDOW} forecasts)")
    return 0


def write_summary_json(path: Path, trackers: Sequence[ForecastTracker], adapter: StreamProcess, status: int,
                       wall: float, interrupted: bool) -> None:
    """The figures of the summary, for scripts and tests."""
    def finite(v: float) -> Optional[float]:
        return v if math.isfinite(v) else None
    doc = {
        "network": adapter.network, "rtrl_stream_status": status, "seconds": wall, "interrupted": interrupted,
        "rtrl_stream_summary": adapter.summary(),
        "streams": {t.series.topic: {
            "samples": t.received, "messages_per_second": t.messages_per_second(),
            "nrmse_run": finite(t.nrmse("model")),
            "nrmse_last": finite(t.nrmse("model", FINAL_WINDOW)),
            "persistence_last": finite(t.nrmse("persistence", FINAL_WINDOW)),
            "last_window": FINAL_WINDOW, "noise_floor": t.series.noise_floor,
        } for t in trackers},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

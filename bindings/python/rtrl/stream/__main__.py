"""python -m rtrl.stream publish|subscribe — send real data to rtrl-stream, print its predictions.

  python -m rtrl.stream publish --csv data.csv --endpoint tcp://127.0.0.1:5555 --pattern push --rate 100
  python -m rtrl.stream subscribe --endpoint tcp://127.0.0.1:5556

publish: each CSV row is one sample; the first --inputs columns are x(t), the rest the
target (an empty cell or "nan" means no target for that unit; no extra columns, no target).
A first row that is not numeric is taken as a header and skipped.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from typing import List, Optional, Sequence

from . import METRICS_TOPIC, Publisher, Subscriber, read_key_file


def _number(cell: str) -> float:
    cell = cell.strip()
    return math.nan if cell == "" else float(cell)


def _rows(path: str) -> List[List[float]]:
    rows: List[List[float]] = []
    with open(path, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            if not row or all(not c.strip() for c in row):
                continue
            try:
                rows.append([_number(c) for c in row])
            except ValueError:
                if i == 0 and not rows:
                    continue  # header
                raise SystemExit(f"{path}:{i + 1}: not a number in {row!r}")
    return rows


def _curve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--curve-server-key", metavar="FILE",
                   help="the adapter's public key file: connect with CURVE")
    p.add_argument("--curve-key", metavar="FILE",
                   help="this client's secret key file (from rtrl-stream keygen); default: a fresh key pair")


def _curve(ns: argparse.Namespace):
    server = read_key_file(ns.curve_server_key)[0] if ns.curve_server_key else None
    pair = None
    if ns.curve_key:
        public, secret = read_key_file(ns.curve_key)
        if secret is None:
            raise SystemExit(f"{ns.curve_key}: no secret-key")
        pair = (public, secret)
    return server, pair


def publish(ns: argparse.Namespace) -> int:
    rows = _rows(ns.csv)
    server, pair = _curve(ns)
    n_in = ns.inputs
    period = 1.0 / ns.rate if ns.rate else 0.0
    with Publisher(ns.endpoint, pattern=ns.pattern, curve_server_key=server, curve_keypair=pair) as pub:
        if ns.pattern == "pub":
            time.sleep(ns.connect_wait)  # let subscribers connect (PUB drops until they do)
        start = time.perf_counter()
        for i, row in enumerate(rows):
            k = len(row) if n_in is None else n_in
            x, y = row[:k], row[k:]
            if ns.json:
                pub.send_json(ns.topic, x, y or None, seq=i)
            else:
                pub.send(ns.topic, x, y or None, seq=i, float32=ns.float32)
            if period:
                delay = start + (i + 1) * period - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
    print(f"published {len(rows)} samples on {ns.topic!r}", file=sys.stderr)
    return 0


def subscribe(ns: argparse.Namespace) -> int:
    server, pair = _curve(ns)
    count = 0
    with Subscriber(ns.endpoint, pattern=ns.pattern, topics=ns.topic or [""],
                    curve_server_key=server, curve_keypair=pair) as sub:
        try:
            while ns.count is None or count < ns.count:
                m = sub.recv(timeout=ns.timeout)
                if m is None:
                    break
                topic, value = m
                if topic == METRICS_TOPIC:
                    print(f"{topic} {value}", flush=True)
                    continue
                y = " ".join(repr(v) for v in value.y)
                print(f"{topic} seq={value.seq} step={value.step} loss={value.loss!r} y={y}", flush=True)
                count += 1
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rtrl.stream", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    pp = sub.add_parser("publish", help="send the rows of a CSV file as samples")
    pp.add_argument("--csv", required=True, metavar="FILE", help="the CSV file, one sample per row")
    pp.add_argument("--endpoint", required=True, help="the adapter's input (@ binds, > connects)")
    pp.add_argument("--pattern", choices=("push", "pub"), default="push",
                    help="push (adapter --in-pattern pull; connects) or pub (adapter SUB; binds) [push]")
    pp.add_argument("--topic", default="csv", help="the stream's topic [csv]")
    pp.add_argument("--inputs", type=int, metavar="N", help="x is the first N columns, the target the rest [all columns]")
    pp.add_argument("--rate", type=float, metavar="HZ", help="samples per second [as fast as possible]")
    pp.add_argument("--json", action="store_true", help="send JSON payloads instead of binary")
    pp.add_argument("--float32", action="store_true", help="send float32 values")
    pp.add_argument("--connect-wait", type=float, default=0.5, metavar="S",
                    help="with --pattern pub: seconds to wait for the adapter to connect [0.5]")
    _curve_args(pp)
    pp.set_defaults(func=publish)

    ps = sub.add_parser("subscribe", help="print the adapter's predictions")
    ps.add_argument("--endpoint", required=True, help="the adapter's output (@ binds, > connects)")
    ps.add_argument("--pattern", choices=("sub", "pull"), default="sub", help="sub (adapter PUB) or pull (adapter PUSH) [sub]")
    ps.add_argument("--topic", action="append", help="topic prefix to subscribe to (repeatable) [all]")
    ps.add_argument("--count", type=int, help="exit after this many predictions")
    ps.add_argument("--timeout", type=float, help="exit after this many seconds without a message")
    _curve_args(ps)
    ps.set_defaults(func=subscribe)

    ns = p.parse_args(argv)
    return ns.func(ns)


if __name__ == "__main__":
    sys.exit(main())

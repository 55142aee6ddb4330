"""Per-step overhead of the Python binding: microseconds per ``net.step`` on
fully_recurrent(1, 8, 1), against the same loop in C through librtrl (step_c.c, compiled
here with cc against the very library the binding loaded).

    RTRL_LIBRARY=.build/release/librtrl.so python bindings/python/benchmarks/bench_step.py

Every figure is CPU time (not wall time, so that other processes waiting for the same
cores count less), the best of several repeats. Inputs: x(t) = sin(0.1 t), target = sin(0.1 (t + 1)), default SGD.
"""

from __future__ import annotations

import argparse
import ctypes
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Optional

import numpy as np

import rtrl
from rtrl import _library
from rtrl.network import _step

HERE = Path(__file__).resolve().parent
HEADER_DIR = HERE.parent.parent.parent / "include"


def _best(run: Callable[[rtrl.Network], None], steps: int, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        with rtrl.Network.fully_recurrent(1, 8, 1, seed=0) as net:
            t0 = time.process_time()
            run(net)
            best = min(best, (time.process_time() - t0) / steps * 1e6)
    return best


def python_figures(steps: int, repeats: int) -> Dict[str, float]:
    t = np.arange(steps, dtype=np.float64)
    X = np.sin(0.1 * t).reshape(-1, 1)
    Y = np.sin(0.1 * (t + 1)).reshape(-1, 1)
    xs, ys = X[:, 0].tolist(), Y[:, 0].tolist()
    rows_x, rows_y = list(X), list(Y)  # 1-element float64 arrays, as a user would hold them
    lists_x, lists_y = [[v] for v in xs], [[v] for v in ys]
    lib = _library.library()
    dp = ctypes.POINTER(ctypes.c_double)

    def ndarray(net):
        for x, y in zip(rows_x, rows_y):
            net.step(x, y)

    def no_target(net):
        for x in rows_x:
            net.step(x)

    def floats(net):
        for x, y in zip(xs, ys):
            net.step(x, y)

    def lists(net):
        for x, y in zip(lists_x, lists_y):
            net.step(x, y)

    def feed_learn(net):
        for x, y in zip(rows_x, rows_y):
            net.feed(x)
            net.learn(y)

    def run(net):
        net.run(X, Y)

    def naive(net):
        # What a straightforward ctypes binding does: the typed function (argtypes
        # conversion on every call), numpy pointers via .ctypes, a fresh output array.
        h = net._h
        for x, y in zip(rows_x, rows_y):
            out = np.empty(1)
            loss = ctypes.c_double()
            st = lib.rtrl_net_step(h, x.ctypes.data_as(dp), 1, y.ctypes.data_as(dp), 1,
                                   out.ctypes.data_as(dp), ctypes.byref(loss))
            if st:
                raise RuntimeError(st)

    def floor(net):
        # The raw call alone, with the binding's preallocated arguments: the least any
        # ctypes binding can spend.
        args = net._args_step
        for _ in range(steps):
            _step(*args)

    cases = [
        ("net.step(x, target), numpy rows", ndarray),
        ("net.step(x), no target", no_target),
        ("net.step(float, float)", floats),
        ("net.step([x], [target])", lists),
        ("net.feed(x); net.learn(target)", feed_learn),
        ("net.run(X, Y), per step", run),
        ("naive ctypes call (typed, .ctypes)", naive),
        ("ctypes floor (raw call only)", floor),
    ]
    return {name: _best(fn, steps, repeats) for name, fn in cases}


def c_figures(steps: int, repeats: int) -> Optional[Dict[str, float]]:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None or not (HEADER_DIR / "rtrl.h").is_file():
        return None
    lib = Path(rtrl.library_path).resolve()
    with tempfile.TemporaryDirectory() as d:
        # The library's SONAME is librtrl.so.0: give the loader that name next to the program.
        os.symlink(lib, Path(d) / "librtrl.so.0")
        os.symlink(lib, Path(d) / "librtrl.so")
        exe = Path(d) / "step_c"
        subprocess.run([cc, "-O2", "-I", str(HEADER_DIR), str(HERE / "step_c.c"), "-L", d, "-lrtrl",
                        f"-Wl,-rpath,{d}", "-lm", "-o", str(exe)], check=True)
        out = subprocess.run([str(exe), str(steps), str(repeats)], check=True, capture_output=True,
                             text=True).stdout
    figures = {}
    for line in out.splitlines():
        if line.startswith("C step"):
            name, value = line.split(":")
            figures[name.strip()] = float(value.split()[0])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"rtrl {rtrl.__version__} ({rtrl.library_path}), Python {sys.version.split()[0]}, "
          f"numpy {np.__version__}; fully_recurrent(1, 8, 1), {args.steps} steps, best of {args.repeats}")
    c = c_figures(args.steps, args.repeats)
    if c:
        for name, value in c.items():
            print(f"  {name:38s} {value:7.3f} us")
    else:
        print("  (no C compiler: C figures skipped)")
        c = {}
    for name, value in python_figures(args.steps, args.repeats).items():
        base = c.get("C step without target" if "no target" in name else "C step with target")
        extra = f"  (+{value - base:.3f} us over C)" if base is not None else ""
        print(f"  {name:38s} {value:7.3f} us{extra}")


if __name__ == "__main__":
    main()

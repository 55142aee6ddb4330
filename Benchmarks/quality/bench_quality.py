"""Prequential learning-quality benchmark: rtrl's online learners against the online
predictors people already use, on the same seeded streams.

    python Benchmarks/quality/bench_quality.py [--quick] [--tasks mg,narma,xor]
        [--sizes 16,32] [--markdown FILE] [--json FILE]

(`make bench-quality` runs it on the release library.) The method, word for word, is in
docs/quality.md; in short:

* Streams (10,000 steps, fixed seeds, rtrl.datasets): Mackey-Glass tau = 17, predict
  s(t+1) from s(t); NARMA10, predict y(t+1) from u(t); Elman's temporal XOR, predict the
  XOR bit (a target every third step).
* Prequential protocol: at every step each predictor predicts first, then learns from
  the target. Nothing is trained beforehand.
* Scaling and hyper-parameters use the first 2,000 steps only: inputs and targets are
  standardised with the mean and standard deviation of those steps (a fixed affine map,
  undone before scoring); every method has a small grid, each grid point runs on steps
  0..1,999, and the point with the lowest selection score (NRMSE over steps
  1,000..1,999) is kept and continues, unchanged, to step 9,999.
* Score: NRMSE over the last 2,000 steps (8,000..9,999), counting the steps that have a
  target: sqrt(mean (yhat - y)^2) / std(y), std the population standard deviation of
  the targets in that window, in the series' own units. steps/s is the whole
  10,000-step run (predict + learn, through the Python binding; baselines in numpy).

Predictors: persistence (the last target seen), the running mean of the targets seen,
online RLS on a linear AR/FIR regressor (the last L inputs and 1; lag L and forgetting
factor chosen on the first 2,000 steps), an echo state network built with rtrl (fixed
random reservoir, spectral radius and input scale from a grid, RLS readout), and rtrl
Elman networks with sgd, adam, ekf, dekf and the rls readout (adam for the rest) at 16
and 32 hidden units. If the `reservoirpy` package is importable, its ESN with an online
RLS readout is added (optional; never a dependency; that path is untested here, where
reservoirpy is not installed).

--hindsight runs every grid point to the end and adds the grid's best final NRMSE to
each row: known only after the fact, so not a result of the protocol, but it shows what
the selection on 2,000 steps costs.

Deterministic: the same arguments give the same NRMSE figures on the same library build.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

import rtrl

STEPS = 10_000
SELECT_STEPS = 2_000
SELECT_FROM = 1_000  # the selection score covers steps SELECT_FROM..SELECT_STEPS-1
WINDOW = 2_000

# ----------------------------------------------------------------------------- tasks


@dataclass
class Task:
    """A stream: X[t] the input of step t, Y[t] its target (NaN = no target)."""

    key: str
    title: str
    X: np.ndarray  # (T, 1)
    Y: np.ndarray  # (T, 1)
    x_shift: float = 0.0
    x_scale: float = 1.0
    y_shift: float = 0.0
    y_scale: float = 1.0

    def __post_init__(self) -> None:
        head_x = self.X[:SELECT_STEPS, 0]
        head_y = self.Y[:SELECT_STEPS, 0]
        head_y = head_y[~np.isnan(head_y)]
        self.x_shift, self.x_scale = float(head_x.mean()), float(head_x.std())
        self.y_shift, self.y_scale = float(head_y.mean()), float(head_y.std())

    @property
    def Xs(self) -> np.ndarray:
        """Standardised inputs (statistics of the first 2,000 steps)."""
        return (self.X - self.x_shift) / self.x_scale

    @property
    def Ys(self) -> np.ndarray:
        """Standardised targets (NaN stays NaN)."""
        return (self.Y - self.y_shift) / self.y_scale

    def unscale(self, pred_s: np.ndarray) -> np.ndarray:
        return pred_s * self.y_scale + self.y_shift


def make_tasks(keys: Sequence[str], steps: int) -> List[Task]:
    tasks = []
    for key in keys:
        if key == "mg":
            X, Y = rtrl.datasets.mackey_glass(steps, horizon=1, washout=1000)
            tasks.append(Task(key, "Mackey-Glass tau=17, one step ahead", X, Y))
        elif key == "narma":
            X, Y = rtrl.datasets.narma10(steps, seed=0)
            tasks.append(Task(key, "NARMA10, u(t) -> y(t+1)", X, Y))
        elif key == "xor":
            X, Y = rtrl.datasets.temporal_xor(steps, seed=0)
            tasks.append(Task(key, "temporal XOR (target every 3rd step)", X, Y))
        else:
            raise SystemExit(f"unknown task {key!r} (mg, narma, xor)")
    return tasks


# ----------------------------------------------------------------------------- scoring


def nrmse(pred: np.ndarray, target: np.ndarray, lo: int, hi: int) -> float:
    """sqrt(mean (pred - y)^2) / std(y) over steps lo..hi-1 that have a target; inf if a
    prediction there is not finite."""
    p, y = pred[lo:hi], target[lo:hi]
    has = ~np.isnan(y)
    p, y = p[has], y[has]
    if len(y) == 0:
        return math.nan
    if not np.all(np.isfinite(p)):
        return math.inf
    sd = y.std()
    return float(np.sqrt(np.mean((p - y) ** 2)) / sd) if sd > 0 else math.nan


def accuracy(pred: np.ndarray, target: np.ndarray, lo: int, hi: int) -> float:
    """Fraction of the 0/1 targets in lo..hi-1 on the right side of 0.5."""
    p, y = pred[lo:hi], target[lo:hi]
    has = ~np.isnan(y)
    if not has.any():
        return math.nan
    return float(np.mean((p[has] > 0.5) == (y[has] > 0.5)))


# ----------------------------------------------------------------------------- learners


class Learner:
    """A prequential predictor that can be advanced in segments: run(X, Y) predicts each
    row before learning from it and returns the predictions (standardised units)."""

    refused = 0

    def run(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        pass


class Persistence(Learner):
    """yhat(t) = the most recent target seen before step t (0 before any)."""

    def __init__(self) -> None:
        self.last = 0.0

    def run(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        out = np.empty(len(X))
        for t in range(len(X)):
            out[t] = self.last
            if not math.isnan(Y[t, 0]):
                self.last = Y[t, 0]
        return out


class RunningMean(Learner):
    """yhat(t) = the mean of the targets seen before step t (0 before any)."""

    def __init__(self) -> None:
        self.total, self.count = 0.0, 0

    def run(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        out = np.empty(len(X))
        for t in range(len(X)):
            out[t] = self.total / self.count if self.count else 0.0
            if not math.isnan(Y[t, 0]):
                self.total += Y[t, 0]
                self.count += 1
        return out


class LinearRLS(Learner):
    """Online recursive least squares on phi(t) = (x(t), x(t-1), ..., x(t-L+1), 1), with
    x = 0 before the stream starts, forgetting factor lam, P(0) = I / delta:

        yhat = w . phi;  pi = P phi;  k = pi / (lam + phi . pi);  w += k (y - yhat);
        P = (P - k pi^T) / lam.
    """

    def __init__(self, lag: int, lam: float, delta: float = 0.01) -> None:
        self.lag, self.lam = lag, lam
        self.w = np.zeros(lag + 1)
        self.P = np.eye(lag + 1) / delta
        self.phi = np.zeros(lag + 1)
        self.phi[-1] = 1.0

    def run(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        out = np.empty(len(X))
        w, P, phi, lam, L = self.w, self.P, self.phi, self.lam, self.lag
        for t in range(len(X)):
            phi[1:L] = phi[0:L - 1]
            phi[0] = X[t, 0]
            yhat = float(w @ phi)
            out[t] = yhat
            y = Y[t, 0]
            if math.isnan(y):
                continue
            pi = P @ phi
            k = pi / (lam + phi @ pi)
            w += k * (y - yhat)
            P -= np.outer(k, pi)
            if lam != 1.0:
                P /= lam
        return out


class RTRLLearner(Learner):
    """An rtrl network learning online (Network.run: predict, then learn, every row)."""

    def __init__(self, net: rtrl.Network) -> None:
        self.net = net

    @property
    def refused(self) -> int:  # type: ignore[override]
        return self.net.refused_updates

    def run(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        before = self.net.step_count
        pred, _ = self.net.run(X, Y, on_diverged="continue")
        if self.net.step_count - before != len(X):
            # A refused forward pass leaves its row unwritten: count the run as diverged.
            return np.full(len(X), math.nan)
        return pred[:, 0]

    def close(self) -> None:
        self.net.close()


# ----------------------------------------------------------------------------- methods


@dataclass
class Method:
    """A row of the table: a family of learners and its hyper-parameter grid."""

    name: str
    size: Optional[int]
    grid: List[Dict[str, object]]
    make: Callable[[Dict[str, object]], Learner]
    always: bool = False  # kept whatever --methods asks for (the reference rows)


def elman(hidden: int, seed: int) -> rtrl.Network:
    return rtrl.Network.elman(1, hidden, 1, hidden_activation="tanh",
                              output_activation="identity", seed=seed)


def esn(units: int, radius: float, input_scale: float, lam: float, seed: int) -> rtrl.Network:
    """An echo state network built with rtrl: a fixed random tanh reservoir (recurrent
    matrix with entries N(0, 1) rescaled to spectral radius `radius`, input weights
    uniform in [-input_scale, input_scale], no bias) and a trainable identity readout
    with bias that learns by RLS (forgetting factor lam); nothing else is trainable."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((units, units))
    w *= radius / max(abs(np.linalg.eigvals(w)))
    w_in = rng.uniform(-input_scale, input_scale, (units, 1))
    b = rtrl.Builder(1)
    b.layer("reservoir", units, activation="tanh", bias=False)
    b.layer("readout", 1, activation="identity", bias=True)
    b.connect("input", "reservoir", trainable=False)
    b.connect("reservoir", "reservoir", delay=1, trainable=False)
    b.connect("reservoir", "readout")
    b.output("readout")
    net = b.build(seed=seed)
    b.close()
    net.set_block("input->reservoir", w_in)
    net.set_block("reservoir->reservoir", w)
    net.set_block("reservoir->readout", np.zeros((1, units)))
    net.configure(optimizer="sgd", learning_rate=0.0, readout="rls", rls_lambda=lam, p0=0.01)
    return net


def grid(**axes: Sequence[object]) -> List[Dict[str, object]]:
    points: List[Dict[str, object]] = [{}]
    for key, values in axes.items():
        points = [dict(p, **{key: v}) for p in points for v in values]
    return points


def methods(sizes: Sequence[int], esn_sizes: Sequence[int], quick: bool, seed: int) -> List[Method]:
    def rtrl_method(name: str, size: int, points: List[Dict[str, object]]) -> Method:
        def make(cfg: Dict[str, object], size: int = size) -> Learner:
            net = elman(size, seed)
            net.configure(**cfg)  # type: ignore[arg-type]
            return RTRLLearner(net)
        return Method(name, size, points, make)

    lags = [1, 2, 4, 8, 16, 32] if quick else [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64]
    out = [
        Method("persistence (last target)", None, [{}], lambda c: Persistence(), always=True),
        Method("running mean", None, [{}], lambda c: RunningMean(), always=True),
        Method("online RLS, linear AR/FIR", None, grid(lag=lags, lam=[1.0, 0.9999, 0.999]),
               lambda c: LinearRLS(int(c["lag"]), float(c["lam"]))),  # type: ignore[arg-type]
    ]
    for n in esn_sizes:
        points = grid(radius=[0.2, 0.5, 0.9, 0.99], input_scale=[0.2, 1.0], lam=[1.0, 0.9999])
        if quick:
            points = grid(radius=[0.9, 0.99], input_scale=[0.2, 1.0], lam=[1.0])
        out.append(Method("ESN (rtrl, fixed reservoir) + RLS readout", n, points,
                          lambda c, n=n: RTRLLearner(esn(n, float(c["radius"]), float(c["input_scale"]),  # type: ignore[arg-type]
                                                         float(c["lam"]), seed))))  # type: ignore[arg-type]
    rate = [0.003, 0.01, 0.03] if quick else [0.001, 0.003, 0.01, 0.03, 0.1]
    adam_rate = [3e-4, 1e-3, 3e-3] if quick else [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
    # The filter depends on P(0) / r and q / r only ((r, q, P(0)) -> c (r, q, P(0)) gives
    # the same gains and updates), so r stays 1 and the grid covers p0 and q.
    kalman_p0 = [0.01, 0.1, 1.0, 10.0, 100.0]
    kalman_q = [1e-6, 1e-4]
    if quick:
        kalman_p0, kalman_q = [0.01, 1.0], [1e-6, 1e-4]
    for size in sizes:
        out.append(rtrl_method("rtrl elman, sgd", size,
                               grid(optimizer=["sgd"], learning_rate=rate)))
        out.append(rtrl_method("rtrl elman, adam", size,
                               grid(optimizer=["adam"], learning_rate=adam_rate)))
        for opt in ("ekf", "dekf"):
            out.append(rtrl_method(f"rtrl elman, {opt}", size,
                                   grid(optimizer=[opt], ekf_r=[1.0], p0=kalman_p0, ekf_q=kalman_q)))
        readout = [dict(optimizer=o, learning_rate=lr) for o, lr in
                   (("sgd", 1e-3), ("sgd", 1e-2), ("adam", 1e-4), ("adam", 1e-3))]
        if quick:
            readout = readout[1:3]
        out.append(rtrl_method("rtrl elman, rls readout", size,
                               [dict(c, readout="rls", p0=0.01, rls_lambda=lam)
                                for c in readout for lam in (1.0, 0.9999, 0.999)]))
    return out


def reservoirpy_methods(esn_sizes: Sequence[int], seed: int) -> List[Method]:
    """reservoirpy's ESN with an online RLS readout, when the package is importable."""
    try:
        import reservoirpy  # noqa: F401
        from reservoirpy.nodes import RLS, Reservoir
    except Exception:  # not installed (or broken): the rows are simply left out
        return []
    reservoirpy.verbosity(0)

    class ReservoirPy(Learner):
        def __init__(self, units: int, sr: float, input_scaling: float) -> None:
            self.model = Reservoir(units, sr=sr, input_scaling=input_scaling, seed=seed) >> RLS(alpha=1e-2)

        def run(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
            out = np.empty(len(X))
            for t in range(len(X)):
                y = Y[t:t + 1]
                if np.isnan(y).any():
                    out[t] = float(np.asarray(self.model.run(X[t:t + 1])).ravel()[0])
                else:
                    out[t] = float(np.asarray(self.model.train(X[t:t + 1], y)).ravel()[0])
            return out

    return [Method("reservoirpy ESN + RLS", n, grid(sr=[0.9, 0.99], input_scaling=[0.2, 1.0]),
                   lambda c, n=n: ReservoirPy(n, float(c["sr"]), float(c["input_scaling"])))  # type: ignore[arg-type]
            for n in esn_sizes]


# ----------------------------------------------------------------------------- protocol


@dataclass
class Result:
    task: str
    method: str
    size: Optional[int]
    config: Dict[str, object]
    selection_nrmse: float
    nrmse: float
    steps_per_s: float
    refused: int
    accuracy: Optional[float] = None
    grid_points: int = 1
    seconds: float = 0.0  # wall time of the whole row, grid included
    grid_scores: List[Tuple[Dict[str, object], float]] = field(default_factory=list)
    hindsight_nrmse: Optional[float] = None  # --hindsight: the grid's best final NRMSE
    hindsight_config: Optional[Dict[str, object]] = None


def describe(cfg: Dict[str, object]) -> str:
    shown = {k: v for k, v in cfg.items() if k not in ("readout",) and not (k == "optimizer" and "readout" not in cfg)}
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()) or "-"


def evaluate(task: Task, method: Method, log: Callable[[str], None], hindsight: bool = False) -> Result:
    """The prequential protocol for one row: each grid point runs on the first 2,000
    steps; the best by selection NRMSE continues to the end. With `hindsight`, every grid
    point runs to the end and the row also records the grid's best final NRMSE (known
    only after the fact: not a result of the protocol)."""
    Xs, Ys = task.Xs, task.Ys
    T = len(Xs)
    row_start = time.perf_counter()
    many = len(method.grid) > 1

    def finish(learner: Learner, head: np.ndarray, seconds: float) -> Tuple[np.ndarray, float]:
        t0 = time.perf_counter()
        tail = learner.run(Xs[SELECT_STEPS:], Ys[SELECT_STEPS:])
        return task.unscale(np.concatenate([head, tail])), seconds + time.perf_counter() - t0

    # The selected point: (score, config, learner or None, head, seconds, full prediction
    # or None, refused updates).
    best: Optional[Tuple[float, Dict[str, object], Optional[Learner], np.ndarray, float, Optional[np.ndarray], int]] = None
    scores: List[Tuple[Dict[str, object], float]] = []
    finals: List[Tuple[float, Dict[str, object]]] = []
    for cfg in method.grid:
        learner = method.make(cfg)
        t0 = time.perf_counter()
        head = learner.run(Xs[:SELECT_STEPS], Ys[:SELECT_STEPS])
        seconds = time.perf_counter() - t0
        score = nrmse(task.unscale(head), task.Y[:, 0], SELECT_FROM, SELECT_STEPS)
        if math.isnan(score):
            score = math.inf
        scores.append((cfg, score))
        better = best is None or score < best[0]
        note = ""
        if hindsight and many:
            pred, seconds = finish(learner, head, seconds)
            final = nrmse(pred, task.Y[:, 0], T - WINDOW, T)
            finals.append((final, cfg))
            note = f", final NRMSE {final:.4g}"
            if better:
                best = (score, cfg, None, head, seconds, pred, int(learner.refused))
            learner.close()
        elif better:
            if best is not None and best[2] is not None:
                best[2].close()
            best = (score, cfg, learner, head, seconds, None, 0)
        else:
            learner.close()
        if many:
            log(f"      {describe(cfg):<48} selection NRMSE {score:.4g}{note}")
    assert best is not None
    score, cfg, learner, head, seconds, pred, refused = best
    if learner is not None:
        pred, seconds = finish(learner, head, seconds)
        refused = int(learner.refused)
        learner.close()
    assert pred is not None
    result = Result(task.key, method.name, method.size, cfg, score,
                    nrmse(pred, task.Y[:, 0], T - WINDOW, T),
                    T / seconds if seconds > 0 else math.inf, refused,
                    grid_points=len(method.grid), grid_scores=scores)
    if task.key == "xor":
        result.accuracy = accuracy(pred, task.Y[:, 0], T - WINDOW, T)
    if finals:
        result.hindsight_nrmse, result.hindsight_config = min(finals, key=lambda f: f[0])
    result.seconds = time.perf_counter() - row_start
    return result


# ----------------------------------------------------------------------------- report


def fmt(v: float) -> str:
    if v is None or math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "diverged"
    return f"{v:.4f}" if v < 0.1 else f"{v:.3f}"


def rate(v: float) -> str:
    return f"{v:,.0f}" if math.isfinite(v) else "-"


def markdown(tasks: List[Task], results: List[Result]) -> str:
    """One table per task, then a summary (NRMSE only) with a column per predictor."""
    lines: List[str] = []
    hindsight = any(r.hindsight_nrmse is not None for r in results)
    for task in tasks:
        rows = [r for r in results if r.task == task.key]
        if not rows:
            continue
        xor = task.key == "xor"
        lines.append(f"### {task.title}")
        lines.append("")
        cols = ["predictor", "units", "NRMSE, last 2,000"]
        if xor:
            cols.append("accuracy")
        cols += ["selection NRMSE (1,000..1,999)", "chosen hyper-parameters", "steps/s", "refused updates"]
        if hindsight:
            cols += ["best of the grid in hindsight (not a protocol result)"]
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---:" if c in ("NRMSE, last 2,000", "accuracy", "steps/s", "refused updates")
                                    else "---" for c in cols) + "|")
        for r in rows:
            cells = [r.method, str(r.size) if r.size else "-", fmt(r.nrmse)]
            if xor:
                cells.append(f"{r.accuracy:.3f}" if r.accuracy is not None else "n/a")
            cells += [fmt(r.selection_nrmse) if r.grid_points > 1 else "-", describe(r.config),
                      rate(r.steps_per_s), str(r.refused)]
            if hindsight:
                cells.append(f"{fmt(r.hindsight_nrmse)} ({describe(r.hindsight_config)})"
                             if r.hindsight_nrmse is not None and r.hindsight_config is not None else "-")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    # The summary: one row per task, one column per predictor (and size).
    labels: List[str] = []
    for r in results:
        label = r.method + (f" {r.size}" if r.size else "")
        if label not in labels:
            labels.append(label)
    if len(tasks) > 1 and labels:
        lines.append("### Summary: NRMSE over the last 2,000 steps")
        lines.append("")
        lines.append("| predictor | " + " | ".join(t.key for t in tasks) + " |")
        lines.append("|---|" + "---:|" * len(tasks))
        for label in labels:
            cells = []
            for t in tasks:
                hit = [r for r in results if r.task == t.key and r.method + (f" {r.size}" if r.size else "") == label]
                cells.append(fmt(hit[0].nrmse) if hit else "-")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default="mg,narma,xor", help="comma-separated: mg, narma, xor")
    parser.add_argument("--sizes", default="16,32", help="hidden units of the rtrl Elman networks")
    parser.add_argument("--esn-sizes", default="16,32,100", help="reservoir sizes ('' for none)")
    parser.add_argument("--methods", default="", help="only rows whose name contains one of these (comma-separated)")
    parser.add_argument("--quick", action="store_true", help="smaller grids (a rough table in a few minutes)")
    parser.add_argument("--seed", type=int, default=0, help="network initialisation seed")
    parser.add_argument("--hindsight", action="store_true",
                        help="run every grid point to the end and add the grid's best final NRMSE (slow; not a protocol result)")
    parser.add_argument("--threads", type=int, default=1, help="OpenBLAS threads (0 = the library's default)")
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument("--json", help="also write every result (grid scores included) to this file")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    esn_sizes = [int(s) for s in args.esn_sizes.split(",") if s]
    tasks = make_tasks([k for k in args.tasks.split(",") if k], STEPS)
    rows = methods(sizes, esn_sizes, args.quick, args.seed) + reservoirpy_methods(esn_sizes, args.seed)
    if args.methods:
        wanted = [w.strip() for w in args.methods.split(",") if w.strip()]
        rows = [m for m in rows if m.always or any(w in m.name for w in wanted)]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    rtrl.set_num_threads(args.threads)
    log(f"rtrl {rtrl.__version__} ({rtrl.library_path}, {rtrl.num_threads()} BLAS thread(s)); "
        f"{STEPS} steps, selection on steps 0..{SELECT_STEPS - 1} (scored on {SELECT_FROM}..{SELECT_STEPS - 1}), "
        f"NRMSE over the last {WINDOW}")
    results: List[Result] = []
    for task in tasks:
        log(f"== {task.title}")
        for m in rows:
            label = m.name + (f" {m.size}" if m.size else "")
            log(f"   {label}: {len(m.grid)} grid point(s)")
            r = evaluate(task, m, log, args.hindsight)
            results.append(r)
            extra = f", accuracy {r.accuracy:.3f}" if r.accuracy is not None else ""
            log(f"   -> {label}: NRMSE {fmt(r.nrmse)}{extra} ({describe(r.config)}), "
                f"{rate(r.steps_per_s)} steps/s, {r.refused} refused, row {r.seconds:.1f} s")
    table = markdown(tasks, results)
    elapsed = time.perf_counter() - started
    print(table)
    print(f"total run time {elapsed:.0f} s")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + f"\n\ntotal run time {elapsed:.0f} s\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r.__dict__ for r in results], f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())

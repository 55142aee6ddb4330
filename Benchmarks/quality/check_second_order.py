"""Cross-check of rtrl's second-order learners against textbook formulas in numpy.

    python Benchmarks/quality/check_second_order.py [--steps 3000]

For an elman-16 on NARMA10 (standardised), a reference network with the same weights
runs with learning switched off; at every step its exact Jacobian H = d y / d theta is
read from the library (the gradient of E = (y* - y)^2 with y* = y + 0.5 is -H), the
update is computed here in numpy, and the new weights are written back. The library's
own learner (ekf, dekf or the rls readout) runs on the same stream; the two weight
vectors must agree to rounding:

* ekf:  A = H P H^T + r, K = P H^T / A, theta += K e, P = sym(P - K H P) + q I
* dekf: the same with one block per unit (the unit's incoming weights and bias),
  A = r + sum_g H_g P_g H_g^T (Puskorius & Feldkamp 1994)
* rls readout (the rest frozen, learning rate 0): u = (hidden activations, 1),
  k = P u / (lambda + u^T P u), w += k e, P = sym(P - k u^T P) / lambda

Exit status 0 when every largest weight difference stays below 1e-8.
"""

from __future__ import annotations

import argparse
import sys
from typing import List

import numpy as np

import rtrl

HIDDEN = 16


def jacobian(ref: rtrl.Network, y: float) -> np.ndarray:
    """H = d y / d theta of the step just fed (the gradient of (y + 0.5 - y)^2 is -H)."""
    ref.zero_grad()
    ref.accumulate([y + 0.5])
    h = -ref.gradient()
    ref.zero_grad()
    return h


def unit_groups(net: rtrl.Network) -> List[np.ndarray]:
    """The decoupled EKF's blocks for the elman preset: each hidden unit's input,
    recurrent and bias weights, then the output unit's weights and bias."""
    blocks = {name: (offset, shape) for name, offset, shape in net.param_blocks()}

    def row(name: str, r: int) -> List[int]:
        offset, shape = blocks[name]
        cols = shape[1] if len(shape) == 2 else 1
        return list(range(offset + r * cols, offset + (r + 1) * cols))

    groups = [row("input->hidden", i) + row("hidden->hidden", i) + row("hidden.bias", i) for i in range(HIDDEN)]
    groups.append(row("hidden->output", 0) + row("output.bias", 0))
    return [np.array(g) for g in groups]


def check(kind: str, steps: int) -> float:
    X, Y = rtrl.datasets.narma10(steps, seed=0)
    X = (X - X[:2000].mean()) / X[:2000].std()
    Y = (Y - Y[:2000].mean()) / Y[:2000].std()
    r, q, p0, lam = 10.0, 1e-4, 1.0, 0.999
    lib = rtrl.Network.elman(1, HIDDEN, 1, seed=0)
    ref = rtrl.Network.elman(1, HIDDEN, 1, seed=0)
    ref.configure(optimizer="sgd", learning_rate=0.0)
    if kind == "rls":
        lib.configure(optimizer="sgd", learning_rate=0.0, readout="rls", rls_lambda=lam, p0=0.1)
        groups = [unit_groups(ref)[-1]]
        covs = [np.eye(len(groups[0])) / 0.1]
    else:
        lib.configure(optimizer=kind, ekf_r=r, ekf_q=q, p0=p0)
        groups = [np.arange(ref.num_params)] if kind == "ekf" else unit_groups(ref)
        covs = [np.eye(len(g)) / p0 for g in groups]
    theta = ref.get_params()
    worst = 0.0
    for t in range(steps):
        lib.step(X[t], Y[t])
        y = float(ref.feed(X[t])[0])
        h = jacobian(ref, y)
        e = float(Y[t, 0]) - y
        if kind == "rls":
            g, P = groups[0], covs[0]
            u = h[g]  # the readout's Jacobian is its regressor (hidden activations, 1)
            pi = P @ u
            k = pi / (lam + u @ pi)
            theta[g] += k * e
            P = (P - np.outer(k, pi)) / lam
            covs[0] = (P + P.T) / 2
        else:
            a = r + sum(h[g] @ P @ h[g] for g, P in zip(groups, covs))
            for i, (g, P) in enumerate(zip(groups, covs)):
                ph = P @ h[g]
                k = ph / a
                theta[g] += k * e
                P = P - np.outer(k, ph)
                covs[i] = (P + P.T) / 2 + q * np.eye(len(g))
        ref.set_params(theta)
        worst = max(worst, float(np.abs(lib.get_params() - theta).max()))
    lib.close()
    ref.close()
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    ok = True
    for kind in ("ekf", "dekf", "rls"):
        worst = check(kind, args.steps)
        good = worst < 1e-8
        ok = ok and good
        print(f"{kind:>4}: largest |theta_library - theta_numpy| over {args.steps} steps = {worst:.2e}"
              f"  {'ok' if good else 'MISMATCH'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

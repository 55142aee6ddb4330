"""The temporal XOR at the same speed (exact n = 64 against snap1 n = 512) under other
ways of training than learning.py's: the results and their discussion are in docs/scale.md
("Per-group learning rates", "An RLS readout, revisited", "The initial network's scale" and
"Per-group rates from the rescaled network").

    python Benchmarks/scale/xor_variants.py rates MODE N LR_IN:LR_REC:LR_OUT ... [--seeds 0]
                                            [--gain G] [--input-scale S]
    python Benchmarks/scale/xor_variants.py rls MODE N LR ... [--seeds 0] [--rls-lambda L] [--p0 P]
    python Benchmarks/scale/xor_variants.py init MODE N LR:GAIN:INPUT_SCALE ... [--seeds 0]
    ... [--json FILE]   (appends one JSON object per run)

- `rates`: SGD with one learning rate per group of blocks: the blocks of fan-in 1 (the
  input weights and the hidden bias) at LR_IN, the recurrent block hidden->hidden at
  LR_REC, the readout (hidden->output, output.bias) at LR_OUT. The library has one rate per
  network, so the update is made here: `accumulate` the gradient of a step with a target,
  then theta -= lr * g by `set_params` (with one rate for all three groups this equals
  `configure(learning_rate=...)` with `run`, bit for bit in the error figures checked).
  `--gain` and `--input-scale` start it from `init`'s rescaled network.
- `rls`: the library's RLS readout (`readout="rls"`, an identity output) with the rest of
  the network on SGD at LR.
- `init`: learning.py's run (one SGD rate LR, `configure` + `run`) from a rescaled initial
  network: the input weights drawn from U(-INPUT_SCALE, INPUT_SCALE) instead of U(-1, 1),
  the preset's recurrent block multiplied by GAIN (`init MODE N LR:1:1` is learning.py's
  run, bit for bit).

Both use learning.py's task stream, initial network (the elman preset, input weights
redrawn from U(-1, 1)) and prequential error (predict, then learn; the mean squared error
over the steps with a target, the whole stream and its last quarter).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import learning  # noqa: E402

rtrl = learning.rtrl

#: Which group of learning rate each of the elman preset's blocks belongs to.
GROUPS = {"input->hidden": 0, "hidden.bias": 0, "hidden->hidden": 1, "hidden->output": 2, "output.bias": 2}


def per_group_run(mode: str, n: int, rates: tuple[float, float, float], seed: int, steps: int,
                  gain: float = 1.0, input_scale: float = 1.0) -> dict:
    X, Y = learning.task_stream("xor", steps, seed)
    with learning.make_network("xor", n, seed, input_scale=input_scale, recurrent_gain=gain) as net:
        net.configure(optimizer="sgd", learning_rate=0.0, sensitivity=mode)
        lr = np.empty(net.num_params)
        for name, offset, shape in net.param_blocks():
            lr[offset:offset + int(np.prod(shape))] = rates[GROUPS[name]]
        theta = net.get_params()
        predictions = np.empty(steps)
        for t in range(steps):
            predictions[t] = net.feed(X[t])[0]
            if not np.isnan(Y[t, 0]):
                net.accumulate(Y[t])
                g = net.gradient()
                net.zero_grad()
                theta -= lr * g
                net.set_params(theta)
    error, tail = learning.prequential_errors(predictions, Y)
    run = dict(variant="rates", mode=mode, n=n, lr_in=rates[0], lr_rec=rates[1], lr_out=rates[2],
               seed=seed, steps=steps, error=error, tail_error=tail)
    if gain != 1.0 or input_scale != 1.0:
        run.update(gain=gain, input_scale=input_scale)
    return run


def rls_readout_run(mode: str, n: int, rate: float, seed: int, steps: int, rls_lambda: float, p0: float) -> dict:
    X, Y = learning.task_stream("xor", steps, seed)
    with learning.make_network("xor", n, seed, output_activation="identity") as net:
        net.configure(optimizer="sgd", learning_rate=rate, sensitivity=mode, readout="rls",
                      rls_lambda=rls_lambda, p0=p0)
        predictions, _ = net.run(X, Y, on_diverged="continue")
        refused = net.refused_updates
    error, tail = learning.prequential_errors(predictions[:, 0], Y)
    return dict(variant="rls", mode=mode, n=n, lr=rate, rls_lambda=rls_lambda, p0=p0, seed=seed,
                steps=steps, error=error, tail_error=tail, refused=refused)


def rescaled_init_run(mode: str, n: int, rate: float, gain: float, input_scale: float, seed: int,
                      steps: int) -> dict:
    X, Y = learning.task_stream("xor", steps, seed)
    with learning.make_network("xor", n, seed, input_scale=input_scale, recurrent_gain=gain) as net:
        net.configure(optimizer="sgd", learning_rate=rate, sensitivity=mode)
        predictions, _ = net.run(X, Y, on_diverged="continue")
        refused = net.refused_updates
    error, tail = learning.prequential_errors(predictions[:, 0], Y)
    return dict(variant="init", mode=mode, n=n, lr=rate, gain=gain, input_scale=input_scale, seed=seed,
                steps=steps, error=error, tail_error=tail, refused=refused)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variant", choices=["rates", "rls", "init"],
                        help="three SGD rates, an RLS readout, or a rescaled initial network")
    parser.add_argument("mode", choices=["exact", "snap1", "uoro"], help="the sensitivity mode")
    parser.add_argument("n", type=int, help="hidden units")
    parser.add_argument("rates", nargs="+", help="rates: LR_IN:LR_REC:LR_OUT; rls: LR (the SGD rate of the rest); "
                        "init: LR:GAIN:INPUT_SCALE")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="(default 0, the tuning seed)")
    parser.add_argument("--steps", type=int, default=learning.STEPS["xor"])
    parser.add_argument("--rls-lambda", type=float, default=0.999, help="(default 0.999)")
    parser.add_argument("--p0", type=float, default=0.01, help="(default 0.01)")
    parser.add_argument("--gain", type=float, default=1.0,
                        help="rates: the recurrent block's gain, as in init (default 1)")
    parser.add_argument("--input-scale", type=float, default=1.0,
                        help="rates: the input weights' scale, as in init (default 1)")
    parser.add_argument("--threads", type=int, default=1, help="OpenBLAS threads (default 1)")
    parser.add_argument("--json", help="append one JSON object per run to this file")
    args = parser.parse_args(argv)
    rtrl.set_num_threads(args.threads)
    specs = []
    for spec in args.rates:
        try:
            parts = tuple(float(v) for v in spec.split(":"))
        except ValueError:
            parts = ()
        if len(parts) != (1 if args.variant == "rls" else 3):
            parser.error(f"{spec!r} is not " + {"rates": "LR_IN:LR_REC:LR_OUT", "rls": "a learning rate",
                                                 "init": "LR:GAIN:INPUT_SCALE"}[args.variant])
        specs.append(parts)
    for parts in specs:
        for seed in args.seeds:
            if args.variant == "rates":
                run = per_group_run(args.mode, args.n, parts, seed, args.steps,  # type: ignore[arg-type]
                                    args.gain, args.input_scale)
            elif args.variant == "init":
                run = rescaled_init_run(args.mode, args.n, parts[0], parts[1], parts[2], seed, args.steps)
            else:
                run = rls_readout_run(args.mode, args.n, parts[0], seed, args.steps, args.rls_lambda, args.p0)
            print(json.dumps(run), flush=True)
            if args.json:
                with open(args.json, "a") as f:
                    f.write(json.dumps(run) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

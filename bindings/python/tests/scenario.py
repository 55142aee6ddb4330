"""The parity scenarios of Tests/c (Tests/c/scenarios/*.txt) run through the Python
binding, printed in the exact format of the engine's reference program
(Tests/c/reference/main.swift, `rtrl-capi-reference`): every double as the 16 hex digits
of its bit pattern, one line per step."""

from __future__ import annotations

import struct
from typing import List, Optional, Tuple


import rtrl

_MASK = (1 << 64) - 1


class ScenarioData:
    """SplitMix64 draws, as Tests/c/reference/ScenarioData.swift: per step n_inputs values
    x_i = 2u - 1, then n_outputs targets y*_k = u (u = (next >> 11) * 2^-53); then
    y*_k = NaN when gap > 0 and (t + k) % gap == 0."""

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK

    def _next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def _unit(self) -> float:
        return float(self._next() >> 11) * 2.0 ** -53

    def sample(self, t: int, inputs: int, outputs: int, gap: int) -> Tuple[List[float], List[float]]:
        x = [2 * self._unit() - 1 for _ in range(inputs)]
        y = [self._unit() for _ in range(outputs)]
        if gap > 0:
            for k in range(outputs):
                if (t + k) % gap == 0:
                    y[k] = float("nan")
        return x, y


def _hex(v: float) -> str:
    return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def _hex_list(values) -> str:
    return " ".join(_hex(float(v)) for v in values)


def _status_word(error: Optional[rtrl.RTRLError]) -> str:
    if error is None:
        return "ok"
    if isinstance(error, rtrl.DivergedError):
        return "diverged"
    return f"error{error.status}"


class Scenario:
    """A scenario file: the network, its training configuration and the run."""

    def __init__(self, text: str) -> None:
        self.net_line: Optional[List[str]] = None
        self.builder: Optional[rtrl.Builder] = None
        self.seed = 0
        self.precision = "f64"
        self.config = {}
        self.mode = "learn"
        self.steps = 0
        self.apply_every = 1
        self.gap = 0
        self.data_seed = 1
        for raw in text.split("\n"):
            words = raw.split("#", 1)[0].split()
            if words:
                self._apply(words[0], words[1:])

    def _apply(self, directive: str, w: List[str]) -> None:
        if directive == "net":
            self.net_line = w
        elif directive == "builder":
            self.builder = rtrl.Builder(int(w[0]))
        elif directive == "layer":
            self.builder.layer(w[0], int(w[1]), activation=w[2], bias=int(w[3]) != 0)
        elif directive == "connect":
            t = int(w[4])
            self.builder.connect(w[0], w[1], delay=int(w[2]), kind=w[3],
                                 trainable=None if t < 0 else t != 0, scale=float(w[5]))
        elif directive == "output":
            units = [int(u) for u in w[1:]]
            self.builder.output(w[0], units=units or None)
        elif directive == "seed":
            self.seed = int(w[0])
        elif directive == "precision":
            self.precision = w[0]
        elif directive == "train":
            clip = float(w[6])
            self.config = dict(optimizer=w[0], learning_rate=float(w[1]), momentum=float(w[2]),
                               beta1=float(w[3]), beta2=float(w[4]), eps=float(w[5]),
                               clip_norm=None if clip == 0 else clip, loss=w[7],
                               teacher_forcing=int(w[8]) != 0, update_every=int(w[9]),
                               divergence_guard=int(w[10]) != 0)
        elif directive == "run":
            self.mode = w[0]
            self.steps = int(w[1])
            if self.mode == "learn":
                self.gap = int(w[2])
            else:
                self.apply_every = int(w[2])
                self.gap = int(w[3])
        elif directive == "data":
            self.data_seed = int(w[0])
        else:
            raise ValueError(f"unknown directive {directive}")

    def make_network(self) -> rtrl.Network:
        if self.builder is not None:
            return self.builder.build(seed=self.seed, precision=self.precision)
        kind, w = self.net_line[0], self.net_line[1:]
        common = dict(seed=self.seed, precision=self.precision)
        if kind == "fully_recurrent":
            return rtrl.Network.fully_recurrent(int(w[0]), int(w[1]), int(w[2]), activation=w[3], **common)
        if kind == "elman":
            return rtrl.Network.elman(int(w[0]), int(w[1]), int(w[2]), hidden_activation=w[3],
                                      output_activation=w[4], **common)
        if kind == "jordan":
            return rtrl.Network.jordan(int(w[0]), int(w[1]), int(w[2]), mu=float(w[3]),
                                       hidden_activation=w[4], output_activation=w[5], **common)
        raise ValueError(kind)

    def trajectory(self) -> str:
        """The run, in the reference program's format."""
        net = self.make_network()
        try:
            net.configure(**self.config)
            data = ScenarioData(self.data_seed)
            lines = ["P " + _hex_list(net.get_params())]
            for t in range(1, self.steps + 1):
                x, target = data.sample(t, net.num_inputs, net.num_outputs, self.gap)
                error = None
                apply_word = "-"
                loss = float("nan")
                if self.mode == "learn":
                    try:
                        y = net.step(x, target)
                        loss = net.last_loss
                    except rtrl.RTRLError as e:
                        error = e
                        y = e.output if isinstance(e, rtrl.DivergedError) else net.output()
                else:
                    y = net.feed(x)
                    try:
                        loss = net.accumulate(target)
                    except rtrl.RTRLError as e:
                        error = e
                    if t % self.apply_every == 0:
                        try:
                            net.apply()
                            apply_word = "ok"
                        except rtrl.RTRLError as e:
                            apply_word = _status_word(e)
                lines.append(f"{t} {_status_word(error)} {apply_word} Y {_hex_list(y)} L {_hex(loss)} "
                             f"G {_hex_list(net.gradient())} P {_hex_list(net.get_params())}")
            return "\n".join(lines) + "\n"
        finally:
            net.close()
            if self.builder is not None:
                self.builder.close()

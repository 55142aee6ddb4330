"""``rtrl.Builder``: describe a network layer by layer, then build it."""

from __future__ import annotations

from ctypes import byref, c_size_t
from typing import Any, List, Optional, Sequence, Tuple

from ._errors import InvalidArgumentError
from ._library import library
from ._types import ACTIVATION, CONNECTION_KIND, BuilderPtr
from .network import Network, _check, _enum, _net_params, _size

_lib = library()


def _name(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what}: expected a str, got {value!r}")
    return value.encode("utf-8")


class Builder:
    """A network description, put together with :meth:`layer`, :meth:`connect` and
    :meth:`output`, then turned into a :class:`rtrl.Network` by :meth:`build`::

        with rtrl.Builder(n_inputs=1) as b:
            b.layer("h", 8, activation="tanh", bias=True)
            b.connect("input", "h", delay=0)
            b.connect("h", "h", delay=1)
            b.output("h", units=[0, 1])
            net = b.build(seed=0)

    Every call validates its arguments at once (raising :class:`rtrl.InvalidArgumentError`,
    a ``ValueError``, and leaving the builder unchanged) and returns the builder, so calls
    chain. Delay-0 cycles are reported by :meth:`build`. The builder may be built more than
    once; networks built from it are independent of it. It owns a handle in librtrl: use
    it as a context manager or call :meth:`close` (idempotent).
    """

    _h: Optional[Any] = None

    def __init__(self, n_inputs: int) -> None:
        """Starts a description with `n_inputs` values of x(t) per step (0 allowed); the
        input is the pseudo-layer named "input"."""
        n = _size(n_inputs, "n_inputs")
        out = BuilderPtr()
        _check(_lib.rtrl_builder_create(n, byref(out)))
        self._h = out
        self._n_inputs = n
        self._layers: List[Tuple[str, int, str, bool]] = []
        self._connections: List[Tuple[str, str, int, str, Optional[bool], float]] = []
        self._output: Optional[Tuple[str, Optional[List[int]]]] = None

    def _handle(self) -> Any:
        if self._h is None:
            raise InvalidArgumentError("rtrl: the builder is closed")
        return self._h

    def layer(self, name: str, size: int, activation: str = "tanh", bias: bool = True) -> "Builder":
        """Adds a layer evaluated once per step, a(t) = activation(z(t)).

        Args:
            name: unique, 1 to 128 bytes of UTF-8, not "input", without whitespace,
                control characters, ".", "#" or ">".
            size: the number of units, >= 1.
            activation: "identity", "logistic" (alias "sigmoid"), "tanh", "relu", "softmax".
            bias: give the layer a trainable bias block "NAME.bias" (starting at 0).
        """
        act = _enum(ACTIVATION, activation, "activation")
        n = _size(size, "size")
        _check(_lib.rtrl_builder_add_layer(self._handle(), _name(name, "layer name"), n, act,
                                           1 if bias else 0))
        self._layers.append((name, n, activation, bool(bias)))
        return self

    def connect(self, src: str, dst: str, delay: int = 0, kind: str = "dense",
                trainable: Optional[bool] = None, scale: float = 1.0) -> "Builder":
        """Connects layer (or "input") `src` to layer `dst`: z_dst(t) += W a_src(t - delay).

        Args:
            delay: 0 (same step; the delay-0 graph must stay acyclic) or 1 (previous step).
            kind: "dense" (matrix), "diagonal" (vector, equal sizes) or "identity" (a fixed
                copy times `scale`, equal sizes).
            trainable: None = the kind's default (dense, diagonal: True; identity: False).
                A fixed block is still readable and writable by name.
            scale: dense: initial weights uniform in +-scale/sqrt(fan-in); diagonal: every
                entry starts at scale; identity: the copy factor.

        The connection's block is "SRC->DST" ("SRC->DST#2", ... for further connections
        between the same pair); identity connections have none.
        """
        k = _enum(CONNECTION_KIND, kind, "kind")
        if delay not in (0, 1) or isinstance(delay, bool):
            raise InvalidArgumentError(f"delay: expected 0 or 1, got {delay!r}")
        t = -1 if trainable is None else (1 if trainable else 0)
        try:
            s = float(scale)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"scale: expected a number, got {scale!r}") from None
        _check(_lib.rtrl_builder_connect(self._handle(), _name(src, "src"), _name(dst, "dst"),
                                         int(delay), k, t, s))
        self._connections.append((src, dst, int(delay), kind, trainable, s))
        return self

    def output(self, layer: str, units: Optional[Sequence[int]] = None) -> "Builder":
        """Chooses y(t): units `units` of `layer` in that order (distinct, in range), or the
        whole layer when `units` is None."""
        h = self._handle()
        if units is None:
            _check(_lib.rtrl_builder_set_output(h, _name(layer, "layer"), None, 0))
            self._output = (layer, None)
        else:
            idx = [_size(u, "units[]") for u in units]
            arr = (c_size_t * max(len(idx), 1))(*idx)
            _check(_lib.rtrl_builder_set_output(h, _name(layer, "layer"), arr, len(idx)))
            self._output = (layer, idx)
        return self

    def build(self, seed: int = 0, precision: str = "f64") -> Network:
        """Builds a network: checks the delay-0 graph for cycles, lays out the blocks and
        initialises them from `seed`. `precision` is "f64" or "f32"."""
        p = _net_params(seed, precision)
        return Network._create(_lib.rtrl_builder_build, self._handle(), byref(p))

    # ------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Frees the builder's handle; safe to call more than once."""
        h = self._h
        if h is not None:
            self._h = None
            _lib.rtrl_builder_free(h)

    @property
    def closed(self) -> bool:
        return self._h is None

    def __enter__(self) -> "Builder":
        self._handle()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __reduce__(self):
        raise TypeError("an rtrl.Builder cannot be pickled; pickle the Network it builds")

    def __repr__(self) -> str:
        if self._h is None:
            return "<rtrl.Builder (closed)>"
        layers = ", ".join(f"{n}({s} {a}{' +bias' if b else ''})" for n, s, a, b in self._layers)
        conns = ", ".join(
            f"{s}->{d}" + (f" {k}" if k != "dense" else "") + (" d1" if dl else "")
            + ("" if t is None else (" trainable" if t else " fixed"))
            for s, d, dl, k, t, _ in self._connections)
        out = "none" if self._output is None else (
            self._output[0] if self._output[1] is None else f"{self._output[0]}{self._output[1]}")
        return f"<rtrl.Builder inputs={self._n_inputs} layers=[{layers}] connections=[{conns}] output={out}>"

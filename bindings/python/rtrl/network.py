"""``rtrl.Network``: a recurrent network that learns online with RTRL (over librtrl)."""

from __future__ import annotations

import ctypes
import math
import os
from ctypes import byref, c_char_p, c_double, c_int, c_size_t, c_uint64, sizeof
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

import numpy as np

from . import _arrays
from ._errors import DivergedError, InvalidArgumentError, RTRLError, error_for
from ._library import library
from ._types import (ACTIVATION, CONNECTION_KIND, LOSS, OPTIMIZER, PRECISION, READOUT, SENSITIVITY, STATUS,
                     NetParams, NetPtr, TrainParams, c_enum, name_of)

_lib = library()
_step = _lib.raw["rtrl_net_step"]
_feed = _lib.raw["rtrl_net_feed"]
_output = _lib.raw["rtrl_net_output"]
_learn_fn = _lib.raw["rtrl_net_learn"]
_accumulate_fn = _lib.raw["rtrl_net_accumulate"]
_DOUBLE_P = ctypes.POINTER(c_double)
_F64 = np.dtype(np.float64)
_DIVERGED = STATUS["RTRL_ERR_DIVERGED"]
_BUFFER_TOO_SMALL = STATUS["RTRL_ERR_BUFFER_TOO_SMALL"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


# ---------------------------------------------------------------- small helpers


def _error(status: int) -> RTRLError:
    """The exception for a failed call, with the calling thread's last library message
    (or, should that be empty, the status's fixed name)."""
    message = _lib.rtrl_last_error().decode("utf-8", "replace")
    if not message:
        message = _lib.rtrl_status_string(status).decode("utf-8", "replace")
    return error_for(status, message)


def _ptr(arr: np.ndarray) -> Any:
    """A ``double *`` to a C-contiguous float64 array (which must outlive the call)."""
    return arr.ctypes.data_as(_DOUBLE_P)


def _check(status: int) -> None:
    if status:
        raise _error(status)


def _enum(table: Dict[str, int], value: Any, what: str) -> int:
    key = value.lower() if isinstance(value, str) else value
    if what == "activation" and key == "sigmoid":
        key = "logistic"
    if key not in table:
        raise InvalidArgumentError(
            f"{what}: unknown value {value!r}; expected one of {', '.join(map(repr, table))}")
    return table[key]


def _size(value: Any, what: str) -> int:
    try:
        n = int(value.__index__())
    except (AttributeError, TypeError):
        raise InvalidArgumentError(f"{what}: expected a non-negative integer, got {value!r}") from None
    if n < 0:
        raise InvalidArgumentError(f"{what}: expected a non-negative integer, got {n}")
    if n >= 1 << 64:
        raise InvalidArgumentError(f"{what}: {n} is too large")
    return n


def _net_params(seed: int, precision: str, hidden: str = "tanh", output: str = "identity",
                mu: float = 0.5) -> NetParams:
    p = NetParams()
    _check(_lib.rtrl_net_default_params(byref(p), sizeof(p)))
    p.seed = _size(seed, "seed")
    p.precision = _enum(PRECISION, precision, "precision")
    p.hidden_activation = _enum(ACTIVATION, hidden, "activation")
    p.output_activation = _enum(ACTIVATION, output, "activation")
    try:
        p.mu = float(mu)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"mu: expected a number, got {mu!r}") from None
    return p


def _scratch(n: int) -> Tuple[np.ndarray, Any]:
    """A float64 buffer of n values as a numpy array and a ctypes array over the same
    memory."""
    arr = np.zeros(n)
    return arr, (c_double * n).from_buffer(arr)  # type: ignore[arg-type]


def _view(arr: np.ndarray) -> Any:
    """A ctypes array over the memory of a C-contiguous float64 array (which must stay
    alive while the view is used)."""
    return (c_double * arr.size).from_address(arr.ctypes.data)


def _fill(cbuf: Any, buf: np.ndarray, value: Any, what: str) -> None:
    """Copies one step's vector into scratch `buf` (ctypes view `cbuf`): fast paths for a
    float64 array, a list or tuple, and a number; anything else (and every error) goes
    through :func:`rtrl._arrays.fill`, which converts or rejects with a clear message."""
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype is _F64 and value.ndim == 1 and len(value) == len(buf):
            buf[...] = value
            return
    elif kind is list or kind is tuple:
        try:
            cbuf[:] = value
            return
        except (TypeError, ValueError, OverflowError):
            pass
    elif (kind is float or kind is int) and len(cbuf) == 1:
        try:
            cbuf[0] = value
            return
        except OverflowError:
            pass
    _arrays.fill(buf, value, what)


def _text(b: Optional[bytes]) -> str:
    return "" if b is None else b.decode("utf-8", "replace")


# ---------------------------------------------------------------- descriptions


class Layer(NamedTuple):
    """A layer as the network reports it."""

    name: str
    size: int
    activation: str
    bias: bool


class Connection(NamedTuple):
    """A connection: a(t - delay) of `source` ("input" or a layer) into `target`."""

    source: str
    target: str
    delay: int
    kind: str
    trainable: bool
    scale: float
    #: The name of its block ("FROM->TO", "FROM->TO#2"); None for identity connections.
    block: Optional[str]


class Block(NamedTuple):
    """A named block of weights (trainable or fixed)."""

    name: str
    #: (rows, cols) for a dense matrix, (n,) for a diagonal vector or a bias.
    shape: Tuple[int, ...]
    trainable: bool
    #: "dense", "diagonal" or "bias".
    kind: str
    #: Offset in the flat parameter vector (None for a fixed block).
    offset: Optional[int]


class _Architecture:
    """What a network is made of; read once from the library (it never changes)."""

    def __init__(self, h: Any) -> None:
        name, size, act, flag = c_char_p(), c_size_t(), c_enum(), c_int()
        self.layers: List[Layer] = []
        for i in range(_lib.rtrl_net_layer_count(h)):
            _check(_lib.rtrl_net_layer(h, i, byref(name), byref(size), byref(act), byref(flag)))
            self.layers.append(Layer(_text(name.value), size.value, name_of(ACTIVATION, act.value),
                                     bool(flag.value)))
        src, dst, delay, kind, trainable, scale = (c_char_p(), c_char_p(), c_int(), c_enum(),
                                                   c_int(), c_double())
        self.connections: List[Connection] = []
        pair_count: Dict[Tuple[str, str], int] = {}
        for i in range(_lib.rtrl_net_connection_count(h)):
            _check(_lib.rtrl_net_connection(h, i, byref(src), byref(dst), byref(delay), byref(kind),
                                            byref(trainable), byref(scale)))
            s, d, k = _text(src.value), _text(dst.value), name_of(CONNECTION_KIND, kind.value)
            block = None
            if k != "identity":
                count = pair_count.get((s, d), 0) + 1
                pair_count[(s, d)] = count
                block = f"{s}->{d}" if count == 1 else f"{s}->{d}#{count}"
            self.connections.append(Connection(s, d, delay.value, k, bool(trainable.value),
                                               scale.value, block))
        kinds = {c.block: c.kind for c in self.connections if c.block}
        kinds.update({f"{layer.name}.bias": "bias" for layer in self.layers if layer.bias})
        offsets: Dict[str, int] = {}
        off, rows, cols = c_size_t(), c_size_t(), c_size_t()
        self.param_blocks: List[Tuple[str, int, Tuple[int, ...]]] = []
        for i in range(_lib.rtrl_net_param_block_count(h)):
            _check(_lib.rtrl_net_param_block(h, i, byref(name), byref(off), byref(rows), byref(cols)))
            n = _text(name.value)
            offsets[n] = off.value
            self.param_blocks.append((n, off.value, self._shape(kinds.get(n), rows.value, cols.value)))
        self.blocks: List[Block] = []
        for i in range(_lib.rtrl_net_block_count(h)):
            _check(_lib.rtrl_net_block(h, i, byref(name), byref(rows), byref(cols), byref(flag)))
            n = _text(name.value)
            k = kinds.get(n, "dense" if cols.value > 1 else "diagonal")
            self.blocks.append(Block(n, self._shape(k, rows.value, cols.value), bool(flag.value), k,
                                     offsets.get(n)))
        self.block_by_name = {b.name: b for b in self.blocks}
        # A block of size 0 (e.g. "input->units" with no inputs) is not listed: such a
        # connection has no block.
        self.connections = [c if c.block in self.block_by_name else c._replace(block=None)
                            for c in self.connections]
        layer_name = c_char_p()
        n_units = c_size_t()
        _check(_lib.rtrl_net_output_units(h, byref(layer_name), None, 0, byref(n_units)))
        units = (c_size_t * max(n_units.value, 1))()
        _check(_lib.rtrl_net_output_units(h, byref(layer_name), units, n_units.value, byref(n_units)))
        self.output_layer = _text(layer_name.value)
        self.output_units = [int(units[i]) for i in range(n_units.value)]

    @staticmethod
    def _shape(kind: Optional[str], rows: int, cols: int) -> Tuple[int, ...]:
        if kind == "dense" or (kind is None and cols > 1):
            return (rows, cols)
        return (rows,)


# ---------------------------------------------------------------- the network


class Network:
    """A recurrent network that learns online with Real-Time Recurrent Learning.

    Create one with a preset (:meth:`fully_recurrent`, :meth:`elman`, :meth:`jordan`),
    with :class:`rtrl.Builder`, or from saved bytes (:meth:`load`, :meth:`from_bytes`,
    ``pickle``). Every step, :meth:`step` (or :meth:`feed` + :meth:`learn`) advances the
    network with x(t), returns the prediction y(t) and learns from the target y*(t) with
    the exact online gradient.

    A network owns a handle in librtrl. Use it as a context manager or call
    :meth:`close` (idempotent) to free it at a known point; otherwise it is freed when
    the object is garbage collected. Like the C handle, a Network may be used by one
    thread at a time.

    Arrays come back as new numpy float64 arrays; inputs may be numpy arrays of any real
    dtype, lists or (for one value) numbers.
    """

    # Class-level defaults so that __del__/close work on a half-initialised object.
    _h: Optional[Any] = None
    _addr: int = 0
    _arch: Optional[_Architecture] = None
    # Set by _adopt: sizes, per-step scratch (numpy and ctypes views of the same memory)
    # and the prebuilt argument tuples of the raw per-step calls.
    _n_in: int
    _n_out: int
    _n_params: int
    _x: np.ndarray
    _t: np.ndarray
    _y: np.ndarray
    _xc: Any
    _tc: Any
    _yc: Any
    _lossc: c_double
    _args_step: Tuple[Any, ...]
    _args_predict: Tuple[Any, ...]
    _args_feed: Tuple[Any, ...]
    _args_output: Tuple[Any, ...]
    _args_learn: Tuple[Any, ...]
    _save_hint: int
    #: E(t) of the last successful step, learn or accumulate (NaN without a target).
    last_loss: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "create a Network with Network.fully_recurrent(...), Network.elman(...), "
            "Network.jordan(...), rtrl.Builder(...).build(), Network.load(path) or "
            "Network.from_bytes(data)")

    # ------------------------------------------------------------ creation

    @classmethod
    def _adopt(cls, h: Any) -> "Network":
        """Wraps a new handle (owned from now on)."""
        self = cls.__new__(cls)
        self._h = h
        self._addr = ctypes.cast(h, ctypes.c_void_p).value or 0
        self._arch = None
        self._n_in = int(_lib.rtrl_net_num_inputs(h))
        self._n_out = int(_lib.rtrl_net_num_outputs(h))
        self._n_params = int(_lib.rtrl_net_num_params(h))
        # Preallocated scratch for the per-step calls: numpy arrays sharing memory with
        # ctypes arrays, and the argument tuples of the raw (argtypes-free) functions.
        self._x, self._xc = _scratch(self._n_in)
        self._t, self._tc = _scratch(self._n_out)
        self._y, self._yc = _scratch(self._n_out)
        self._lossc = c_double(math.nan)
        handle = ctypes.c_void_p(self._addr)
        lossp = ctypes.pointer(self._lossc)
        n_in, n_out = c_size_t(self._n_in), c_size_t(self._n_out)
        self._args_step = (handle, self._xc, n_in, self._tc, n_out, self._yc, lossp)
        self._args_predict = (handle, self._xc, n_in, None, n_out, self._yc, None)
        self._args_feed = (handle, self._xc, n_in)
        self._args_output = (handle, self._yc, n_out)
        self._args_learn = (handle, self._tc, n_out, lossp)
        self._save_hint = 0
        self.last_loss = math.nan
        return self

    @classmethod
    def _create(cls, fn: Any, *args: Any) -> "Network":
        out = NetPtr()
        _check(fn(*args, byref(out)))
        return cls._adopt(out)

    @classmethod
    def fully_recurrent(cls, n_inputs: int, n_units: int, n_outputs: int, activation: str = "tanh",
                        seed: int = 0, precision: str = "f64") -> "Network":
        """The Williams–Zipser fully recurrent network: one layer "units" (with bias) that
        sees x(t) and its own previous activations; y(t) is units 0..n_outputs-1.

        Trainable blocks: "input->units", "units->units" (delay 1), "units.bias".

        Args:
            n_inputs: m, the length of x(t) (0 allowed: driven by the bias alone).
            n_units: n >= 1.
            n_outputs: 1 <= n_outputs <= n_units.
            activation: "identity", "logistic" (alias "sigmoid"), "tanh", "relu", "softmax".
            seed: seeds the initial weights (the same on every machine).
            precision: "f64" or "f32" (the arithmetic; values in and out stay float64).
        """
        p = _net_params(seed, precision, hidden=activation)
        return cls._create(_lib.rtrl_net_create_fully_recurrent, _size(n_inputs, "n_inputs"),
                           _size(n_units, "n_units"), _size(n_outputs, "n_outputs"), byref(p))

    @classmethod
    def elman(cls, n_inputs: int, n_hidden: int, n_outputs: int, hidden_activation: str = "tanh",
              output_activation: str = "identity", seed: int = 0,
              precision: str = "f64") -> "Network":
        """Elman's simple recurrent network: "hidden" (bias) sees x(t) and its own previous
        activations; "output" (bias) reads "hidden".

        Trainable blocks: "input->hidden", "hidden->hidden" (delay 1), "hidden.bias",
        "hidden->output", "output.bias". Other arguments as :meth:`fully_recurrent`.
        """
        p = _net_params(seed, precision, hidden=hidden_activation, output=output_activation)
        return cls._create(_lib.rtrl_net_create_elman, _size(n_inputs, "n_inputs"),
                           _size(n_hidden, "n_hidden"), _size(n_outputs, "n_outputs"), byref(p))

    @classmethod
    def jordan(cls, n_inputs: int, n_hidden: int, n_outputs: int, mu: float = 0.5,
               hidden_activation: str = "tanh", output_activation: str = "identity",
               seed: int = 0, precision: str = "f64") -> "Network":
        """Jordan's network: a "state" layer keeps s(t) = mu s(t-1) + y(t-1) through fixed
        connections ("state->state", diagonal mu; "output->state", identity); "hidden" sees
        x(t) and s(t); "output" reads "hidden".

        Trainable blocks: "input->hidden", "state->hidden", "hidden.bias",
        "hidden->output", "output.bias". Other arguments as :meth:`fully_recurrent`.
        """
        p = _net_params(seed, precision, hidden=hidden_activation, output=output_activation, mu=mu)
        return cls._create(_lib.rtrl_net_create_jordan, _size(n_inputs, "n_inputs"),
                           _size(n_hidden, "n_hidden"), _size(n_outputs, "n_outputs"), byref(p))

    # ------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Frees the network's handle. Safe to call more than once; afterwards every
        other method raises :class:`rtrl.InvalidArgumentError`."""
        h = self._h
        if h is not None:
            self._h = None
            self._addr = 0
            _lib.rtrl_net_free(h)

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._h is None

    def __enter__(self) -> "Network":
        self._handle()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass

    def _handle(self) -> Any:
        h = self._h
        if h is None:
            raise InvalidArgumentError("rtrl: the network is closed")
        return h

    def clone(self) -> "Network":
        """An independent deep copy that continues exactly as this network would."""
        return Network._create(_lib.rtrl_net_clone, self._handle())

    def __copy__(self) -> "Network":
        return self.clone()

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Network":
        return self.clone()

    # ------------------------------------------------------------ training configuration

    def configure(self, optimizer: str = "sgd", learning_rate: float = 0.01, momentum: float = 0.9,
                  beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                  loss: str = "mse", teacher_forcing: bool = False, update_every: int = 1,
                  clip_norm: Optional[float] = None, divergence_guard: bool = True, *,
                  ekf_r: Optional[float] = None, ekf_q: Optional[float] = None,
                  p0: Optional[float] = None, readout: Optional[str] = None,
                  rls_lambda: Optional[float] = None,
                  max_covariance_entries: Optional[int] = None,
                  sensitivity: Optional[str] = None) -> "Network":
        """Sets the whole training configuration (keywords left out take their defaults,
        not their current values) and resets the optimizer state and the update_every
        count; weights, state and the gradient buffer stay. Returns the network.

        Args:
            optimizer: "sgd" (theta -= eta g), "momentum" (v = mu v + g; theta -= eta v),
                "adam" (Kingma & Ba, bias-corrected), or the second-order "ekf" (extended
                Kalman filter over all parameters with the exact RTRL Jacobian) and
                "dekf" (decoupled: one covariance block per unit); the Kalman filters
                update inside :meth:`learn`, need update_every = 1 and the MSE loss.
            learning_rate: eta, finite and >= 0.
            momentum: mu of the momentum optimizer, in [0, 1).
            beta1, beta2, eps: Adam's constants.
            loss: "mse" (E(t) = sum_k (y*_k - y_k)^2) or "cross_entropy" (needs a softmax
                output layer).
            teacher_forcing: feed the targets back in place of the outputs.
            update_every: :meth:`learn` applies the optimizer on every n-th call.
            clip_norm: rescale the gradient to this L2 norm when larger; None = off.
            divergence_guard: refuse (and count) updates that would make the loss, a
                parameter or the optimizer state non-finite (raising DivergedError).

        Keyword-only, None = the library's default:
            ekf_r: EKF/DEKF measurement noise r (default 1).
            ekf_q: EKF/DEKF process noise q (default 1e-6).
            p0: EKF, DEKF and the RLS readout start their covariance at I / p0
                (default 0.01).
            readout: "gradient" (the output layer learns like the rest, the default) or
                "rls" (recursive least squares on the output layer, with sgd, momentum
                or adam for the rest).
            rls_lambda: the RLS readout's forgetting factor, in (0, 1] (default 0.999).
            max_covariance_entries: the most covariance entries EKF, DEKF or the RLS
                readout may hold (default 2**26); more is an OutOfMemoryError.
            sensitivity: "exact" (the default; O(N) per step by itself when every
                recurrence is diagonal), "snap1" (SnAp-1, one sensitivity per parameter;
                only units with an error in the same step learn, so in a fully recurrent
                network only the output units' weights do: use a readout layer, as in
                Elman's network) or "uoro" (an unbiased rank-one estimate); see
                :attr:`sensitivity_path`.
        """
        h = self._handle()
        p = TrainParams()
        _check(_lib.rtrl_train_default_params(byref(p), sizeof(p)))
        p.optimizer = _enum(OPTIMIZER, optimizer, "optimizer")
        p.loss = _enum(LOSS, loss, "loss")
        numbers = [("learning_rate", learning_rate), ("momentum", momentum), ("beta1", beta1),
                   ("beta2", beta2), ("eps", eps), ("ekf_r", ekf_r), ("ekf_q", ekf_q),
                   ("p0", p0), ("rls_lambda", rls_lambda)]
        for field, value in numbers:
            if value is None:
                continue
            try:
                setattr(p, field, float(value))
            except (TypeError, ValueError):
                raise InvalidArgumentError(f"{field}: expected a number, got {value!r}") from None
        if clip_norm is None:
            p.clip_norm = 0.0
        else:
            try:
                c = float(clip_norm)
            except (TypeError, ValueError):
                raise InvalidArgumentError(f"clip_norm: expected a number or None, got {clip_norm!r}") from None
            if not c > 0:  # 0 would silently mean "off" in C
                raise InvalidArgumentError(f"clip_norm: must be > 0 (or None for no clipping), got {c}")
            p.clip_norm = c
        p.teacher_forcing = 1 if teacher_forcing else 0
        every = _size(update_every, "update_every")
        if every >= 1 << 32:
            raise InvalidArgumentError(f"update_every: must be below 2**32, got {every}")
        p.update_every = every
        p.divergence_guard = 1 if divergence_guard else 0
        if readout is not None:
            p.readout = _enum(READOUT, readout, "readout")
        if sensitivity is not None:
            p.sensitivity = _enum(SENSITIVITY, sensitivity, "sensitivity")
        if max_covariance_entries is not None:
            p.max_covariance_entries = _size(max_covariance_entries, "max_covariance_entries")
        _check(_lib.rtrl_net_configure(h, byref(p)))
        return self

    @property
    def config(self) -> Dict[str, Any]:
        """The current training configuration, as the keywords of :meth:`configure`."""
        h = self._handle()
        p = TrainParams()
        _check(_lib.rtrl_train_default_params(byref(p), sizeof(p)))
        _check(_lib.rtrl_net_get_config(h, byref(p)))
        return {
            "optimizer": name_of(OPTIMIZER, p.optimizer),
            "learning_rate": p.learning_rate,
            "momentum": p.momentum,
            "beta1": p.beta1,
            "beta2": p.beta2,
            "eps": p.eps,
            "loss": name_of(LOSS, p.loss),
            "teacher_forcing": bool(p.teacher_forcing),
            "update_every": p.update_every,
            "clip_norm": None if p.clip_norm == 0 else p.clip_norm,
            "divergence_guard": bool(p.divergence_guard),
            "ekf_r": p.ekf_r,
            "ekf_q": p.ekf_q,
            "p0": p.p0,
            "readout": name_of(READOUT, p.readout),
            "rls_lambda": p.rls_lambda,
            "max_covariance_entries": p.max_covariance_entries,
            "sensitivity": name_of(SENSITIVITY, p.sensitivity),
        }

    # ------------------------------------------------------------ stepping and learning

    def feed(self, x: _arrays.ArrayLike) -> np.ndarray:
        """Advances one step with x(t) (forward pass and sensitivity update) and returns
        the prediction y(t)."""
        if not self._addr:
            self._handle()
        _fill(self._xc, self._x, x, "x")
        st = _feed(*self._args_feed)
        if st:
            raise _error(st)
        _check(_output(*self._args_output))
        return self._y.copy()

    def output(self) -> np.ndarray:
        """y(t), the prediction of the last forward pass (zeros before the first step and
        after :meth:`reset_state`)."""
        if not self._addr:
            self._handle()
        _check(_output(*self._args_output))
        return self._y.copy()

    def _learn(self, fn: Any, target: _arrays.ArrayLike) -> float:
        if not self._addr:
            self._handle()
        _fill(self._tc, self._t, target, "target")
        st = fn(*self._args_learn)
        loss = self._lossc.value
        if st:
            e = _error(st)
            if isinstance(e, DivergedError):
                e.loss = loss
            raise e
        self.last_loss = loss
        return loss

    def learn(self, target: _arrays.ArrayLike) -> float:
        """Learns from the target of the current step and returns E(t).

        NaN in `target` means "no target for this unit at this step". Adds dE(t)/dtheta
        to the gradient buffer, applies teacher forcing if configured, and on every
        `update_every`-th call applies the optimizer and clears the buffer.
        """
        return self._learn(_learn_fn, target)

    def accumulate(self, target: _arrays.ArrayLike) -> float:
        """Like :meth:`learn` but only adds dE(t)/dtheta to the gradient buffer (no
        optimizer step, no count toward update_every). Returns E(t)."""
        return self._learn(_accumulate_fn, target)

    def apply(self) -> None:
        """Applies the optimizer to the gradient buffer, clears it and restarts the
        update_every count."""
        _check(_lib.rtrl_net_apply(self._handle()))

    def gradient(self) -> np.ndarray:
        """A copy of the gradient buffer (the sum of dE/dtheta since the last update)."""
        h = self._handle()
        g = np.empty(self._n_params)
        _check(_lib.rtrl_net_gradient(h, _ptr(g), self._n_params))
        return g

    def zero_grad(self) -> None:
        """Clears the gradient buffer (only)."""
        _check(_lib.rtrl_net_zero_grad(self._handle()))

    def step(self, x: _arrays.ArrayLike, target: Optional[_arrays.ArrayLike] = None) -> np.ndarray:
        """feed + output + learn in one call: advances with x(t), returns the prediction
        y(t) made before learning, then learns from `target` (None: no learning; NaN
        entries: no target for that unit). The step's loss is in :attr:`last_loss`.
        Bit for bit the same as feed, output and learn; faster than them on the snap1 and
        diagonal paths (one pass over the sensitivities instead of two).

        Raises DivergedError (with ``.output`` = y(t)) when the divergence guard refused
        the update; the step itself stands.
        """
        if not self._addr:
            self._handle()
        _fill(self._xc, self._x, x, "x")
        if target is None:
            st = _step(*self._args_predict)
            loss = math.nan
        else:
            _fill(self._tc, self._t, target, "target")
            st = _step(*self._args_step)
            loss = self._lossc.value
        if st:
            e = _error(st)
            if isinstance(e, DivergedError):
                e.output = self._y.copy()
                e.loss = loss
            raise e
        self.last_loss = loss
        return self._y.copy()

    def reset_state(self) -> None:
        """Starts a new sequence: activations and sensitivities back to 0 (weights,
        gradient buffer, optimizer state and counters stay)."""
        _check(_lib.rtrl_net_reset_state(self._handle()))

    def run(self, X: Any, Y: Any = None, *, on_diverged: str = "raise"):
        """Runs :meth:`step` over every row of X (one step per row).

        Args:
            X: shape (T, n_inputs) (or (T,) when n_inputs == 1).
            Y: None (no learning), or targets of shape (T, n_outputs) (or (T,) when
                n_outputs == 1); NaN entries mean "no target".
            on_diverged: "raise" (stop at the step the divergence guard refused; the
                exception's ``.index`` is that row) or "continue" (keep going; the refused
                steps count in :attr:`refused_updates`).

        Returns:
            The predictions, shape (T, n_outputs); with Y, the pair (predictions, losses)
            where losses[t] = E(t).
        """
        if on_diverged not in ("raise", "continue"):
            raise InvalidArgumentError(f"on_diverged: expected 'raise' or 'continue', got {on_diverged!r}")
        self._handle()
        xs = _arrays.rows(X, self._n_in, "X")
        steps = xs.shape[0]
        ys = None if Y is None else _arrays.rows(Y, self._n_out, "Y", steps)
        preds = np.empty((steps, self._n_out))
        losses = np.full(steps, np.nan)
        handle, n_in, n_out = self._args_step[0], self._args_step[2], self._args_step[4]
        # ctypes views of the whole arrays (kept alive by the locals above);
        # byref(view, offset) is the cheapest way to pass a pointer to row t.
        xv, pv, lv = _view(xs), _view(preds), _view(losses)
        yv = None if ys is None else _view(ys)
        x_row, y_row = 8 * self._n_in, 8 * self._n_out
        ref = byref
        for t in range(steps):
            if yv is None:
                st = _step(handle, ref(xv, t * x_row), n_in, None, n_out, ref(pv, t * y_row), None)
            else:
                st = _step(handle, ref(xv, t * x_row), n_in, ref(yv, t * y_row), n_out,
                           ref(pv, t * y_row), ref(lv, 8 * t))
            if st:
                if st == _DIVERGED and on_diverged == "continue":
                    continue
                e = _error(st)
                e.index = t
                if isinstance(e, DivergedError):
                    e.output = preds[t].copy()
                    e.loss = float(losses[t])
                raise e
        if steps:
            self.last_loss = float(losses[-1])
        return preds if ys is None else (preds, losses)

    # ------------------------------------------------------------ parameters

    @property
    def num_params(self) -> int:
        """N, the number of trainable parameters (the length of the flat vector)."""
        self._handle()
        return self._n_params

    @property
    def num_inputs(self) -> int:
        """m, the length of x(t)."""
        self._handle()
        return self._n_in

    @property
    def num_outputs(self) -> int:
        """The length of y(t) and of a target."""
        self._handle()
        return self._n_out

    def get_params(self) -> np.ndarray:
        """The flat parameter vector (the trainable blocks concatenated in
        :meth:`param_blocks` order), as a new array."""
        h = self._handle()
        p = np.empty(self._n_params)
        _check(_lib.rtrl_net_get_params(h, _ptr(p), self._n_params))
        return p

    def set_params(self, params: _arrays.ArrayLike) -> None:
        """Replaces the flat parameter vector (length num_params, finite values)."""
        h = self._handle()
        p = _arrays.vector(params, self._n_params, "params")
        _check(_lib.rtrl_net_set_params(h, _ptr(p), self._n_params))

    def _architecture(self) -> _Architecture:
        h = self._handle()
        if self._arch is None:
            self._arch = _Architecture(h)
        return self._arch

    def param_blocks(self) -> List[Tuple[str, int, Tuple[int, ...]]]:
        """The trainable blocks in flat-vector order, as (name, offset, shape); shape is
        (rows, cols) for a dense matrix and (n,) for a diagonal vector or a bias."""
        return list(self._architecture().param_blocks)

    def blocks(self) -> List[Block]:
        """Every block, trainable and fixed, in the network's block order."""
        return list(self._architecture().blocks)

    def _block(self, name: str) -> Block:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"block name: expected a str, got {name!r}")
        block = self._architecture().block_by_name.get(name)
        if block is None:
            names = ", ".join(b.name for b in self._architecture().blocks)
            raise InvalidArgumentError(f"no block named {name!r}; the network has: {names}")
        return block

    def get_block(self, name: str) -> np.ndarray:
        """A copy of the block called `name` (trainable or fixed), shaped as the block."""
        block = self._block(name)
        values = np.empty(block.shape)
        _check(_lib.rtrl_net_get_block(self._handle(), name.encode(), _ptr(values), values.size))
        return values

    def set_block(self, name: str, values: _arrays.ArrayLike) -> None:
        """Replaces the block called `name` with finite values of its shape (or the flat
        row-major vector of them)."""
        block = self._block(name)
        v = _arrays.block(values, block.shape, f"block {name!r}")
        _check(_lib.rtrl_net_set_block(self._handle(), name.encode(), _ptr(v), v.size))

    # ------------------------------------------------------------ introspection

    def layers(self) -> List[Layer]:
        """The layers in creation order (not counting "input")."""
        return list(self._architecture().layers)

    def connections(self) -> List[Connection]:
        """The connections in creation order."""
        return list(self._architecture().connections)

    def output_units(self) -> Tuple[str, List[int]]:
        """(layer, units): y(t) is units `units` of `layer`, in that order."""
        arch = self._architecture()
        return arch.output_layer, list(arch.output_units)

    @property
    def precision(self) -> str:
        """"f64" or "f32": the arithmetic the network computes in."""
        out = c_enum()
        _check(_lib.rtrl_net_precision(self._handle(), byref(out)))
        return name_of(PRECISION, out.value)

    @property
    def step_count(self) -> int:
        """The number of samples fed since creation (reset_state keeps it)."""
        out = c_uint64()
        _check(_lib.rtrl_net_step_count(self._handle(), byref(out)))
        return out.value

    @property
    def memory_bytes(self) -> int:
        """The bytes the network holds now (weights, buffers, state, sensitivities)."""
        out = c_size_t()
        _check(_lib.rtrl_net_memory(self._handle(), byref(out)))
        return out.value

    @property
    def sensitivity_path(self) -> str:
        """How the sensitivities are kept now: "exact", "exact-diagonal" (exact RTRL
        at O(N) per step on a graph whose recurrence is diagonal), "snap1" or "uoro"."""
        mode, diagonal = c_enum(), c_int()
        _check(_lib.rtrl_net_sensitivity(self._handle(), byref(mode), byref(diagonal)))
        name = name_of(SENSITIVITY, mode.value)
        return "exact-diagonal" if diagonal.value else name

    @property
    def refused_updates(self) -> int:
        """The number of updates the divergence guard refused since creation."""
        out = c_uint64()
        _check(_lib.rtrl_net_refused_updates(self._handle(), byref(out)))
        return out.value

    def __repr__(self) -> str:
        if self._h is None:
            return "<rtrl.Network (closed)>"
        arch = self._architecture()
        layers = ", ".join(f"{l.name}({l.size} {l.activation}{' +bias' if l.bias else ''})"
                           for l in arch.layers)
        conns = ", ".join(
            f"{c.source}->{c.target}"
            + (f" {c.kind}" if c.kind != "dense" else "")
            + (" d1" if c.delay else "")
            + ("" if c.trainable else " fixed")
            for c in arch.connections)
        units = arch.output_units
        layer_size = next((l.size for l in arch.layers if l.name == arch.output_layer), -1)
        out = (arch.output_layer if units == list(range(layer_size))
               else f"{arch.output_layer}{units}")
        return (f"<rtrl.Network inputs={self._n_in} layers=[{layers}] connections=[{conns}] "
                f"output={out} params={self._n_params} {self.precision} step={self.step_count}>")

    # ------------------------------------------------------------ saving and loading

    def save(self, path: PathLike) -> None:
        """Saves the whole learner (architecture, configuration, weights, optimizer state,
        activations, sensitivities, gradient buffer, counters) to `path`, atomically."""
        _check(_lib.rtrl_net_save(self._handle(), os.fsencode(path)))

    @classmethod
    def load(cls, path: PathLike) -> "Network":
        """A network saved by :meth:`save` (or :meth:`to_bytes`); it continues bit for bit
        as the saved one would have. Raises FileError (an OSError), CorruptError or
        FormatVersionError (both ValueErrors)."""
        return cls._create(_lib.rtrl_net_load, os.fsencode(path))

    def to_bytes(self) -> bytes:
        """The saved form (the same bytes :meth:`save` writes) as bytes."""
        h = self._handle()
        written = c_size_t()
        cap = self._save_hint
        if not cap:
            _check(_lib.rtrl_net_save_size(h, byref(written)))
            cap = written.value
        for _ in range(3):
            buf = ctypes.create_string_buffer(cap)
            st = _lib.rtrl_net_save_to_buffer(h, buf, cap, byref(written))
            if st == _BUFFER_TOO_SMALL:
                cap = written.value
                continue
            _check(st)
            self._save_hint = written.value
            return buf.raw[:written.value]
        raise _error(_BUFFER_TOO_SMALL)

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> "Network":
        """A network from bytes written by :meth:`to_bytes` or :meth:`save`."""
        if type(data) is bytes:
            raw = data
        else:
            try:
                raw = memoryview(data).tobytes()
            except TypeError:
                raise InvalidArgumentError(
                    f"from_bytes: expected a bytes-like object, got {type(data).__name__}") from None
        return cls._create(_lib.rtrl_net_load_from_buffer, raw, len(raw))

    def __reduce__(self):
        return (Network.from_bytes, (self.to_bytes(),))

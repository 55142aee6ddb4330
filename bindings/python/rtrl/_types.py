"""The C types of ``include/rtrl.h`` as ctypes: handles, enums and parameter structs.

Everything here mirrors the header one to one; ``tests/test_header.py`` compiles the
header and checks every enum value, struct size and field offset against this module, so
the two cannot drift apart.
"""

from __future__ import annotations

import ctypes
from typing import Dict

# ---------------------------------------------------------------- opaque handles


class rtrl_net(ctypes.Structure):
    """``typedef struct rtrl_net rtrl_net;`` (opaque)."""


class rtrl_builder(ctypes.Structure):
    """``typedef struct rtrl_builder rtrl_builder;`` (opaque)."""


class rtrl_stream(ctypes.Structure):
    """``typedef struct rtrl_stream rtrl_stream;`` (opaque)."""


NetPtr = ctypes.POINTER(rtrl_net)
BuilderPtr = ctypes.POINTER(rtrl_builder)
StreamPtr = ctypes.POINTER(rtrl_stream)

# ---------------------------------------------------------------- enums
#
# C enums are passed as ``int`` (the header's enums all fit and have no fixed
# underlying type; on every ABI the library supports they are 4-byte ints).

c_enum = ctypes.c_int

#: ``rtrl_status``.
STATUS: Dict[str, int] = {
    "RTRL_OK": 0,
    "RTRL_ERR_INVALID_ARGUMENT": -1,
    "RTRL_ERR_OUT_OF_MEMORY": -2,
    "RTRL_ERR_IO": -3,
    "RTRL_ERR_CORRUPT": -4,
    "RTRL_ERR_VERSION": -5,
    "RTRL_ERR_BUFFER_TOO_SMALL": -6,
    "RTRL_ERR_DIVERGED": -7,
    "RTRL_ERR_STREAM": -8,
    "RTRL_ERR_INTERNAL": -9,
}

#: ``rtrl_activation``, by the Python name.
ACTIVATION: Dict[str, int] = {
    "identity": 0,  # RTRL_ACTIVATION_IDENTITY
    "logistic": 1,  # RTRL_ACTIVATION_LOGISTIC
    "tanh": 2,  # RTRL_ACTIVATION_TANH
    "relu": 3,  # RTRL_ACTIVATION_RELU
    "softmax": 4,  # RTRL_ACTIVATION_SOFTMAX
}

#: ``rtrl_connection_kind``.
CONNECTION_KIND: Dict[str, int] = {
    "dense": 0,  # RTRL_CONNECTION_DENSE
    "diagonal": 1,  # RTRL_CONNECTION_DIAGONAL
    "identity": 2,  # RTRL_CONNECTION_IDENTITY
}

#: ``rtrl_optimizer``.
OPTIMIZER: Dict[str, int] = {
    "sgd": 0,  # RTRL_OPTIMIZER_SGD
    "momentum": 1,  # RTRL_OPTIMIZER_MOMENTUM
    "adam": 2,  # RTRL_OPTIMIZER_ADAM
    "ekf": 3,  # RTRL_OPTIMIZER_EKF
    "dekf": 4,  # RTRL_OPTIMIZER_DEKF
}

#: ``rtrl_readout``.
READOUT: Dict[str, int] = {
    "gradient": 0,  # RTRL_READOUT_GRADIENT
    "rls": 1,  # RTRL_READOUT_RLS
}

#: ``rtrl_sensitivity``.
SENSITIVITY: Dict[str, int] = {
    "exact": 0,  # RTRL_SENSITIVITY_EXACT
    "snap1": 1,  # RTRL_SENSITIVITY_SNAP1
    "uoro": 2,  # RTRL_SENSITIVITY_UORO
}

#: ``rtrl_stream_input``, ``rtrl_stream_output``, ``rtrl_stream_stop_reason``.
STREAM_INPUT: Dict[str, int] = {"sub": 0, "pull": 1}
STREAM_OUTPUT: Dict[str, int] = {"pub": 0, "push": 1}
STREAM_STOP_REASON: Dict[str, int] = {"stopped": 0, "message_limit": 1, "timeout": 2}

#: ``rtrl_loss``.
LOSS: Dict[str, int] = {
    "mse": 0,  # RTRL_LOSS_MSE
    "cross_entropy": 1,  # RTRL_LOSS_CROSS_ENTROPY
}

#: ``rtrl_precision``.
PRECISION: Dict[str, int] = {
    "f64": 0,  # RTRL_PRECISION_F64
    "f32": 1,  # RTRL_PRECISION_F32
}

#: The C constant behind every Python enum name above (checked against the header).
C_ENUM_NAMES: Dict[str, Dict[str, str]] = {
    "rtrl_activation": {k: "RTRL_ACTIVATION_" + k.upper() for k in ACTIVATION},
    "rtrl_connection_kind": {k: "RTRL_CONNECTION_" + k.upper() for k in CONNECTION_KIND},
    "rtrl_optimizer": {k: "RTRL_OPTIMIZER_" + k.upper() for k in OPTIMIZER},
    "rtrl_readout": {k: "RTRL_READOUT_" + k.upper() for k in READOUT},
    "rtrl_sensitivity": {k: "RTRL_SENSITIVITY_" + k.upper() for k in SENSITIVITY},
    "rtrl_stream_input": {k: "RTRL_STREAM_" + k.upper() for k in STREAM_INPUT},
    "rtrl_stream_output": {k: "RTRL_STREAM_" + k.upper() for k in STREAM_OUTPUT},
    "rtrl_stream_stop_reason": {k: "RTRL_STREAM_" + k.upper() for k in STREAM_STOP_REASON},
    "rtrl_loss": {k: "RTRL_LOSS_" + k.upper() for k in LOSS},
    "rtrl_precision": {k: "RTRL_PRECISION_" + k.upper() for k in PRECISION},
    "rtrl_status": {k: k for k in STATUS},
}

#: The Python dict of every C enum, by the C type name.
ENUMS: Dict[str, Dict[str, int]] = {
    "rtrl_activation": ACTIVATION,
    "rtrl_connection_kind": CONNECTION_KIND,
    "rtrl_optimizer": OPTIMIZER,
    "rtrl_readout": READOUT,
    "rtrl_sensitivity": SENSITIVITY,
    "rtrl_stream_input": STREAM_INPUT,
    "rtrl_stream_output": STREAM_OUTPUT,
    "rtrl_stream_stop_reason": STREAM_STOP_REASON,
    "rtrl_loss": LOSS,
    "rtrl_precision": PRECISION,
    "rtrl_status": STATUS,
}

# ---------------------------------------------------------------- parameter structs


class NetParams(ctypes.Structure):
    """``rtrl_net_params``: how to create a network (fill with rtrl_net_default_params)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("seed", ctypes.c_uint64),
        ("precision", c_enum),
        ("hidden_activation", c_enum),
        ("output_activation", c_enum),
        ("mu", ctypes.c_double),
    ]


class TrainParams(ctypes.Structure):
    """``rtrl_train_params``: how a network learns (fill with rtrl_train_default_params)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("optimizer", c_enum),
        ("learning_rate", ctypes.c_double),
        ("momentum", ctypes.c_double),
        ("beta1", ctypes.c_double),
        ("beta2", ctypes.c_double),
        ("eps", ctypes.c_double),
        ("clip_norm", ctypes.c_double),
        ("loss", c_enum),
        ("teacher_forcing", ctypes.c_int),
        ("update_every", ctypes.c_uint32),
        ("divergence_guard", ctypes.c_int),
        # version 2 of the struct (second-order learning)
        ("ekf_r", ctypes.c_double),
        ("ekf_q", ctypes.c_double),
        ("p0", ctypes.c_double),
        ("readout", c_enum),
        ("rls_lambda", ctypes.c_double),
        ("max_covariance_entries", ctypes.c_uint64),
        ("sensitivity", c_enum),
    ]


class StreamParams(ctypes.Structure):
    """``rtrl_stream_params``: how to create an embedded stream adapter."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("input_endpoint", ctypes.c_char_p),
        ("input_pattern", c_enum),
        ("output_endpoint", ctypes.c_char_p),
        ("output_pattern", c_enum),
        ("settings_json", ctypes.c_char_p),
        ("log_fd", ctypes.c_int),
    ]


class StreamCounters(ctypes.Structure):
    """``rtrl_stream_counters``: an embedded adapter's counters."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("messages", ctypes.c_uint64),
        ("predictions", ctypes.c_uint64),
        ("streams", ctypes.c_uint64),
        ("malformed", ctypes.c_uint64),
        ("gaps", ctypes.c_uint64),
        ("repeats", ctypes.c_uint64),
        ("refused", ctypes.c_uint64),
        ("refused_updates", ctypes.c_uint64),
        ("checkpoints_written", ctypes.c_uint64),
        ("checkpoint_errors", ctypes.c_uint64),
        ("mse", ctypes.c_double),
        ("messages_per_second", ctypes.c_double),
        ("uptime", ctypes.c_double),
    ]


#: The C name of each struct the binding lays out itself.
STRUCTS = {"rtrl_net_params": NetParams, "rtrl_train_params": TrainParams,
           "rtrl_stream_params": StreamParams, "rtrl_stream_counters": StreamCounters}


def name_of(table: Dict[str, int], value: int) -> str:
    """The Python name of an enum value (``"?<value>"`` for one the binding doesn't know)."""
    for k, v in table.items():
        if v == value:
            return k
    return f"?{value}"

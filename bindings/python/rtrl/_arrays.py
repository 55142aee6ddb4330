"""Turning user arrays into the contiguous float64 buffers the C calls read.

Accepted: numpy arrays of any real dtype (bool, int, uint, float16/32/64), lists, tuples
and other array-likes, and a plain number where one value is expected. Non-contiguous
or differently typed input is converted (a copy); complex, string or object data and a
wrong shape are rejected with :class:`~rtrl.InvalidArgumentError` (a ``ValueError``) that
names the argument, the shape expected and the shape given. Finiteness is left to the
library, which reports the offending index.
"""

from __future__ import annotations

from typing import Any, Sequence, Tuple, Union

import numpy as np

from ._errors import InvalidArgumentError

ArrayLike = Union[np.ndarray, Sequence[float], Sequence[Sequence[float]], float]

_F64 = np.dtype(np.float64)
_REAL_KINDS = "biuf"


def _real_array(value: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as e:  # ragged lists and the like
        raise InvalidArgumentError(f"{what}: cannot be read as an array of numbers ({e})") from None
    if arr.dtype.kind not in _REAL_KINDS:
        raise InvalidArgumentError(
            f"{what}: expected real numbers, got an array of dtype {arr.dtype}")
    return arr


def fill(buffer: np.ndarray, value: Any, what: str) -> None:
    """Copies `value` into the preallocated 1-D float64 `buffer` (same length required;
    a scalar is accepted for a buffer of length 1)."""
    if type(value) is np.ndarray and value.dtype == _F64 and value.shape == buffer.shape:
        buffer[...] = value
        return
    arr = _real_array(value, what)
    if arr.shape != buffer.shape and not (arr.ndim == 0 and buffer.shape == (1,)):
        raise InvalidArgumentError(
            f"{what}: expected shape {buffer.shape}, got {arr.shape}")
    buffer[...] = arr


def vector(value: Any, n: int, what: str) -> np.ndarray:
    """`value` as a fresh C-contiguous float64 array of shape (n,)."""
    out = np.empty(n, dtype=np.float64)
    fill(out, value, what)
    return out


def block(value: Any, shape: Tuple[int, ...], what: str) -> np.ndarray:
    """`value` as a C-contiguous float64 array holding a block of `shape`, row-major.

    The block's own shape is accepted, and so is the flat row-major vector of its
    rows * cols values.
    """
    arr = _real_array(value, what)
    size = int(np.prod(shape))
    if arr.shape != tuple(shape) and arr.shape != (size,):
        raise InvalidArgumentError(
            f"{what}: expected shape {tuple(shape)} (or ({size},) row-major), got {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64).reshape(-1)


def rows(value: Any, n: int, what: str, steps: Union[int, None] = None) -> np.ndarray:
    """A sequence of vectors as a C-contiguous float64 array of shape (T, n).

    A 1-D array of length T is accepted when n == 1 (one value per step). When `steps`
    is given, T must equal it.
    """
    arr = _real_array(value, what)
    if arr.ndim == 1 and n == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[1] != n:
        hint = " (or (T,) for one value per step)" if n == 1 else ""
        raise InvalidArgumentError(f"{what}: expected shape (T, {n}){hint}, got {arr.shape}")
    if steps is not None and arr.shape[0] != steps:
        raise InvalidArgumentError(
            f"{what}: has {arr.shape[0]} rows, expected {steps} (one per row of X)")
    return np.ascontiguousarray(arr, dtype=np.float64)

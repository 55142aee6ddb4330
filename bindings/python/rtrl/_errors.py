"""Exceptions: one class per rtrl_status, all under :class:`RTRLError`.

=============================  ==========================================  =================
status                         class                                       also a
=============================  ==========================================  =================
RTRL_ERR_INVALID_ARGUMENT      :class:`InvalidArgumentError`               ``ValueError``
RTRL_ERR_OUT_OF_MEMORY         :class:`OutOfMemoryError`                   ``MemoryError``
RTRL_ERR_IO                    :class:`FileError`                          ``OSError``
RTRL_ERR_CORRUPT               :class:`CorruptError`                       ``ValueError``
RTRL_ERR_VERSION               :class:`FormatVersionError`                 ``ValueError``
RTRL_ERR_BUFFER_TOO_SMALL      :class:`BufferTooSmallError`
RTRL_ERR_DIVERGED              :class:`DivergedError`                      ``ArithmeticError``
RTRL_ERR_STREAM                :class:`StreamError`
RTRL_ERR_INTERNAL              :class:`InternalError`
=============================  ==========================================  =================

Every instance carries ``.status`` (the C value), ``.status_name`` (e.g.
``"RTRL_ERR_CORRUPT"``) and ``.message`` (the library's ``rtrl_last_error()`` text, or the
binding's own when the binding rejected an argument before calling the library).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Type

if TYPE_CHECKING:
    import numpy as np

from ._types import STATUS, name_of


class RTRLError(Exception):
    """A failed librtrl call: ``status`` (the rtrl_status value) and ``message``."""

    #: The rtrl_status this class stands for (the base class: any).
    default_status: int = STATUS["RTRL_ERR_INTERNAL"]
    #: Set by ``Network.run``: the row of X at which the failing step happened.
    index: Optional[int] = None

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        self.status: int = self.default_status if status is None else status
        self.message: str = message
        # Exception.__init__ with one argument keeps str(e) == message, and for the
        # OSError subclass it means no errno/strerror interpretation.
        Exception.__init__(self, message)

    @property
    def status_name(self) -> str:
        """The C name of the status, e.g. ``"RTRL_ERR_INVALID_ARGUMENT"``."""
        return name_of(STATUS, self.status)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # picklable despite the custom __init__
        return (type(self), (self.message, self.status))


class InvalidArgumentError(RTRLError, ValueError):
    """A bad argument: wrong length or shape, non-finite value, unknown name, cycle, ..."""

    default_status = STATUS["RTRL_ERR_INVALID_ARGUMENT"]


class OutOfMemoryError(RTRLError, MemoryError):
    """The network would exceed the library's size limit (or the machine's memory)."""

    default_status = STATUS["RTRL_ERR_OUT_OF_MEMORY"]


class FileError(RTRLError, OSError):
    """A file could not be read or written; the message carries the system's reason."""

    default_status = STATUS["RTRL_ERR_IO"]

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        RTRLError.__init__(self, message, status)


class CorruptError(RTRLError, ValueError):
    """Saved bytes are truncated, damaged or not an rtrl network."""

    default_status = STATUS["RTRL_ERR_CORRUPT"]


class FormatVersionError(RTRLError, ValueError):
    """Saved bytes come from a newer format version than the loaded librtrl reads."""

    default_status = STATUS["RTRL_ERR_VERSION"]


class BufferTooSmallError(RTRLError):
    """A buffer passed to the library was too small (the binding sizes its own)."""

    default_status = STATUS["RTRL_ERR_BUFFER_TOO_SMALL"]


class DivergedError(RTRLError, ArithmeticError):
    """The divergence guard refused an update (a non-finite loss, parameter or state).

    The step's forward pass stands: ``output`` holds y(t) when the failing call produced
    one (``step``), ``loss`` the loss the library reported (NaN when not finite).
    Disable the guard with ``configure(divergence_guard=False)``.
    """

    default_status = STATUS["RTRL_ERR_DIVERGED"]
    output: Optional["np.ndarray"] = None
    loss: float = float("nan")


class StreamError(RTRLError):
    """A stream (ZeroMQ) failure."""

    default_status = STATUS["RTRL_ERR_STREAM"]


class InternalError(RTRLError):
    """A bug in librtrl; please report it with the message."""

    default_status = STATUS["RTRL_ERR_INTERNAL"]


_BY_STATUS: Dict[int, Type[RTRLError]] = {
    cls.default_status: cls
    for cls in (InvalidArgumentError, OutOfMemoryError, FileError, CorruptError,
                FormatVersionError, BufferTooSmallError, DivergedError, StreamError,
                InternalError)
}


def error_for(status: int, message: str) -> RTRLError:
    """The exception for a status code (an unknown code gives a plain RTRLError)."""
    cls = _BY_STATUS.get(status, RTRLError)
    if not message:
        message = f"rtrl call failed with status {status} ({name_of(STATUS, status)})"
    return cls(message, status)

"""rtrl — Real-Time Recurrent Learning (Williams & Zipser, 1989) from Python.

A ctypes binding over librtrl (the C ABI in include/rtrl.h). Networks learn online: every
step they make a prediction and learn from the target at once, with the exact gradient
and no unrolling::

    import numpy as np
    import rtrl

    net = rtrl.Network.elman(1, 16, 1, seed=0)
    net.configure(optimizer="adam", learning_rate=1e-3)
    X, Y = rtrl.datasets.sine(2000, period=25, seed=0)
    predictions, losses = net.run(X, Y)

The library is found through ``RTRL_LIBRARY``, a copy in the package (``rtrl/_lib``), the
repository's ``.build/release`` or ``.build/debug``, or the system; see ``rtrl._library``.
``rtrl.__version__`` is the loaded library's version (``rtrl_version()``).
"""

from __future__ import annotations

from typing import Any

from ._errors import (BufferTooSmallError, CorruptError, DivergedError, FileError,
                      FormatVersionError, InternalError, InvalidArgumentError, OutOfMemoryError,
                      RTRLError, StreamError)
from ._library import LibraryMismatchError, LibraryNotFoundError, library as _library_handle
from . import datasets

# The library is loaded (and its ABI checked) here, at import. When it cannot be found at
# all, `import rtrl` still succeeds so that the pure-Python stream client (rtrl.stream)
# works on a machine without librtrl; the first use of anything that needs the library
# then raises the LibraryNotFoundError that lists every place searched. A library named by
# RTRL_LIBRARY that cannot be loaded, or one that does not match (a missing symbol,
# another ABI), fails the import itself.
try:
    _library_handle()
except LibraryNotFoundError as _error:
    if __import__("os").environ.get("RTRL_LIBRARY"):
        raise  # a library named explicitly must load
    _missing_library: "LibraryNotFoundError | None" = _error
else:
    _missing_library = None

if _missing_library is None:
    from .network import Block, Connection, Layer, Network
    from .builder import Builder

    # Public classes show (and pickle) as rtrl.X rather than rtrl._errors.X.
    for _cls in (Network, Builder, Layer, Connection, Block):
        _cls.__module__ = __name__
    #: The loaded librtrl's version, "MAJOR.MINOR.PATCH".
    __version__: str = _library_handle().version
    #: Where librtrl was loaded from.
    library_path: str = _library_handle().path

for _cls in (RTRLError, InvalidArgumentError, OutOfMemoryError, FileError, CorruptError,
             FormatVersionError, BufferTooSmallError, DivergedError, StreamError, InternalError,
             LibraryNotFoundError, LibraryMismatchError):
    _cls.__module__ = __name__
del _cls


def set_num_threads(threads: int) -> None:
    """Sets the number of threads the large products of the sensitivity update may use
    (OpenBLAS's, and the engine's own kernel for products of fully recurrent layers from
    32 units; smaller ones run on the calling thread). The kernel's worker threads spin for
    0.2 ms after each product, then sleep. Process-wide; 0 restores the default (the
    number of cores, or RTRL_NUM_THREADS); 1 when your own threads already keep every
    core busy."""
    from .network import _check
    _check(_library_handle().rtrl_set_num_threads(int(threads)))


def num_threads() -> int:
    """The number of threads OpenBLAS uses now (see :func:`set_num_threads`)."""
    return int(_library_handle().rtrl_num_threads())


__all__ = [
    "Network", "Builder", "Layer", "Connection", "Block", "datasets",
    "RTRLError", "InvalidArgumentError", "OutOfMemoryError", "FileError", "CorruptError",
    "FormatVersionError", "BufferTooSmallError", "DivergedError", "StreamError",
    "InternalError", "LibraryNotFoundError", "LibraryMismatchError",
    "__version__", "library_path", "set_num_threads", "num_threads",
]


def __getattr__(name: str) -> Any:
    if _missing_library is not None and name in (
            "Network", "Builder", "Layer", "Connection", "Block", "__version__", "library_path"):
        raise _missing_library
    # The pure-Python stream client lives in rtrl.stream (written separately); import it
    # only when asked for, so that `import rtrl` works without it (and without pyzmq).
    if name == "stream":
        import importlib

        try:
            module = importlib.import_module(".stream", __name__)
        except ModuleNotFoundError as e:
            if e.name in (__name__ + ".stream",):
                raise AttributeError("rtrl.stream is not available in this installation") from e
            raise
        globals()["stream"] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
from .network import Block, Connection, Layer, Network
from .builder import Builder
from . import datasets

# Public classes show (and pickle) as rtrl.X rather than rtrl._errors.X.
for _cls in (Network, Builder, Layer, Connection, Block, RTRLError, InvalidArgumentError,
             OutOfMemoryError, FileError, CorruptError, FormatVersionError, BufferTooSmallError,
             DivergedError, StreamError, InternalError, LibraryNotFoundError, LibraryMismatchError):
    _cls.__module__ = __name__
del _cls

#: The loaded librtrl's version, "MAJOR.MINOR.PATCH".
__version__: str = _library_handle().version
#: Where librtrl was loaded from.
library_path: str = _library_handle().path

__all__ = [
    "Network", "Builder", "Layer", "Connection", "Block", "datasets",
    "RTRLError", "InvalidArgumentError", "OutOfMemoryError", "FileError", "CorruptError",
    "FormatVersionError", "BufferTooSmallError", "DivergedError", "StreamError",
    "InternalError", "LibraryNotFoundError", "LibraryMismatchError",
    "__version__", "library_path",
]


def __getattr__(name: str) -> Any:
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

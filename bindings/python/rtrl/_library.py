"""Finding and loading librtrl, and the ctypes signature of every function in rtrl.h.

Discovery order (the first that loads wins; the error lists every place tried):

1. the ``RTRL_LIBRARY`` environment variable (a path to the shared library; if it is set
   and does not load, that is an error, not a reason to look elsewhere);
2. a copy inside the package, ``rtrl/_lib/`` (for a wheel that bundles the library);
3. the repository's ``.build/release`` then ``.build/debug`` (found relative to this
   file when the package is used from its place in the repository, ``bindings/python``);
4. the system: ``ctypes.util.find_library("rtrl")`` (e.g. after ``make install``).

:data:`SIGNATURES` is the single table of ``restype`` and ``argtypes``; every entry must
resolve in the loaded library, and ``tests/test_header.py`` checks it against the header.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import POINTER, c_char_p, c_double, c_int, c_size_t, c_uint32, c_uint64, c_void_p
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from ._types import (BuilderPtr, NetParams, NetPtr, StreamCounters, StreamParams, StreamPtr,
                     TrainParams, c_enum)

#: The ``RTRL_ABI_VERSION`` this binding was written for; the loaded library must report
#: the same value from ``rtrl_abi_version()``.
EXPECTED_ABI_VERSION = 1

_dbl_p = POINTER(c_double)
_size_p = POINTER(c_size_t)
_int_p = POINTER(c_int)
_enum_p = POINTER(c_enum)
_u64_p = POINTER(c_uint64)
_str_p = POINTER(c_char_p)
_status = c_enum

#: name -> (restype, argtypes) for every function declared in include/rtrl.h.
SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    # library
    "rtrl_version": (c_char_p, []),
    "rtrl_abi_version": (c_int, []),
    "rtrl_status_string": (c_char_p, [_status]),
    "rtrl_last_error": (c_char_p, []),
    # parameter structs
    "rtrl_net_default_params": (_status, [POINTER(NetParams), c_size_t]),
    "rtrl_train_default_params": (_status, [POINTER(TrainParams), c_size_t]),
    # creating networks
    "rtrl_net_create_fully_recurrent": (
        _status, [c_size_t, c_size_t, c_size_t, POINTER(NetParams), POINTER(NetPtr)]),
    "rtrl_net_create_elman": (
        _status, [c_size_t, c_size_t, c_size_t, POINTER(NetParams), POINTER(NetPtr)]),
    "rtrl_net_create_jordan": (
        _status, [c_size_t, c_size_t, c_size_t, POINTER(NetParams), POINTER(NetPtr)]),
    "rtrl_net_free": (None, [NetPtr]),
    "rtrl_net_clone": (_status, [NetPtr, POINTER(NetPtr)]),
    # the builder
    "rtrl_builder_create": (_status, [c_size_t, POINTER(BuilderPtr)]),
    "rtrl_builder_add_layer": (_status, [BuilderPtr, c_char_p, c_size_t, c_enum, c_int]),
    "rtrl_builder_connect": (
        _status, [BuilderPtr, c_char_p, c_char_p, c_int, c_enum, c_int, c_double]),
    "rtrl_builder_set_output": (_status, [BuilderPtr, c_char_p, _size_p, c_size_t]),
    "rtrl_builder_build": (_status, [BuilderPtr, POINTER(NetParams), POINTER(NetPtr)]),
    "rtrl_builder_free": (None, [BuilderPtr]),
    # stepping and learning
    "rtrl_net_feed": (_status, [NetPtr, _dbl_p, c_size_t]),
    "rtrl_net_output": (_status, [NetPtr, _dbl_p, c_size_t]),
    "rtrl_net_learn": (_status, [NetPtr, _dbl_p, c_size_t, _dbl_p]),
    "rtrl_net_accumulate": (_status, [NetPtr, _dbl_p, c_size_t, _dbl_p]),
    "rtrl_net_apply": (_status, [NetPtr]),
    "rtrl_net_gradient": (_status, [NetPtr, _dbl_p, c_size_t]),
    "rtrl_net_zero_grad": (_status, [NetPtr]),
    "rtrl_net_step": (
        _status, [NetPtr, _dbl_p, c_size_t, _dbl_p, c_size_t, _dbl_p, _dbl_p]),
    "rtrl_net_reset_state": (_status, [NetPtr]),
    # training configuration
    "rtrl_net_configure": (_status, [NetPtr, POINTER(TrainParams)]),
    "rtrl_net_get_config": (_status, [NetPtr, POINTER(TrainParams)]),
    # parameters
    "rtrl_net_num_params": (c_size_t, [NetPtr]),
    "rtrl_net_num_inputs": (c_size_t, [NetPtr]),
    "rtrl_net_num_outputs": (c_size_t, [NetPtr]),
    "rtrl_net_get_params": (_status, [NetPtr, _dbl_p, c_size_t]),
    "rtrl_net_set_params": (_status, [NetPtr, _dbl_p, c_size_t]),
    "rtrl_net_param_block_count": (c_size_t, [NetPtr]),
    "rtrl_net_param_block": (_status, [NetPtr, c_size_t, _str_p, _size_p, _size_p, _size_p]),
    "rtrl_net_block_count": (c_size_t, [NetPtr]),
    "rtrl_net_block": (_status, [NetPtr, c_size_t, _str_p, _size_p, _size_p, _int_p]),
    "rtrl_net_block_info": (_status, [NetPtr, c_char_p, _size_p, _size_p, _int_p]),
    "rtrl_net_get_block": (_status, [NetPtr, c_char_p, _dbl_p, c_size_t]),
    "rtrl_net_set_block": (_status, [NetPtr, c_char_p, _dbl_p, c_size_t]),
    # counters and introspection
    "rtrl_net_step_count": (_status, [NetPtr, _u64_p]),
    "rtrl_net_refused_updates": (_status, [NetPtr, _u64_p]),
    "rtrl_net_memory": (_status, [NetPtr, _size_p]),
    "rtrl_set_num_threads": (_status, [c_int]),
    # the embedded stream adapter
    "rtrl_stream_default_params": (_status, [POINTER(StreamParams), c_size_t]),
    "rtrl_stream_create": (_status, [POINTER(StreamParams), POINTER(StreamPtr)]),
    "rtrl_stream_run": (_status, [StreamPtr, c_uint64, c_double, _enum_p]),
    "rtrl_stream_stop": (_status, [StreamPtr]),
    "rtrl_stream_stats": (_status, [StreamPtr, POINTER(StreamCounters)]),
    "rtrl_stream_free": (None, [StreamPtr]),
    "rtrl_num_threads": (c_int, []),
    "rtrl_net_sensitivity": (_status, [NetPtr, _enum_p, _int_p]),
    "rtrl_net_precision": (_status, [NetPtr, _enum_p]),
    "rtrl_net_layer_count": (c_size_t, [NetPtr]),
    "rtrl_net_layer": (_status, [NetPtr, c_size_t, _str_p, _size_p, _enum_p, _int_p]),
    "rtrl_net_connection_count": (c_size_t, [NetPtr]),
    "rtrl_net_connection": (
        _status, [NetPtr, c_size_t, _str_p, _str_p, _int_p, _enum_p, _int_p, _dbl_p]),
    "rtrl_net_output_units": (_status, [NetPtr, _str_p, _size_p, c_size_t, _size_p]),
    # saving and loading
    "rtrl_net_save": (_status, [NetPtr, c_char_p]),
    "rtrl_net_load": (_status, [c_char_p, POINTER(NetPtr)]),
    "rtrl_net_save_size": (_status, [NetPtr, _size_p]),
    "rtrl_net_save_to_buffer": (_status, [NetPtr, c_void_p, c_size_t, _size_p]),
    "rtrl_net_load_from_buffer": (_status, [c_void_p, c_size_t, POINTER(NetPtr)]),
    # stream sharding (pure Python in rtrl.stream.shard_of / shard_topic)
    "rtrl_shard_of": (_status, [c_char_p, c_uint32, POINTER(c_uint32)]),
    "rtrl_shard_topic": (_status, [c_char_p, c_uint32, c_char_p, c_size_t, _size_p]),
}

#: The per-step functions, also bound a second time without ``argtypes`` for the hot
#: path (``Library.raw``): ctypes then skips its per-argument conversion, which costs
#: more than the C call itself for a small network. Callers of ``raw`` must pass
#: ctypes instances of exactly the C types: ``c_void_p`` (or a ctypes array / pointer,
#: or None for NULL) for every pointer, ``c_size_t`` for every ``size_t``.
RAW_FUNCTIONS = ("rtrl_net_step", "rtrl_net_feed", "rtrl_net_output", "rtrl_net_learn",
                 "rtrl_net_accumulate")


class LibraryNotFoundError(ImportError):
    """librtrl could not be found or loaded; the message lists every place tried."""


class LibraryMismatchError(ImportError):
    """The loaded librtrl does not match this binding (missing symbol, other ABI)."""


def _library_file_names() -> Sequence[str]:
    if sys.platform == "darwin":
        return ("librtrl.dylib", "librtrl.0.dylib")
    if sys.platform == "win32":
        return ("rtrl.dll", "librtrl.dll")
    return ("librtrl.so", "librtrl.so.0")


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def _repository_root() -> Optional[Path]:
    """The repository this package sits in (``<root>/bindings/python/rtrl``), if any."""
    root = _package_dir().parent.parent.parent
    if (root / "include" / "rtrl.h").is_file():
        return root
    return None


def candidate_paths() -> List[Tuple[str, str]]:
    """The places discovery tries, in order, as (description, path or name)."""
    places: List[Tuple[str, str]] = []
    env = os.environ.get("RTRL_LIBRARY")
    if env:
        places.append(("RTRL_LIBRARY", env))
    for name in _library_file_names():
        places.append(("package copy", str(_package_dir() / "_lib" / name)))
    root = _repository_root()
    if root is not None:
        for config in ("release", "debug"):
            for name in _library_file_names()[:1]:
                places.append((f"repository .build/{config}", str(root / ".build" / config / name)))
    else:
        places.append(("repository .build/release, .build/debug",
                       f"(not searched: {_package_dir()} is not inside the rtrl repository)"))
    return places


def _load() -> Tuple[ctypes.CDLL, str]:
    """Loads the first library found; raises LibraryNotFoundError listing every place."""
    tried: List[str] = []
    env = os.environ.get("RTRL_LIBRARY")
    if not env:
        tried.append("  RTRL_LIBRARY: not set")
    for what, path in candidate_paths():
        if path.startswith("(not searched"):
            tried.append(f"  {what}: {path}")
            continue
        if not os.path.exists(path):
            tried.append(f"  {what}: {path} (no such file)")
            if what == "RTRL_LIBRARY":
                raise LibraryNotFoundError(
                    f"rtrl: RTRL_LIBRARY={env} does not exist; point it at librtrl.so "
                    "(build it with `make lib`) or unset it to search the default places")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            if what == "RTRL_LIBRARY":
                raise LibraryNotFoundError(f"rtrl: RTRL_LIBRARY={env} could not be loaded: {e}") from e
            tried.append(f"  {what}: {path} ({e})")
    found = ctypes.util.find_library("rtrl")
    if found:
        try:
            return ctypes.CDLL(found), found
        except OSError as e:
            tried.append(f"  system (ctypes.util.find_library): {found} ({e})")
    else:
        tried.append("  system (ctypes.util.find_library('rtrl')): not found")
    raise LibraryNotFoundError(
        "rtrl: cannot find librtrl. Looked in:\n" + "\n".join(tried) +
        "\nBuild it (`make lib` in the repository) and/or set RTRL_LIBRARY=/path/to/librtrl.so.")


class Library:
    """The loaded librtrl with every function of :data:`SIGNATURES` bound and typed.

    Attributes are the C functions by name (``lib.rtrl_net_step``); ``raw`` holds the
    ``void *`` variants of :data:`RAW_FUNCTIONS`; ``path`` is where it was loaded from.
    """

    if TYPE_CHECKING:  # the C functions are set as attributes from SIGNATURES
        def __getattr__(self, name: str) -> Any: ...

    def __init__(self, cdll: ctypes.CDLL, path: str) -> None:
        self.cdll = cdll
        self.path = path
        missing = [name for name in SIGNATURES if not hasattr(cdll, name)]
        if missing:
            raise LibraryMismatchError(
                f"rtrl: the library at {path} lacks {len(missing)} function(s) this binding "
                f"needs: {', '.join(missing)}. It is older than the binding; rebuild it "
                "(`make lib`) or point RTRL_LIBRARY at a matching librtrl.")
        for name, (restype, argtypes) in SIGNATURES.items():
            fn = getattr(cdll, name)
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)
        self.raw: Dict[str, Any] = {}
        for name in RAW_FUNCTIONS:
            fn = cdll[name]  # a fresh function object, independent of the typed one
            fn.restype = SIGNATURES[name][0]
            fn.argtypes = None  # type: ignore[assignment]
            self.raw[name] = fn
        abi = self.rtrl_abi_version()
        if abi != EXPECTED_ABI_VERSION:
            raise LibraryMismatchError(
                f"rtrl: the library at {path} has ABI version {abi}, this binding was "
                f"written for ABI version {EXPECTED_ABI_VERSION}; install matching versions.")
        self.version: str = self.rtrl_version().decode()


_library: Optional[Library] = None


def library() -> Library:
    """The process-wide Library, loaded on first use."""
    global _library
    if _library is None:
        _library = Library(*_load())
    return _library

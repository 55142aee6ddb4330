"""Finding and loading librtrl: the discovery order, the errors that list every place
tried, the symbol and ABI checks, `rtrl.__version__`, and the lazy `rtrl.stream`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rtrl
from rtrl import _library
from conftest import PYTHON_DIR, REPO_ROOT


# An editable install (`pip install -e`) adds an import hook that would find the repository's
# modules for a package copied elsewhere; the copies must see only themselves.
_NO_EDITABLE_HOOK = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
                     "if 'editable' not in repr(f).lower()]; ")


def _python(code: str, cwd: Path, env_update: dict) -> subprocess.CompletedProcess:
    code = _NO_EDITABLE_HOOK + code
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(env_update)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """The package copied outside the repository (as if installed from a wheel)."""
    d = tmp_path_factory.mktemp("site")
    shutil.copytree(PYTHON_DIR / "rtrl", d / "rtrl",
                    ignore=shutil.ignore_patterns("__pycache__", "stream", "stream.py", "*.so*"))
    return d


def test_import_prints_the_library_version():
    r = _python("import rtrl; print(rtrl.__version__)", PYTHON_DIR,
                {"RTRL_LIBRARY": rtrl.library_path})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == rtrl.__version__ == _library.library().version


def test_rtrl_library_that_does_not_exist_is_an_error_naming_it(tmp_path):
    missing = tmp_path / "librtrl.so"
    r = _python("import rtrl", PYTHON_DIR, {"RTRL_LIBRARY": str(missing)})
    assert r.returncode != 0
    assert "LibraryNotFoundError" in r.stderr and str(missing) in r.stderr


def test_not_found_lists_every_place_it_looked(package_copy):
    # `import rtrl` alone succeeds without a library (the stream client needs none);
    # the first use of the library raises the error.
    r = _python("import rtrl; rtrl.Network", package_copy, {"RTRL_LIBRARY": None, "LD_LIBRARY_PATH": None})
    if r.returncode == 0:
        pytest.skip("a librtrl is installed system-wide")
    err = r.stderr
    assert "LibraryNotFoundError" in err
    for place in ("RTRL_LIBRARY: not set", str(package_copy / "rtrl" / "_lib" / "librtrl.so"),
                  "repository .build/release", "find_library"):
        assert place in err, place


def test_a_library_copied_into_the_package_is_found(package_copy, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(package_copy, site)
    shutil.copy(rtrl.library_path, site / "rtrl" / "_lib" / "librtrl.so")
    r = _python("import rtrl; print(rtrl.library_path)", site, {"RTRL_LIBRARY": None})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(site / "rtrl" / "_lib" / "librtrl.so")


def test_discovery_order_inside_the_repository(monkeypatch):
    monkeypatch.setenv("RTRL_LIBRARY", "/somewhere/librtrl.so")
    places = _library.candidate_paths()
    assert places[0] == ("RTRL_LIBRARY", "/somewhere/librtrl.so")
    assert places[1][0] == "package copy"
    repo = [p for w, p in places if w.startswith("repository")]
    assert repo == [str(REPO_ROOT / ".build" / "release" / "librtrl.so"),
                    str(REPO_ROOT / ".build" / "debug" / "librtrl.so")]


class _FakeFunction:
    def __init__(self, value=0):
        self.value = value
        self.restype = self.argtypes = None

    def __call__(self, *args):
        return self.value


class _FakeCDLL:
    def __init__(self, abi=1, missing=()):
        for name in _library.SIGNATURES:
            if name not in missing:
                setattr(self, name, _FakeFunction(abi if name == "rtrl_abi_version" else b"9.9.9"))

    def __getitem__(self, name):
        return getattr(self, name)


def test_missing_symbols_fail_with_a_clear_message():
    with pytest.raises(_library.LibraryMismatchError) as info:
        _library.Library(_FakeCDLL(missing=("rtrl_net_clone", "rtrl_net_step")), "/x/librtrl.so")
    msg = str(info.value)
    assert "rtrl_net_clone" in msg and "rtrl_net_step" in msg and "/x/librtrl.so" in msg
    assert isinstance(info.value, ImportError)


def test_abi_mismatch_fails_with_a_clear_message():
    with pytest.raises(_library.LibraryMismatchError, match="ABI version 2"):
        _library.Library(_FakeCDLL(abi=2), "/x/librtrl.so")
    lib = _library.Library(_FakeCDLL(abi=_library.EXPECTED_ABI_VERSION), "/x/librtrl.so")
    assert lib.version == "9.9.9"


def test_every_table_entry_is_bound_with_its_types():
    lib = _library.library()
    for name, (restype, argtypes) in _library.SIGNATURES.items():
        fn = getattr(lib, name)
        assert fn.restype is restype and list(fn.argtypes) == argtypes, name


def test_stream_is_lazy_and_optional(package_copy, tmp_path):
    site = tmp_path / "with_stream"
    shutil.copytree(package_copy, site)
    env = {"RTRL_LIBRARY": rtrl.library_path}
    r = _python("import rtrl, sys; print(hasattr(rtrl, 'stream'), 'rtrl.stream' in sys.modules)",
                site, env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False"]
    (site / "rtrl" / "stream.py").write_text("MARK = 42\n")
    r = _python("import rtrl, sys; a = 'rtrl.stream' in sys.modules; print(a, rtrl.stream.MARK)",
                site, env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "42"]


def test_status_values_agree_with_the_library_names():
    lib = _library.library()
    from rtrl._types import STATUS

    for name, value in STATUS.items():
        assert lib.rtrl_status_string(value).decode().startswith(name + ":"), name
    assert lib.rtrl_status_string(-1000).decode() == "unknown rtrl_status"

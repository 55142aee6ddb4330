"""Shared fixtures. The tests exercise the package in this tree (bindings/python/rtrl),
with librtrl from RTRL_LIBRARY (set by `make test-python`) or the usual discovery."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PYTHON_DIR.parent.parent
HEADER = REPO_ROOT / "include" / "rtrl.h"

if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

import rtrl  # noqa: E402  (after the path set-up)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def elman() -> "rtrl.Network":
    with rtrl.Network.elman(2, 5, 2, seed=3) as net:
        yield net

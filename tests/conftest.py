"""Shared fixtures and helpers for the Python test suite.

* ``torch``: the torch module; the test is skipped only when torch cannot be
  imported (CI installs torch==2.13.0, so these tests run there).
* ``FLOAT_DTYPES`` / the ``float_dtype`` fixture: every float dtype wcinit
  fills -- float16, float32, float64, and bfloat16 when ml_dtypes is
  importable (the report header says whether it was).
* ``restore_simd`` / ``restore_threads``: put the kernel path and the thread
  count back after a test that changes them.
"""
import os
import sys

# -- Keras reads its backend once, at import: the tests use JAX (before anything imports keras)
os.environ.setdefault("KERAS_BACKEND", "jax")
# -- end Keras backend

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # `import reference` from the tests

try:
    import ml_dtypes
except ImportError:  # pragma: no cover - depends on the environment
    ml_dtypes = None

BFLOAT16 = None if ml_dtypes is None else np.dtype(ml_dtypes.bfloat16)

FLOAT_DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]
if BFLOAT16 is not None:
    FLOAT_DTYPES.append(BFLOAT16)
FLOAT_IDS = [d.name for d in FLOAT_DTYPES]
# dtypes whose values are computed in float32 and rounded once
NARROW_DTYPES = [d for d in FLOAT_DTYPES if d.itemsize == 2]


def pytest_report_header(config):
    try:
        import torch
        t = f"torch {torch.__version__}"
    except ImportError:
        t = "torch not importable: torch tests skipped"
    b = ("bfloat16 tested (ml_dtypes %s)" % ml_dtypes.__version__ if ml_dtypes is not None
         else "bfloat16 NOT tested (ml_dtypes not importable)")
    return [f"wcinit tests: {t}; {b}"]


@pytest.fixture(params=FLOAT_DTYPES, ids=FLOAT_IDS)
def float_dtype(request):
    return request.param


@pytest.fixture
def torch():
    """The torch module; skips only if torch is not importable."""
    return pytest.importorskip("torch")


@pytest.fixture
def restore_simd():
    import wcinit
    old = wcinit.get_simd()
    yield
    wcinit.set_simd(old)


@pytest.fixture
def restore_threads():
    import wcinit
    old = wcinit.get_num_threads()
    yield
    wcinit.set_num_threads(old)


def as_f64(x):
    """Values of any float array (bfloat16 included) as float64."""
    return np.asarray(x).astype(np.float64)


def bits(x):
    """The raw bits of an array (for bit-for-bit comparisons, NaN-safe)."""
    x = np.ascontiguousarray(x)
    return x.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[x.dtype.itemsize])

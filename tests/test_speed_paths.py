"""The speed paths write the scalar path's bits (issue 12).

- the fused AVX-512/AVX2 kernels (uniform and raw words in float32/float64,
  transformed in registers) against the scalar path, at the lengths and
  offsets where a fill enters and leaves them: pairs of whole tiles, a
  start inside a tile, a pointer that is not 64-byte aligned;
- float16 by the hardware conversion (vcvtps2ph) and bfloat16 by vector
  rounding against the scalar software rounding, NaNs and infinities included
  (all 2^32 float32 patterns are checked in C: tests/c/test_half.c);
- streaming stores (WCINIT_NT_THRESHOLD=0 streams every contiguous fill) in
  a fresh interpreter against the ordinary stores, on 1 and 2 threads.
"""
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

import wcinit
from conftest import bits

ml_dtypes = pytest.importorskip("ml_dtypes")

SIMD = [p for p in wcinit.simd_paths() if p != "scalar"]
DTYPES = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16),
          np.dtype(ml_dtypes.bfloat16)]
DT_IDS = [str(d) for d in DTYPES]

FILLS = {
    "uniform": lambda x, g: wcinit.uniform_(x, -0.75, 1.5, generator=g),
    "uniform_pos": lambda x, g: wcinit.uniform_(x, 0.125, 3.0, generator=g),
    "uniform_sym": lambda x, g: wcinit.uniform_(x, -0.02, 0.02, generator=g),
    "normal": lambda x, g: wcinit.normal_(x, 0.5, 2.0, generator=g),
    "trunc_normal": lambda x, g: wcinit.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0, generator=g),
}

# lengths around the fused path's unit (two tiles: 128 float32 or 64 float64
# elements) and starts inside a tile / pointers off 64-byte alignment
LENGTHS = [1, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 4099]
SKIPS = [0, 1, 3, 16, 17]


def _fill_on(path, name, dtype, n, skip, seed=7):
    old = wcinit.get_simd()
    wcinit.set_simd(path)
    try:
        base = np.full(n + skip, np.nan, dtype=dtype)
        g = wcinit.Generator(seed, 3)
        FILLS[name](base[skip:], g)  # a view: a start inside the buffer
        return bits(base)
    finally:
        wcinit.set_simd(old)


@pytest.mark.skipif(not SIMD, reason="no SIMD path on this CPU")
@pytest.mark.parametrize("path", SIMD)
@pytest.mark.parametrize("dtype", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("name", list(FILLS))
def test_simd_equals_scalar(path, dtype, name):
    for n in LENGTHS:
        for skip in SKIPS:
            want = _fill_on("scalar", name, dtype, n, skip)
            got = _fill_on(path, name, dtype, n, skip)
            assert np.array_equal(want, got), (path, name, str(dtype), n, skip)


@pytest.mark.skipif(not SIMD, reason="no SIMD path on this CPU")
@pytest.mark.parametrize("path", SIMD)
@pytest.mark.parametrize("dtype", DTYPES[2:], ids=DT_IDS[2:])
def test_half_stores_nan_inf_equal_scalar(path, dtype):
    # float32 mean and std that overflow: +inf radius times cos/sin of both
    # signs gives +-inf, and inf + -inf NaN -- the kernels' NaN (0x7e00 for
    # float16), not the hardware conversion's
    cases = [(1e300, 1e300), (0.0, 1e300), (-1e300, 1.0), (0.0, 1e-41), (3e38, 3e38)]
    for mean, std in cases:
        out = {}
        for p in ("scalar", path):
            old = wcinit.get_simd()
            wcinit.set_simd(p)
            try:
                x = np.zeros(1000, dtype=dtype)
                wcinit.normal_(x, mean, std, generator=wcinit.Generator(11))
                out[p] = bits(x)
            finally:
                wcinit.set_simd(old)
        assert np.array_equal(out["scalar"], out[path]), (mean, std)
    # the cases above did reach NaN and infinity (so the test can fail)
    x = np.zeros(1000, dtype=dtype)
    wcinit.normal_(x, 1e300, 1e300, generator=wcinit.Generator(11))
    v = x.astype(np.float64)
    assert np.isnan(v).any() and np.isinf(v).any()


_NT_SCRIPT = r"""
import hashlib, sys
import numpy as np, ml_dtypes, wcinit
out = []
for threads in (1, 2):
    wcinit.set_num_threads(threads)
    for dt in (np.float32, np.float64, np.float16, ml_dtypes.bfloat16):
        for n, skip in ((200_003, 0), (200_003, 1), (131_072, 5), (777, 3)):
            for k, f in enumerate((
                    lambda x, g: wcinit.uniform_(x, -1.0, 2.0, generator=g),
                    lambda x, g: wcinit.normal_(x, 0.0, 1.0, generator=g),
                    lambda x, g: wcinit.trunc_normal_(x, 0.1, 1.0, -1.0, 1.0, generator=g))):
                base = np.zeros(n + skip, dtype=dt)
                f(base[skip:], wcinit.Generator(1234 + k, 5))
                out.append(hashlib.sha256(base.tobytes()).hexdigest()[:16])
print(" ".join(out))
"""


def _nt_hashes(threshold):
    env = dict(os.environ)
    env.pop("WCINIT_NT_THRESHOLD", None)
    if threshold is not None:
        env["WCINIT_NT_THRESHOLD"] = threshold
    r = subprocess.run([sys.executable, "-c", _NT_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_streaming_stores_same_bits():
    plain = _nt_hashes(None)            # unset: ordinary stores
    streamed = _nt_hashes("0")          # every contiguous fill streamed
    by_llc = _nt_hashes("llc")          # the last-level cache size: these fills stay below
    assert len(plain) == 2 * 4 * 4 * 3
    assert streamed == plain
    assert by_llc == plain
    # the two thread counts give the same values, too
    half = len(plain) // 2
    assert plain[:half] == plain[half:]


def test_sparse_floyd_subsets_uniform():
    """sparse_ picks each column's zero rows by Floyd's sampling: with 6 rows and
    2 zeros, each of the C(6, 2) = 15 row pairs has probability 1/15.  Over
    60000 columns (fixed seed) every pair count is 4000 +- 6 sigma, sigma =
    sqrt(60000 (1/15)(14/15)) = 61.1, and the chi-square statistic (14 degrees
    of freedom, mean 14, sd 5.3) stays below 14 + 6 * 5.3."""
    rows, cols = 6, 60000
    w = wcinit.sparse_(np.empty((rows, cols), np.float32), 2 / rows, generator=2024)
    z = w == 0
    assert (z.sum(axis=0) == 2).all()
    idx = np.nonzero(z.T)[1].reshape(cols, 2)
    code = idx[:, 0] * rows + idx[:, 1]
    counts = np.bincount(code, minlength=rows * rows)
    pairs = [a * rows + b for a in range(rows) for b in range(a + 1, rows)]
    got = counts[pairs]
    assert got.sum() == cols
    expect = cols / 15
    sigma = np.sqrt(cols * (1 / 15) * (14 / 15))
    assert np.all(np.abs(got - expect) < 6 * sigma), got
    chi2 = ((got - expect) ** 2 / expect).sum()
    assert chi2 < 14 + 6 * np.sqrt(2 * 14), chi2


def test_sparse_zeros_independent_of_threads():
    """The draws of column c are the words at elements c*rows + d of the
    reserved float64 range, whichever thread takes the column: 1, 2 and 3
    threads (columns split over the pool above 65536 elements) agree bit for bit."""
    old = wcinit.get_num_threads()
    out = []
    try:
        for nt in (1, 2, 3):
            wcinit.set_num_threads(nt)
            out.append(bits(wcinit.sparse_(np.ones((500, 290)), 0.3,
                                           generator=wcinit.Generator(9, 1))))
    finally:
        wcinit.set_num_threads(old)
    assert np.array_equal(out[0], out[1]) and np.array_equal(out[0], out[2])
    assert ((out[0] == 0).sum(axis=0) == 150).all()

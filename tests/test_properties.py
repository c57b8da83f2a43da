"""Property tests (issue #4): the element-addressed contract under random layouts.

For random shapes (0-5 dims), strides (steps, reversals, transpositions),
dtypes, byte offsets (sub-views, unaligned), thread counts and SIMD paths, a
fill equals -- bit for bit -- the scalar, single-threaded fill of a fresh
C-contiguous array of the same shape from the same generator state; nothing
outside the view is touched; the generator advances by the same amount.

Hypothesis runs derandomized and without a database, so CI is deterministic.
"""
import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wcinit

SIMD_PATHS = wcinit.simd_paths()
DTYPES = [np.float16, np.float32, np.float64]
UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
ZERO_WARNING = "Initializing zero-element tensors is a no-op"

# WCINIT_PROPERTY_SCALE=10 runs ten times as many examples (a soak run; still derandomized)
SCALE = float(os.environ.get("WCINIT_PROPERTY_SCALE", "1"))
SETTINGS = dict(derandomize=True, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- layouts -------------------------------------------------------------------------------

@st.composite
def layouts(draw, min_ndim=0, max_ndim=5, max_dim=6, big=False):
    """A view of a larger sentinel buffer: (shape, steps, reversals, offsets, perm, byte_off).

    With big=True one axis is long enough (>= 2**17 elements in all) that the fill is
    split over the thread pool and the GIL is released."""
    ndim = draw(st.integers(min_ndim, max_ndim))
    shape = [draw(st.integers(0 if not big else 1, max_dim)) for _ in range(ndim)]
    if big:
        if ndim == 0:
            ndim, shape = 1, [1]
        axis = draw(st.integers(0, ndim - 1))
        rest = math.prod(s for i, s in enumerate(shape) if i != axis)
        target = draw(st.integers(2**17, 2**19))
        shape[axis] = max(1, target // max(rest, 1))
    steps = [draw(st.sampled_from([1, 1, 2, 3])) for _ in range(ndim)]
    if big:
        steps = [1 if s > 1024 else st_ for s, st_ in zip(shape, steps)]
    reverse = [draw(st.booleans()) for _ in range(ndim)]
    offsets = [draw(st.integers(0, 2)) for _ in range(ndim)]
    perm = draw(st.permutations(list(range(ndim))))
    byte_off = draw(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 6]))
    return tuple(shape), steps, reverse, offsets, tuple(perm), byte_off


class View:
    """A strided view into a sentinel-filled raw byte buffer, and which elements of the
    parent it covers."""

    def __init__(self, layout, dtype):
        shape, steps, reverse, offsets, perm, byte_off = layout
        dtype = np.dtype(dtype)
        pshape = tuple(o + max(1, s * k) + 1 for s, k, o in zip(shape, steps, offsets))
        n = math.prod(pshape)
        self.raw = np.empty(n * dtype.itemsize + byte_off + 16, np.uint8)
        self.raw[:] = (np.arange(self.raw.size, dtype=np.uint64) * 97 + 13) % 251 + 3
        self.before = self.raw.copy()
        parent = self.raw[byte_off: byte_off + n * dtype.itemsize].view(dtype).reshape(pshape)
        index = np.arange(n).reshape(pshape)
        sl = []
        for s, k, o, r in zip(shape, steps, offsets, reverse):
            if r and s > 0:
                sl.append(slice(o + (s - 1) * k, (o - 1) if o > 0 else None, -k))
            else:
                sl.append(slice(o, o + s * k, k))
        sl = tuple(sl)
        self.view = parent[sl + (Ellipsis,)].transpose(perm)
        self.index = index[sl + (Ellipsis,)].transpose(perm)
        assert self.view.shape == self.index.shape
        self.dtype = dtype
        self.byte_off = byte_off
        # bytes of the raw buffer covered by the view
        covered = np.zeros(self.raw.size, bool)
        starts = byte_off + self.index.ravel() * dtype.itemsize
        for b in range(dtype.itemsize):
            covered[starts + b] = True
        self.covered = covered

    def outside_unchanged(self):
        return np.array_equal(self.raw[~self.covered], self.before[~self.covered])

    def untouched(self):
        return np.array_equal(self.raw, self.before)


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view(UINT[a.dtype.itemsize])


def assert_same_bits(got, ref):
    assert got.shape == ref.shape
    g, r = bits(got), bits(ref)
    if not np.array_equal(g, r):
        bad = np.argwhere(g != r)
        i = tuple(bad[0])
        raise AssertionError(f"{len(bad)} elements differ; first at {i}: {got[i]!r} != {ref[i]!r}")


# ---- configuration: threads and SIMD path, restored afterwards ---------------------------

class Config:
    def __init__(self, threads, simd):
        self.threads, self.simd = threads, simd

    def __enter__(self):
        self.saved = (wcinit.get_num_threads(), wcinit.get_simd())
        wcinit.set_num_threads(self.threads)
        wcinit.set_simd(self.simd)

    def __exit__(self, *exc):
        wcinit.set_num_threads(self.saved[0])
        wcinit.set_simd(self.saved[1])


# every test here changes threads and SIMD paths: conftest's fixtures put them back
pytestmark = pytest.mark.usefixtures("restore_threads", "restore_simd")


# ---- the initializers under test -----------------------------------------------------------

def _fills(params):
    mean, std, a, b, lo, hi, gain, deep = params
    tail_a, tail_b = deep
    return {
        "uniform_": lambda t, g: wcinit.uniform_(t, lo, hi, generator=g),
        "normal_": lambda t, g: wcinit.normal_(t, mean, std, generator=g),
        "trunc_normal_": lambda t, g: wcinit.trunc_normal_(t, mean, std, a, b, generator=g),
        "trunc_normal_deep": lambda t, g: wcinit.trunc_normal_(t, mean, std, mean + tail_a * std,
                                                               mean + tail_b * std, generator=g),
        "kaiming_normal_": lambda t, g: wcinit.kaiming_normal_(t, generator=g),
        "xavier_uniform_": lambda t, g: wcinit.xavier_uniform_(t, gain, generator=g),
    }


FILL_NAMES = list(_fills((0, 1, -2, 2, 0, 1, 1, (25, 30))))
NEEDS_2D = {"kaiming_normal_", "xavier_uniform_"}


@st.composite
def params(draw):
    mean = draw(st.sampled_from([0.0, 0.5, -3.0]))
    std = draw(st.sampled_from([1.0, 0.02, 3.0]))
    a = draw(st.floats(-3, 1))
    b = a + draw(st.floats(0.01, 4))
    lo = draw(st.floats(-2, 1))
    hi = lo + draw(st.floats(0, 3))
    gain = draw(st.sampled_from([1.0, math.sqrt(2), 5 / 3]))
    # an interval deep in a tail (log-space sampler), on either side
    depth = draw(st.floats(22, 40))
    width = draw(st.sampled_from([0.5, 3.0, math.inf]))
    deep = (depth, depth + width) if draw(st.booleans()) else (-depth - width, -depth)
    return mean, std, a, b, lo, hi, gain, deep


def reference(name, prm, shape, dtype, seed, stream):
    """The oracle: scalar path, one thread, fresh C-contiguous array, same generator state."""
    out = np.empty(shape, dtype)
    g = wcinit.Generator(seed, stream)
    with Config(1, "scalar"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _fills(prm)[name](out, g)
    return out, g.offset


def check_fill(name, prm, layout, dtype, threads, simd, seed, stream):
    v = View(layout, dtype)
    shape = v.view.shape
    # as torch: kaiming_* returns early (with the warning) for any shape containing 0,
    # before computing fans; xavier_* computes fans first
    shape_ok = not (name in NEEDS_2D and len(shape) < 2
                    and not (name.startswith("kaiming") and 0 in shape))
    g = wcinit.Generator(seed, stream)
    fill = _fills(prm)[name]
    if not shape_ok:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            fill(v.view, g)
        assert v.untouched() and g.offset == 0
        return
    if v.view.size == 0:
        with Config(threads, simd), pytest.warns(UserWarning, match=ZERO_WARNING):
            out = fill(v.view, g)
        assert out is v.view
        assert v.untouched() and g.offset == 0
        return
    with Config(threads, simd):
        out = fill(v.view, g)
    assert out is v.view
    ref, ref_offset = reference(name, prm, shape, dtype, seed, stream)
    assert_same_bits(v.view, ref)
    assert v.outside_unchanged()
    assert g.offset == ref_offset
    if name.startswith("trunc"):
        x = v.view.astype(np.float64)
        tn = name == "trunc_normal_"
        lo_b = prm[2] if tn else prm[0] + prm[7][0] * prm[1]
        hi_b = prm[3] if tn else prm[0] + prm[7][1] * prm[1]
        # bounds rounded to the dtype may move outward by one ulp
        lo_r = float(np.array(lo_b, dtype)) if math.isfinite(lo_b) else -math.inf
        hi_r = float(np.array(hi_b, dtype)) if math.isfinite(hi_b) else math.inf
        assert np.all((x >= min(lo_b, lo_r)) & (x <= max(hi_b, hi_r)))
    else:
        assert np.all(np.isfinite(v.view.astype(np.float64)))


seeds = st.integers(0, 2**64 - 1)
streams = st.sampled_from([0, 1, 2**63 + 5])
threads = st.integers(1, 4)
simds = st.sampled_from(SIMD_PATHS)
dtypes = st.sampled_from(DTYPES)


@pytest.mark.parametrize("name", FILL_NAMES)
@settings(max_examples=max(1, int(120 * SCALE)), **SETTINGS)
@given(layout=layouts(), dtype=dtypes, prm=params(), nthreads=threads, simd=simds,
       seed=seeds, stream=streams)
def test_strided_fill_matches_scalar_reference(name, layout, dtype, prm, nthreads, simd, seed,
                                              stream):
    check_fill(name, prm, layout, dtype, nthreads, simd, seed, stream)


@pytest.mark.parametrize("name", FILL_NAMES)
@settings(max_examples=max(1, int(8 * SCALE)), **SETTINGS)
@given(layout=layouts(min_ndim=1, max_ndim=4, max_dim=5, big=True), dtype=dtypes, prm=params(),
       nthreads=st.integers(2, 4), simd=simds, seed=seeds, stream=streams)
def test_large_threaded_fill_matches_scalar_reference(name, layout, dtype, prm, nthreads, simd,
                                                      seed, stream):
    """Large enough for the thread pool (parts of >= 2**16 elements) and the GIL release."""
    check_fill(name, prm, layout, dtype, nthreads, simd, seed, stream)


@settings(max_examples=max(1, int(40 * SCALE)), **SETTINGS)
@given(layout=layouts(min_ndim=1), dtype=dtypes, seed=seeds, simd=simds,
       nthreads=threads, data=st.data())
def test_same_seed_same_bits_and_offset_advance(layout, dtype, seed, simd, nthreads, data):
    """Two fills from equal generators agree; consecutive fills from one generator continue
    where the previous one stopped (offset advanced by whole tiles)."""
    v1, v2 = View(layout, dtype), View(layout, dtype)
    if v1.view.size == 0:
        return
    g1, g2 = wcinit.Generator(seed), wcinit.Generator(seed)
    with Config(nthreads, simd):
        wcinit.normal_(v1.view, generator=g1)
        wcinit.normal_(v2.view, generator=g2)
    assert_same_bits(v1.view, v2.view)
    tile = 32 if np.dtype(dtype) == np.float64 else 64
    assert g1.offset == g2.offset == -(-v1.view.size // tile) * 16
    # the second fill equals a fill from a generator set to the first one's end offset
    second = np.empty(v1.view.shape, dtype)
    wcinit.normal_(second, generator=g1)
    g3 = wcinit.Generator(seed)
    state = bytearray(g3.get_state().tobytes())
    state[24:32] = g2.offset.to_bytes(8, "little")
    g3.set_state(np.frombuffer(bytes(state), np.uint8))
    again = np.empty(v1.view.shape, dtype)
    with Config(1, "scalar"):
        wcinit.normal_(again, generator=g3)
    assert_same_bits(second, again)


@settings(max_examples=max(1, int(50 * SCALE)), **SETTINGS)
@given(layout=layouts(min_ndim=1, max_ndim=3), dtype=dtypes, seed=seeds, simd=simds,
       nthreads=threads, data=st.data())
def test_fill_shard_strided_matches_whole(layout, dtype, seed, simd, nthreads, data):
    """A (strided) shard filled at its logical start equals that part of the whole fill."""
    v = View(layout, dtype)
    if v.view.size == 0:
        return
    total = v.view.size + data.draw(st.integers(0, 300))
    start = data.draw(st.integers(0, total - v.view.size))
    dist = data.draw(st.sampled_from(["uniform", "normal", "trunc_normal"]))
    whole = np.empty(total, dtype)
    g = wcinit.Generator(seed)
    with Config(1, "scalar"):
        wcinit.fill_shard(whole, 0, dist, generator=g)
    with Config(nthreads, simd):
        wcinit.fill_shard(v.view, start, dist, generator=g)
    assert g.offset == 0  # fill_shard reads the generator, never advances it
    assert_same_bits(v.view.ravel(), whole[start:start + v.view.size])
    assert v.outside_unchanged()


@settings(max_examples=max(1, int(30 * SCALE)), **SETTINGS)
@given(layout=layouts(min_ndim=2, max_ndim=4), dtype=dtypes, seed=seeds, simd=simds,
       nthreads=threads)
def test_failed_fill_touches_nothing(layout, dtype, seed, simd, nthreads):
    """Any layout: an argument error leaves every byte and the generator as they were."""
    v = View(layout, dtype)
    g = wcinit.Generator(seed)
    with Config(nthreads, simd):
        with pytest.raises(RuntimeError):
            wcinit.uniform_(v.view, 1.0, 0.0, generator=g)
        with pytest.raises(ValueError):
            wcinit.kaiming_normal_(v.view, mode="fan_avg", generator=g) if v.view.size else \
                wcinit.trunc_normal_(v.view, a=math.nan, generator=g)
    assert v.untouched() and g.offset == 0

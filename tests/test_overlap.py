"""The self-overlap check is exact: a strided view is refused if and only if two of its
elements share a byte (csrc/overlap.c).

The oracle is brute force: the set of byte addresses the view's elements cover.  A view
that does not overlap must be filled, and filled with the element-addressed values (its
logical element i equals element i of a contiguous fill from the same generator); one
that overlaps must be refused with the memory and the generator untouched.
"""
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wcinit
from wcinit import _core


def _covered_bytes_overlap(shape, strides, itemsize):
    """True when two elements share a byte (the brute-force oracle)."""
    if 0 in shape:
        return False
    seen = set()
    for idx in itertools.product(*(range(n) for n in shape)):
        off = sum(i * s for i, s in zip(idx, strides))
        for b in range(off, off + itemsize):
            if b in seen:
                return True
            seen.add(b)
    return False


def _view(shape, strides, dtype):
    """A writable as_strided view over a sentinel buffer large enough for any strides;
    returns (view, buffer)."""
    dtype = np.dtype(dtype)
    lo = sum(s * (n - 1) for n, s in zip(shape, strides) if s < 0 and n > 0)
    hi = sum(s * (n - 1) for n, s in zip(shape, strides) if s > 0 and n > 0)
    nbytes = hi - lo + dtype.itemsize + 16
    buf = np.arange(nbytes, dtype=np.uint8) ^ 0xA5
    start = -lo + 8
    base = buf[start:start + dtype.itemsize].view(dtype)
    view = np.lib.stride_tricks.as_strided(base, shape=shape, strides=strides, writeable=True)
    return view, buf


def _check_fill(shape, strides, dtype):
    view, buf = _view(shape, strides, dtype)
    before = buf.copy()
    g = wcinit.Generator(21)
    if _covered_bytes_overlap(shape, strides, np.dtype(dtype).itemsize):
        with pytest.raises(ValueError, match="uniform_: tensor is a self-overlapping view"):
            wcinit.uniform_(view, -1.0, 1.0, generator=g)
        assert np.array_equal(buf, before) and g.offset == 0
    else:
        wcinit.uniform_(view, -1.0, 1.0, generator=g)
        h = wcinit.Generator(21)
        want = wcinit.uniform_(np.empty(view.size, dtype), -1.0, 1.0, generator=h)
        assert view.ravel().tobytes() == want.tobytes()  # logical (row-major) order
        assert g.offset == h.offset


def test_issue_view_is_accepted():
    """shape (3, 2), strides (8, 12) in float32: element byte offsets 0, 12, 8, 20, 16, 28
    are distinct and 4 apart or more, so the view does not overlap (0.1 refused it)."""
    view, _ = _view((3, 2), (8, 12), np.float32)
    offsets = sorted(i * 8 + j * 12 for i in range(3) for j in range(2))
    assert offsets == [0, 8, 12, 16, 20, 28]
    _check_fill((3, 2), (8, 12), np.float32)


@pytest.mark.parametrize("shape,strides", [
    ((3, 2), (4, 8)),       # offset 8 twice
    ((2, 2), (2, 4)),       # float32 elements half an element apart
    ((4, 4), (12, 8)),      # 12*2 == 8*3
    ((3, 3, 2), (0, 8, 4)),  # a zero stride
])
def test_overlapping_views_are_refused(shape, strides):
    assert _covered_bytes_overlap(shape, strides, 4)
    _check_fill(shape, strides, np.float32)


@pytest.mark.parametrize("shape,strides", [
    ((5, 2), (8, 12)), ((2, 3), (12, -8)), ((3, 4), (12, 16)), ((4, 2, 3), (200, 12, 8)),
])
def test_non_overlapping_views_are_filled(shape, strides):
    assert not _covered_bytes_overlap(shape, strides, 4)
    _check_fill(shape, strides, np.float32)


def test_large_layout_only_the_failing_dims_are_enumerated():
    """(1000, 1000, 3, 2) with the issue's (8, 12) inner block and outer strides that step
    past it: decided exactly (only the 6-element inner block is enumerated)."""
    arr = np.zeros(32 * 1000 * 1000 // 4 + 8, np.float32)
    view = np.lib.stride_tricks.as_strided(arr, shape=(1000, 1000, 3, 2),
                                           strides=(32 * 1000, 32, 8, 12), writeable=True)
    assert _core._check(view, "uniform_") is not None


def test_undecidable_layouts_are_refused_with_the_rule():
    """Past 2**20 enumerated elements the check is conservative, and says so."""
    arr = np.zeros(8 * 1100 + 12 * 1100, np.uint8).view(np.float32)
    decided = np.lib.stride_tricks.as_strided(arr, shape=(1024, 1024), strides=(12, 8),
                                              writeable=True)  # 2**20 offsets: exact
    with pytest.raises(ValueError, match="self-overlapping"):
        _core._check(decided, "normal_")
    big = np.lib.stride_tricks.as_strided(arr, shape=(1025, 1024), strides=(12, 8),
                                          writeable=True)
    with pytest.raises(ValueError, match=r"normal_: cannot prove .* nested-stride rule"):
        _core._check(big, "normal_")


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([np.float16, np.float32, np.float64]).flatmap(
    lambda dt: st.tuples(
        st.just(dt),
        st.lists(st.tuples(st.integers(0, 4), st.integers(-6, 6)), min_size=1, max_size=4))))
def test_overlap_check_is_exact(case):
    """Random shapes and strides (multiples of the itemsize, any sign): refused exactly
    when the brute-force byte set says two elements share a byte."""
    dtype, dims = case
    es = np.dtype(dtype).itemsize
    shape = tuple(n for n, _ in dims)
    strides = tuple(k * es for _, k in dims)
    _check_fill(shape, strides, dtype)

"""wcinit.dask: lazy Dask arrays equal the in-place fill bit for bit (issue 11).

What is checked, and why it can fail:
* every initializer, several dtypes, chunkings along every axis (ragged,
  one-element, single-chunk): ``compute()`` has the in-place call's bits, and
  the generator ends where the in-place call leaves it;
* hypothesis over shapes (0-4 dims) and arbitrary chunkings (random
  partitions of every axis);
* ``runs`` (the contiguous row-major runs of a chunk) against ``np.arange``;
* successive constructors from one generator == successive in-place calls;
  generator=None uses and advances the default generator; numpy Generators
  are drawn from as the in-place call draws;
* bad input raises what the in-place call raises, with the generator untouched;
* tasks are small (pickled bytes per task) and pure (keys depend on the plan);
* threaded, synchronous and process-based (LocalCluster, 2 workers) schedulers,
  including a worker killed mid-compute;
* ``import wcinit`` does not import dask.
"""
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import wcinit  # noqa: E402
import wcinit.dask as wd  # noqa: E402
from wcinit import _plan  # noqa: E402
from conftest import BFLOAT16, bits  # noqa: E402

SETTINGS = dict(derandomize=True, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# (name, shape, kwargs): every initializer, kwargs that change its parameters
CASES = [
    ("uniform", (37, 29), dict(a=-0.5, b=2.0)),
    ("normal", (37, 29), dict(mean=1.0, std=0.5)),
    ("trunc_normal", (37, 29), dict(std=0.1, a=-0.15, b=0.2)),
    ("constant", (37, 29), dict(val=0.25)),
    ("ones", (37, 29), {}),
    ("zeros", (37, 29), {}),
    ("eye", (37, 29), {}),
    ("eye", (20, 45), {}),
    ("dirac", (6, 4, 3, 5), dict(groups=2)),
    ("dirac", (4, 6, 3), {}),
    ("xavier_uniform", (8, 6, 3, 3), dict(gain=1.7)),
    ("xavier_normal", (37, 29), {}),
    ("kaiming_uniform", (16, 5, 3, 3), dict(a=0.1, mode="fan_out")),
    ("kaiming_normal", (37, 29), dict(nonlinearity="relu")),
    ("orthogonal", (37, 29), dict(gain=2.0)),
    ("orthogonal", (6, 4, 3), {}),
    ("sparse", (37, 29), dict(sparsity=0.3, std=0.5)),
    # JAX's names: fans along in_axis/out_axis of the whole shape
    ("variance_scaling", (3, 3, 8, 16), dict(scale=2.0, mode="fan_geo_avg", distribution="normal")),
    ("variance_scaling", (20, 30), dict(mode="fan_out", distribution="uniform")),
    ("glorot_uniform", (5, 7, 9), dict(in_axis=0, out_axis=-1)),
    ("glorot_normal", (20, 30), {}),
    ("he_uniform", (3, 3, 8, 16), {}),
    ("he_normal", (3, 3, 8, 16), dict(batch_axis=(0,))),
    ("lecun_uniform", (20, 30), {}),
    ("lecun_normal", (20, 30), {}),
]
RANDOM = {"uniform", "normal", "trunc_normal", "xavier_uniform", "xavier_normal",
          "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse", "variance_scaling",
          "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
          "lecun_normal"}
DTYPES = [np.float32, np.float64, np.float16] + ([BFLOAT16] if BFLOAT16 is not None else [])


def in_place(name, shape, dtype, generator, **kwargs):
    arr = np.empty(shape, dtype)
    f = getattr(wcinit, name + "_")
    if name in RANDOM:
        kwargs["generator"] = generator
    return f(arr, **kwargs)


def chunkings(shape):
    """Chunkings along every axis: single chunk, 1-element, ragged, per-axis."""
    out = [tuple(shape), tuple(1 for _ in shape), tuple(max(1, s // 3 + 1) for s in shape)]
    for d in range(len(shape)):
        c = list(shape)
        c[d] = max(1, shape[d] // 2 - 1)
        out.append(tuple(c))
    out.append(tuple(max(1, s - 1) for s in shape))
    return out


@pytest.mark.parametrize("name,shape,kwargs", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_initializer_any_chunking(name, shape, kwargs, dtype):
    expect = in_place(name, shape, dtype, wcinit.Generator(11, 3), **kwargs)
    for chunks in chunkings(shape):
        g = wcinit.Generator(11, 3)
        x = getattr(wd, name)(shape, chunks=chunks, dtype=dtype, generator=g, **kwargs)
        assert x.shape == shape and x.dtype == np.dtype(dtype) and x.chunksize <= chunks
        got = x.compute(scheduler="sync")
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(bits(got), bits(expect), err_msg=f"chunks={chunks}")
        # the generator moved exactly as far as the in-place call moves it
        g2 = wcinit.Generator(11, 3)
        in_place(name, shape, dtype, g2, **kwargs)
        assert g.offset == g2.offset


def test_default_chunks_are_whole_rows():
    x = wd.normal((8192, 8192), generator=0)  # 256 MiB: two chunks of dask's 128 MiB
    assert x.chunks[1] == (8192,) and len(x.chunks[0]) > 1
    assert wd.normal((10,), generator=0).chunks == ((10,),)


@st.composite
def shapes_and_chunks(draw):
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.integers(0, 9 if ndim > 2 else 70)) for _ in range(ndim))
    chunks = []
    for s in shape:
        if s == 0:
            chunks.append((0,))
            continue
        cuts = sorted(draw(st.sets(st.integers(1, s - 1), max_size=min(s - 1, 5)))) if s > 1 else []
        edges = [0] + cuts + [s]
        chunks.append(tuple(b - a for a, b in zip(edges, edges[1:])))
    return shape, tuple(chunks)


@settings(max_examples=80, **SETTINGS)
@given(sc=shapes_and_chunks(),
       dist=st.sampled_from([("uniform", dict(a=-1.0, b=3.0)), ("normal", dict(std=2.0)),
                             ("trunc_normal", dict(a=-1.0, b=0.5))]),
       dtype=st.sampled_from(DTYPES),
       offset=st.integers(0, 3))
def test_any_chunking_property(sc, dist, dtype, offset):
    """Random shapes, random partitions of every axis, generators part-way used."""
    shape, chunks = sc
    name, kw = dist
    g = wcinit.Generator(2024, 1)
    for _ in range(offset):
        wcinit.normal_(np.empty(70, np.float32), generator=g)
    g2 = wcinit.Generator().set_state(g.get_state())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-element warnings
        x = getattr(wd, name)(shape, chunks=chunks, dtype=dtype, generator=g, **kw)
        expect = getattr(wcinit, name + "_")(np.empty(shape, dtype), generator=g2, **kw)
    assert x.chunks == chunks
    np.testing.assert_array_equal(bits(x.compute(scheduler="sync")), bits(expect))
    assert g.offset == g2.offset


@settings(max_examples=60, **SETTINGS)
@given(sc=shapes_and_chunks())
def test_runs_cover_each_chunk_in_row_major_order(sc):
    """The runs of every chunk are exactly its logical indices, in its row-major order."""
    shape, chunks = sc
    logical = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    bounds = [np.cumsum((0,) + c) for c in chunks]
    for idx in np.ndindex(*[len(c) for c in chunks]):
        region = tuple((int(b[i]), int(b[i + 1])) for b, i in zip(bounds, idx))
        starts, length = _plan.runs(shape, region)
        want = logical[tuple(slice(lo, hi) for lo, hi in region)].reshape(-1)
        got = (starts[:, None] + np.arange(length)).reshape(-1) if len(starts) else starts
        np.testing.assert_array_equal(got, want)


def test_whole_rows_are_one_run_each_chunk():
    starts, length = _plan.runs((10, 4, 5), ((2, 6), (0, 4), (0, 5)))
    assert starts.tolist() == [40] and length == 80
    starts, length = _plan.runs((10, 4, 5), ((2, 4), (1, 3), (0, 5)))
    assert starts.tolist() == [45, 65] and length == 10


@settings(max_examples=60, **SETTINGS)
@given(shape=st.lists(st.integers(1, 7), min_size=1, max_size=4).map(tuple), data=st.data())
def test_contiguous_regions_tile_a_range(shape, data):
    """contiguous_regions(shape, lo, hi) covers [lo, hi) exactly, in order."""
    n = int(np.prod(shape))
    lo = data.draw(st.integers(0, n))
    hi = data.draw(st.integers(lo, n))
    logical = np.arange(n).reshape(shape)
    got = [logical[tuple(slice(a, b) for a, b in r)].reshape(-1)
           for r in _plan.contiguous_regions(shape, lo, hi)]
    got = np.concatenate(got) if got else np.zeros(0, int)
    np.testing.assert_array_equal(got, np.arange(lo, hi))


def test_successive_constructors_match_successive_fills():
    g, h = wcinit.Generator(5), wcinit.Generator(5)
    a = wd.kaiming_uniform((33, 17), chunks=(8, 5), generator=g)
    b = wd.normal((65,), chunks=7, dtype=np.float64, generator=g)
    c = wd.sparse((12, 9), chunks=4, generator=g, sparsity=0.5)
    d = wd.trunc_normal((3, 100), chunks=(2, 30), generator=g)
    ea = wcinit.kaiming_uniform_(np.empty((33, 17), np.float32), generator=h)
    eb = wcinit.normal_(np.empty(65), generator=h)
    ec = wcinit.sparse_(np.empty((12, 9), np.float32), 0.5, generator=h)
    ed = wcinit.trunc_normal_(np.empty((3, 100), np.float32), generator=h)
    # computed out of order, as a cluster would
    for x, e in ((d, ed), (b, eb), (c, ec), (a, ea)):
        np.testing.assert_array_equal(bits(x.compute()), bits(e))
    assert g.offset == h.offset > 0


def test_default_generator_is_used_and_advanced():
    state = wcinit.get_rng_state()
    try:
        wcinit.manual_seed(99)
        x = wd.normal((50, 3), chunks=(7, 2))
        y = wd.uniform((50, 3), chunks=(7, 2))
        wcinit.manual_seed(99)
        ex = wcinit.normal_(np.empty((50, 3), np.float32))
        ey = wcinit.uniform_(np.empty((50, 3), np.float32))
        assert wcinit.default_generator.offset == 2 * 48  # 150 elements: 3 tiles of 16 blocks each
        np.testing.assert_array_equal(x.compute(), ex)
        np.testing.assert_array_equal(y.compute(), ey)
    finally:
        wcinit.set_rng_state(state)


def test_int_and_numpy_generators():
    np.testing.assert_array_equal(wd.normal((9, 9), chunks=4, generator=7).compute(),
                                  wcinit.normal_(np.empty((9, 9), np.float32), generator=7))
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    x = wd.xavier_normal((9, 9), chunks=4, generator=r1)
    e = wcinit.xavier_normal_(np.empty((9, 9), np.float32), generator=r2)
    np.testing.assert_array_equal(x.compute(), e)
    assert r1.integers(2**32) == r2.integers(2**32)  # drawn from alike


BAD = [
    ("variance_scaling", (3, 3), dict(mode="fan_sum")),
    ("variance_scaling", (3, 3), dict(scale=-1.0)),
    ("glorot_uniform", (3, 3), dict(in_axis=5)),
    ("uniform", (3, 3), dict(a=2.0, b=1.0)),
    ("uniform", (3, 3), dict(a="x")),
    ("normal", (3, 3), dict(std=-1.0)),
    ("normal", (3, 3), dict(mean=float("inf"))),
    ("trunc_normal", (3, 3), dict(std=0.0)),
    ("trunc_normal", (3, 3), dict(a=float("nan"))),
    ("kaiming_normal", (3, 3), dict(mode="fan_avg")),
    ("kaiming_uniform", (3, 3), dict(nonlinearity="gelu")),
    ("kaiming_uniform", (3, 3), dict(nonlinearity="leaky_relu", a="x")),
    ("xavier_uniform", (3,), {}),
    ("eye", (3, 3, 3), {}),
    ("dirac", (3, 3), {}),
    ("dirac", (3, 3, 3), dict(groups=2)),
    ("orthogonal", (3,), {}),
    ("sparse", (3, 3, 3), dict(sparsity=0.1)),
    ("sparse", (3, 3), dict(sparsity=1.5)),
    ("constant", (3, 3), dict(val="x")),
]


@pytest.mark.parametrize("name,shape,kwargs", BAD, ids=[f"{b[0]}-{b[2]}" for b in BAD])
def test_bad_input_raises_as_in_place(name, shape, kwargs):
    kw = dict(kwargs)
    if name in RANDOM:
        kw["generator"] = wcinit.Generator(1)
    with pytest.raises(Exception) as want:
        getattr(wcinit, name + "_")(np.empty(shape, np.float32), **kw)
    g = wcinit.Generator(1)
    before = g.get_state()
    with pytest.raises(want.type) as got:
        getattr(wd, name)(shape, generator=g, **kwargs)
    # the same text, with the function named as called (torch's fixed texts unchanged)
    msg = str(want.value).replace(f"{name}_:", f"wcinit.dask.{name}:").replace(
        f"{name}_()", f"wcinit.dask.{name}()")
    assert str(got.value) == msg
    np.testing.assert_array_equal(g.get_state(), before)


def test_bad_shape_dtype_generator():
    with pytest.raises(TypeError, match="shape"):
        wd.normal("abc")
    with pytest.raises(ValueError, match="negative"):
        wd.normal((3, -1))
    with pytest.raises(wcinit.DtypeError):
        wd.normal((3, 3), dtype=np.int32)
    with pytest.raises(TypeError, match="generator"):
        wd.normal((3, 3), generator="seed")
    with pytest.raises(TypeError, match="unexpected keyword"):
        wd.normal((3, 3), stdd=1.0)


def test_zero_size_warns_and_keeps_generator():
    g = wcinit.Generator(1)
    with pytest.warns(UserWarning, match="zero-element"):
        x = wd.normal((0, 5), generator=g)
    assert x.compute().shape == (0, 5) and g.offset == 0


def test_not_element_wise_limit(monkeypatch):
    monkeypatch.setattr(wd, "MAX_WHOLE_ELEMENTS", 100)
    g = wcinit.Generator(1)
    with pytest.raises(ValueError, match=r"wcinit.dask.orthogonal: orthogonal_ is not element-wise"):
        wd.orthogonal((11, 10), generator=g)
    with pytest.raises(ValueError, match=r"MAX_WHOLE_ELEMENTS = 100 elements; shape \(11, 10\)"):
        wd.sparse((11, 10), sparsity=0.1, generator=g)
    assert g.offset == 0
    wd.orthogonal((10, 10), generator=g)  # at the limit: fine


def test_whole_initializer_is_one_task_then_slices():
    x = wd.orthogonal((40, 30), chunks=(10, 10), generator=1)
    graph = dict(x.__dask_graph__())
    heavy = [k for k, v in graph.items() if isinstance(k, tuple) and k[0].endswith("-whole")]
    assert len(heavy) == 1 and len(graph) == 1 + 12


def test_tasks_are_small_and_pure():
    """Each task is a plan (~150 bytes) and a region: the pickled graph of a
    100x100-chunk array costs well under 400 bytes per task, and so does one
    task pickled alone (as distributed ships it)."""
    x = wd.kaiming_normal((1000, 1000), chunks=(10, 10), generator=wcinit.Generator(2))
    graph = dict(x.__dask_graph__())
    assert len(graph) == 10000
    per_task = len(pickle.dumps(graph)) / len(graph)
    assert per_task < 400, per_task
    import cloudpickle
    assert len(cloudpickle.dumps(graph)) / len(graph) < 400
    one = len(pickle.dumps(graph[(x.name, 3, 7)]))
    assert one < 400, one
    # equal plans give equal keys (and different seeds different keys)
    a = wd.normal((30, 30), chunks=10, generator=5)
    b = wd.normal((30, 30), chunks=10, generator=5)
    c = wd.normal((30, 30), chunks=10, generator=6)
    assert a.name == b.name != c.name
    # any chunk recomputed on its own equals the same chunk of the whole
    blk = a.blocks[1, 2].compute()
    np.testing.assert_array_equal(blk, a.compute()[10:20, 20:30])


def test_large_chunks_exact():
    """Chunks over the C core's GIL threshold (2**24 elements): threaded fills."""
    shape = (4200, 4100)
    x = wd.normal(shape, chunks=(2100, 4100), generator=8).compute(scheduler="threads")
    y = wd.normal(shape, chunks=(4200, 2050), generator=8).compute(scheduler="threads")
    e = wcinit.normal_(np.empty(shape, np.float32), generator=8)
    np.testing.assert_array_equal(x, e)
    np.testing.assert_array_equal(y, e)


@pytest.mark.parametrize("scheduler", ["threads", "synchronous", "processes"])
def test_schedulers(scheduler):
    e = wcinit.trunc_normal_(np.empty((64, 48), np.float32), std=0.02, a=-0.04, b=0.04,
                             generator=4)
    with dask.config.set(scheduler=scheduler, num_workers=2):
        x = wd.trunc_normal((64, 48), chunks=(13, 11), std=0.02, a=-0.04, b=0.04, generator=4)
        np.testing.assert_array_equal(x.compute(), e)


def test_import_wcinit_does_not_import_dask():
    code = "import sys, wcinit; print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("name,shape,kwargs", [
    ("truncated_normal", (40, 6), dict(stddev=0.5, lower=-1.0)),
    ("delta_orthogonal", (3, 3, 8, 16), dict(gain=2.0)),
    ("identity", (4, 6), {}), ("bilinear", (4, 4, 1, 2), {}), ("lstm_bias", (32,), {}),
])
def test_run_once_initializers(name, shape, kwargs):
    """The other frameworks' names: one task, exact, generator advanced as in place."""
    import inspect
    fn = getattr(wcinit, name + "_")
    random = "generator" in inspect.signature(fn).parameters
    g, h = wcinit.Generator(4), wcinit.Generator(4)
    x = getattr(wd, name)(shape, chunks=3, generator=g if random else None, **kwargs)
    y = wd.normal((5, 5), generator=g)
    ex = fn(np.empty(shape, np.float32), **kwargs, **({"generator": h} if random else {}))
    ey = wcinit.normal_(np.empty((5, 5), np.float32), generator=h)
    np.testing.assert_array_equal(bits(x.compute()), bits(ex))
    np.testing.assert_array_equal(y.compute(), ey)
    assert g.offset == h.offset


def test_from_initializer_any_callable(monkeypatch):
    x = wd.from_initializer(wcinit.keras.random_normal_, (60, 4), chunks=(7, 3),
                            generator=wcinit.Generator(1), stddev=0.1)
    w = wcinit.keras.random_normal_(np.empty((60, 4), np.float32), stddev=0.1,
                                    generator=wcinit.Generator(1))
    np.testing.assert_array_equal(x.compute(), w)
    with pytest.raises(ValueError, match="input size"):  # the call's own validation
        wd.delta_orthogonal((3, 3, 16, 8), generator=1)
    monkeypatch.setattr(wd, "MAX_WHOLE_ELEMENTS", 10)

    def custom_(t, generator=None):  # not one of wcinit's: one task, limited
        return wcinit.normal_(t, generator=generator)
    with pytest.raises(ValueError, match="MAX_WHOLE_ELEMENTS = 10"):
        wd.from_initializer(custom_, (4, 4), generator=1)
    # Keras's random_normal is element-wise: planned from its one fill, chunked, no limit
    y = wd.from_initializer(wcinit.keras.random_normal_, (60, 4), chunks=(7, 3),
                            generator=wcinit.Generator(1), stddev=0.1)
    np.testing.assert_array_equal(y.compute(), w)
    assert y.npartitions == 9 * 2


# every element-wise framework function and preset rule: chunked plans equal to the
# in-place call (recorded from the one C fill it makes), and refused by no size limit
_FRAMEWORK_EW = [
    ("jax.normal_", lambda: wcinit.jax.normal_, {"stddev": 0.3}),
    ("jax.uniform_", lambda: wcinit.jax.uniform_, {"scale": 0.2}),
    ("jax.truncated_normal_", lambda: wcinit.jax.truncated_normal_, {"stddev": 0.5, "lower": -1.0}),
    ("keras.random_uniform_", lambda: wcinit.keras.random_uniform_, {"minval": -0.3, "maxval": 0.1}),
    ("keras.truncated_normal_", lambda: wcinit.keras.truncated_normal_, {"mean": 0.2}),
    ("keras.glorot_uniform_", lambda: wcinit.keras.glorot_uniform_, {}),
    ("keras.he_normal_", lambda: wcinit.keras.he_normal_, {}),
    ("keras.variance_scaling_", lambda: wcinit.keras.variance_scaling_,
     {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}),
    ("mxnet.uniform_", lambda: wcinit.mxnet.uniform_, {"scale": 0.5}),
    ("mxnet.normal_", lambda: wcinit.mxnet.normal_, {"sigma": 0.5}),
    ("mxnet.xavier_", lambda: wcinit.mxnet.xavier_, {"rnd_type": "gaussian", "magnitude": 2.0}),
    ("presets.fan_in_uniform_", lambda: wcinit.presets.fan_in_uniform_, {"fan_in": 12}),
    ("presets.embedding_normal_", lambda: wcinit.presets.embedding_normal_, {}),
]


@pytest.mark.parametrize("name,get,kw", _FRAMEWORK_EW, ids=[c[0] for c in _FRAMEWORK_EW])
def test_framework_elementwise_are_chunked_exactly(name, get, kw, monkeypatch):
    import functools
    from wcinit import _plan
    fn = get()
    monkeypatch.setattr(wd, "MAX_WHOLE_ELEMENTS", 10)
    shape = (6, 5, 7)
    x = wd.from_initializer(fn, shape, chunks=(4, 2, 3), generator=wcinit.Generator(2, 5), **kw)
    w = fn(np.empty(shape, np.float32), generator=wcinit.Generator(2, 5), **kw)
    assert x.compute().tobytes() == w.tobytes()
    p = _plan.init_plan(functools.partial(fn, **kw), shape, np.float32, wcinit.Generator(2, 5))
    assert p[0] == "random"


def test_preset_trees_plan_element_wise(monkeypatch):
    """Preset rules (closures) carry their call as a partial: planned element-wise,
    so a preset tree larger than MAX_WHOLE_ELEMENTS is chunked, bit for bit."""
    monkeypatch.setattr(wd, "MAX_WHOLE_ELEMENTS", 10)
    trees = {
        "torch": {"fc": {"weight": np.empty((24, 16), np.float32), "bias": np.empty(24, np.float32)},
                  "emb": {"weight": np.empty((30, 8), np.float32)},
                  "lstm": {"weight_ih_l0": np.empty((32, 16), np.float32),
                           "weight_hh_l0": np.empty((32, 8), np.float32),
                           "bias_hh_l0": np.empty(32, np.float32)}},
        "flax": {"Dense_0": {"kernel": np.empty((16, 24), np.float32), "bias": np.empty(24, np.float32)},
                 "Embed_0": {"embedding": np.empty((30, 8), np.float32)}},
        "keras": {"dense": {"kernel": np.empty((16, 24), np.float32), "bias": np.empty(24, np.float32)},
                  "embedding": {"embeddings": np.empty((30, 8), np.float32)}},
        "mxnet": {"dense0": {"weight": np.empty((24, 16), np.float32), "bias": np.empty(24, np.float32)}},
    }
    for fw, tree in trees.items():
        lazy = wd.init_params(tree, preset=fw, generator=4, chunks=(5, 3))
        ref = wcinit.init_params({k: {n: a.copy() for n, a in v.items()} for k, v in tree.items()},
                                 preset=fw, generator=4)
        for name, arr in lazy.items():
            assert arr.compute().tobytes() == ref[name].value.tobytes(), (fw, name)
            if arr.ndim == 2:
                assert arr.npartitions > 1, (fw, name)


def test_parameter_tree_equals_init_params():
    """wcinit.dask.init_params == wcinit.init_params for rules of every kind: torch
    and JAX names, partials, constants, torch's bias rule (fan_in of the sibling
    weight), a framework preset, and a custom callable (one task)."""
    import functools

    def custom_(t, generator=None):  # not one of wcinit's: computed whole
        wcinit.normal_(t, std=3.0, generator=generator)
        t[0] = 7.0
        return t

    spec = {"enc": {"weight": np.empty((40, 24), np.float32), "bias": np.empty(40, np.float32)},
            "conv": {"kernel": np.empty((3, 3, 8, 16), np.float32), "bias": np.empty(16, np.float32)},
            "odd": np.empty((9, 5), np.float64), "skip": np.empty(3, np.float32)}
    rules = [("enc.weight", functools.partial(wcinit.kaiming_uniform_, a=5 ** 0.5)),
             ("enc.bias", wcinit.torch_bias_), ("conv.kernel", wcinit.he_normal_),
             ("conv.bias", 0.1), ("odd", custom_), ("skip", None)]
    for gen in (5, wcinit.Generator(5, 9)):
        lazy = wd.init_params(spec, rules, generator=gen, chunks=(7, 5))
        assert "skip" not in lazy
        wcinit.init_params(spec, rules, generator=gen, measure=False)
        want = {"enc.weight": spec["enc"]["weight"], "enc.bias": spec["enc"]["bias"],
                "conv.kernel": spec["conv"]["kernel"], "conv.bias": spec["conv"]["bias"],
                "odd": spec["odd"]}
        assert set(lazy) == set(want)
        for name, w in want.items():
            np.testing.assert_array_equal(bits(lazy[name].compute()), bits(w), err_msg=name)
    # a preset: flax's layer defaults on a Flax-shaped tree
    flax = {"Dense_0": {"kernel": np.empty((24, 40), np.float32), "bias": np.empty(40, np.float32)}}
    lazy = wd.init_params(flax, preset="flax", generator=2, chunks=(5, 7))
    wcinit.init_params(flax, preset="flax", generator=2, measure=False)
    np.testing.assert_array_equal(lazy["Dense_0.kernel"].compute(), flax["Dense_0"]["kernel"])
    np.testing.assert_array_equal(lazy["Dense_0.bias"].compute(), flax["Dense_0"]["bias"])


def test_parameter_tree_validates_everything_first():
    spec = {"a": np.empty((4, 4), np.float32), "b": np.empty((4, 4), np.float32)}
    import functools
    with pytest.raises(ValueError, match="'b'.*Mode fan_x not supported"):
        wd.init_params(spec, [("a", wcinit.normal_),
                              ("b", functools.partial(wcinit.kaiming_normal_, mode="fan_x"))],
                       generator=1)
    with pytest.raises(ValueError, match="no rule matches parameter 'b'"):
        wd.init_params(spec, [("a", wcinit.normal_)], generator=1)


# ---- a real process-based cluster ------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import logging
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1",
                                  silence_logs=logging.CRITICAL, memory_limit=0,
                                  scheduler_kwargs={"dashboard": False}) as c:
        yield c


def test_cluster_compute(cluster):
    distributed = pytest.importorskip("distributed")
    with distributed.Client(cluster, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        g, h = wcinit.Generator(31), wcinit.Generator(31)
        x = wd.kaiming_normal((300, 200), chunks=(45, 70), generator=g, nonlinearity="relu")
        o = wd.orthogonal((60, 40), chunks=(25, 15), generator=g)
        ex = wcinit.kaiming_normal_(np.empty((300, 200), np.float32), nonlinearity="relu", generator=h)
        eo = wcinit.orthogonal_(np.empty((60, 40), np.float32), generator=h)
        fx, fo = client.compute([x, o])
        np.testing.assert_array_equal(fx.result(timeout=60), ex)
        np.testing.assert_array_equal(fo.result(timeout=60), eo)
        who = client.who_has()
        assert len({w for ws in who.values() for w in ws}) <= 2


def test_cluster_worker_killed_mid_compute(cluster, tmp_path):
    """One task hard-kills its worker (os._exit) the first time it runs, while
    both workers hold finished chunks.  Dask reruns the lost tasks on the
    other (or the restarted) worker; the result is still exact, which works
    only because every chunk is a pure function of its small task."""
    distributed = pytest.importorskip("distributed")
    log = str(tmp_path / "runs.log")
    marker = str(tmp_path / "killed")
    nchunks = 24

    def slow(block, block_info=None):
        import os as _os
        import time as _time
        loc = block_info[0]["chunk-location"][0]
        with open(log, "a") as f:
            f.write(f"{loc}\n")
        _time.sleep(0.05)
        if loc == nchunks - 6 and not _os.path.exists(marker):
            open(marker, "w").close()
            _os._exit(1)
        return block

    with distributed.Client(cluster, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        x = wd.normal((nchunks * 10, 50), chunks=(10, 50), generator=77, std=3.0)
        fut = client.compute(x.map_blocks(slow, dtype=x.dtype))
        got = fut.result(timeout=120)
        client.wait_for_workers(2, timeout=60)
    np.testing.assert_array_equal(got, wcinit.normal_(np.empty((nchunks * 10, 50), np.float32),
                                                      std=3.0, generator=77))
    assert os.path.exists(marker)  # the worker did die
    runs = open(log).read().split()
    assert len(runs) > nchunks  # and some work was redone


def test_cluster_worker_sigkilled_from_outside(cluster, tmp_path):
    """A worker process SIGKILLed by the test while chunks are being computed
    and held: the result is still exact."""
    import signal
    import time
    distributed = pytest.importorskip("distributed")
    log = str(tmp_path / "runs.log")
    nchunks = 30

    def slow(block, block_info=None):
        import time as _time
        with open(log, "a") as f:
            f.write(f"{block_info[0]['chunk-location'][0]}\n")
        _time.sleep(0.04)
        return block

    with distributed.Client(cluster, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        pids = client.run(os.getpid)
        x = wd.uniform((nchunks * 8, 40), chunks=(8, 40), generator=wcinit.Generator(8, 1), a=-3.0, b=3.0)
        fut = client.compute(x.map_blocks(slow, dtype=x.dtype))
        deadline = time.monotonic() + 60
        while (not os.path.exists(log) or len(open(log).read().split()) < nchunks // 3) \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        got = fut.result(timeout=120)
        client.wait_for_workers(2, timeout=60)
        assert victim not in client.run(os.getpid).values()  # it really died
    want = wcinit.uniform_(np.empty((nchunks * 8, 40), np.float32), a=-3.0, b=3.0,
                           generator=wcinit.Generator(8, 1))
    np.testing.assert_array_equal(got, want)


def test_cluster_writes_zarr_checkpoint(cluster, tmp_path):
    """save_initialized(format='zarr') under a distributed Client: the workers
    write the chunks (to_zarr), the file reads back as init_params' bits."""
    distributed = pytest.importorskip("distributed")
    zarr = pytest.importorskip("zarr")
    import functools
    spec = {"w": np.empty((120, 50), np.float32), "b": np.empty(50, np.float32)}
    rules = [("w", functools.partial(wcinit.xavier_uniform_, gain=2.0)), ("b", wcinit.zeros_)]
    seen = []
    with distributed.Client(cluster, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        wcinit.save_initialized(tmp_path / "c.zarr", spec, rules, generator=3, format="zarr",
                                piece_bytes=1000, progress=lambda d, t: seen.append((d, t)))
    total = 120 * 50 * 4 + 50 * 4
    # the bar follows the workers' chunks as they finish, not one jump at the end
    assert len(seen) > 3 and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    wcinit.init_params(spec, rules, generator=3, measure=False)
    group = zarr.open_group(str(tmp_path / "c.zarr"), mode="r")
    assert group["w"].chunks[0] < 120  # really in pieces
    np.testing.assert_array_equal(group["w"][...], spec["w"])
    np.testing.assert_array_equal(group["b"][...], spec["b"])

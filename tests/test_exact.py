"""Exact, deterministic outputs and the reproducibility contract (DESIGN.md).

Nothing here is statistical: every assertion is an identity that holds bit
for bit (or an exact algebraic identity up to the stated rounding).

The tile rule (csrc/wcinit.h): a fill of n elements reserves whole tiles of
16 Philox blocks -- 64 elements per tile when computed in float32 (float16,
bfloat16, float32 arrays) or 32 elements when computed in float64 -- so the
generator's offset advances by 16 * ceil(n / tile) blocks.  Two successive
fills therefore equal the two halves of one fill exactly when the first
fill's length is a multiple of the tile.
"""
import copy
import math
import pickle
import re
import threading

import numpy as np
import pytest

import reference as R
import wcinit
from conftest import FLOAT_DTYPES, FLOAT_IDS, NARROW_DTYPES, as_f64, bits

TILE = {"float16": 64, "bfloat16": 64, "float32": 64, "float64": 32}

# every random initializer, with non-default arguments, as fill(arr, generator)
RANDOM_INITS = {
    "uniform_": lambda x, g: wcinit.uniform_(x, -0.5, 2.0, generator=g),
    "normal_": lambda x, g: wcinit.normal_(x, 0.25, 3.0, generator=g),
    "trunc_normal_": lambda x, g: wcinit.trunc_normal_(x, 0.1, 0.7, -0.3, 1.9, generator=g),
    "trunc_normal_tail": lambda x, g: wcinit.trunc_normal_(x, 0.0, 1.0, 8.0, 9.0, generator=g),
    "xavier_uniform_": lambda x, g: wcinit.xavier_uniform_(x, 1.5, generator=g),
    "xavier_normal_": lambda x, g: wcinit.xavier_normal_(x, 0.5, generator=g),
    "kaiming_uniform_": lambda x, g: wcinit.kaiming_uniform_(x, a=0.3, generator=g),
    "kaiming_normal_": lambda x, g: wcinit.kaiming_normal_(x, mode="fan_out", generator=g),
    "orthogonal_": lambda x, g: wcinit.orthogonal_(x, 2.0, generator=g),
    "sparse_": lambda x, g: wcinit.sparse_(x, 0.3, 0.1, generator=g),
}
ELEMENTWISE = [k for k in RANDOM_INITS if k not in ("orthogonal_", "sparse_")]


def fresh(shape, dtype, fill=np.nan):
    return np.full(shape, fill, dtype=dtype)


# ---- same seed, same bits --------------------------------------------------------

@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_same_seed_identical_bits(name, float_dtype):
    fn = RANDOM_INITS[name]
    shape = (48, 70)
    a = fn(fresh(shape, float_dtype), wcinit.Generator(123))
    b = fn(fresh(shape, float_dtype), wcinit.Generator(123))
    c = fn(fresh(shape, float_dtype), 123)  # an int seed is a fresh Generator(seed)
    d = fn(fresh(shape, float_dtype), np.int64(123))
    assert np.array_equal(bits(a), bits(b))
    assert np.array_equal(bits(a), bits(c))
    assert np.array_equal(bits(a), bits(d))
    e = fn(fresh(shape, float_dtype), wcinit.Generator(124))
    assert not np.array_equal(bits(a), bits(e))


@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_numpy_generator_accepted(name):
    """A numpy.random.Generator is accepted: equal states give equal arrays,
    and it is advanced (a seed is drawn from it), so the next call differs."""
    fn = RANDOM_INITS[name]
    r1, r2 = np.random.default_rng(9), np.random.default_rng(9)
    a = fn(fresh((20, 30), np.float32), r1)
    b = fn(fresh((20, 30), np.float32), r2)
    assert np.array_equal(a, b)
    c = fn(fresh((20, 30), np.float32), r1)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("bad", [1.5, "3", True, object()])
def test_bad_generator_type(bad):
    x = np.zeros(5)
    with pytest.raises(TypeError, match="generator"):
        wcinit.normal_(x, generator=bad)
    assert (x == 0).all()


UNIFORM_FAMILY = ("uniform_", "xavier_uniform_", "kaiming_uniform_")


@pytest.mark.parametrize("name", [k for k in RANDOM_INITS if k not in UNIFORM_FAMILY])
def test_narrow_dtypes_are_float32_rounded_once(name):
    """float16 / bfloat16 results are the float32 results rounded once to
    nearest-even (computed in float32 and rounded at the store).  Not the
    uniform family: since 0.2.0 it draws all 32 bits of the word for these
    dtypes (test_narrow_uniform_follows_documented_mapping)."""
    fn = RANDOM_INITS[name]
    ref = fn(fresh((64, 50), np.float32), 5)
    for dt in NARROW_DTYPES:
        x = fn(fresh((64, 50), dt), 5)
        assert np.array_equal(bits(x), bits(ref.astype(dt))), dt


# ---- Generator API -------------------------------------------------------------------

def test_generator_default_seed_is_torch_default():
    assert wcinit.Generator().initial_seed() == 67280421310721
    assert wcinit.Generator().device == "cpu"


def test_generator_seeds():
    assert wcinit.Generator(-1).initial_seed() == 2 ** 64 - 1  # as torch: 2^64 + seed
    assert wcinit.Generator(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    assert wcinit.Generator(np.uint64(7)).initial_seed() == 7
    g = wcinit.Generator()
    with pytest.raises(RuntimeError):
        g.manual_seed(2 ** 64)
    with pytest.raises(RuntimeError):
        g.manual_seed(-2 ** 63 - 1)
    with pytest.raises(TypeError):
        g.manual_seed(1.5)
    with pytest.raises(TypeError):
        g.manual_seed(True)


def test_manual_seed_restarts_stream():
    g = wcinit.Generator(1)
    assert g.manual_seed(42) is g
    a = wcinit.normal_(np.empty(1000), generator=g)
    b = wcinit.normal_(np.empty(1000), generator=g)
    assert g.initial_seed() == 42
    g.manual_seed(42)
    assert g.offset == 0
    assert np.array_equal(wcinit.normal_(np.empty(1000), generator=g), a)
    assert np.array_equal(wcinit.normal_(np.empty(1000), generator=g), b)


def test_seed_from_entropy():
    g = wcinit.Generator(1)
    wcinit.normal_(np.empty(10), generator=g)
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s and g.offset == 0
    assert g.seed() != s  # 2^-64 chance of a collision
    a = wcinit.normal_(np.empty(100), generator=g)
    assert np.array_equal(a, wcinit.normal_(np.empty(100), generator=g.initial_seed()))


def test_get_set_state_continue_stream():
    g = wcinit.Generator(7, stream=3)
    wcinit.uniform_(np.empty(100, np.float32), generator=g)
    state = g.get_state()
    assert state.dtype == np.uint8 and state.shape == (40,)  # magic, seed, stream, offset, spawned
    a = wcinit.normal_(np.empty(500), generator=g)
    b = wcinit.trunc_normal_(np.empty(77, np.float16), generator=g)
    g.set_state(state)
    assert np.array_equal(wcinit.normal_(np.empty(500), generator=g), a)
    assert np.array_equal(bits(wcinit.trunc_normal_(np.empty(77, np.float16), generator=g)), bits(b))
    h = wcinit.Generator().set_state(state)  # another generator takes the whole state
    assert (h.initial_seed(), h.stream) == (7, 3)
    assert np.array_equal(wcinit.normal_(np.empty(500), generator=h), a)
    with pytest.raises(ValueError):
        g.set_state(np.zeros(32, np.uint8))
    with pytest.raises((TypeError, ValueError)):
        g.set_state("nope")


def test_pickle_and_copy_continue_stream():
    g = wcinit.Generator(11)
    wcinit.normal_(np.empty(333), generator=g)
    clones = [pickle.loads(pickle.dumps(g)), copy.deepcopy(g)]
    ref = wcinit.normal_(np.empty(1000), generator=g)
    for c in clones:
        assert c is not g and c.offset == g.offset - 16 * math.ceil(1000 / 32)
        assert np.array_equal(wcinit.normal_(np.empty(1000), generator=c), ref)


def test_spawn_distinct_and_deterministic():
    g = wcinit.Generator(5)
    kids = g.spawn(3)
    more = g.spawn(2)
    streams = {k.stream for k in kids + more} | {g.stream}
    assert len(streams) == 6
    outs = [wcinit.normal_(np.empty(256, np.float32), generator=k) for k in [g] + kids + more]
    for i in range(len(outs)):
        for j in range(i):
            assert not np.array_equal(outs[i], outs[j])
    assert all(k.initial_seed() == 5 for k in kids)
    # the same parent state spawns the same children
    again = wcinit.Generator(5).spawn(3)
    assert [k.stream for k in again] == [k.stream for k in kids]
    assert g.spawn(0) == []
    with pytest.raises(ValueError):
        g.spawn(-1)
    grandkids = kids[0].spawn(2)
    assert not ({k.stream for k in grandkids} & streams)


def test_module_level_generator_functions():
    old = wcinit.get_rng_state()
    try:
        assert wcinit.manual_seed(2024) is wcinit.default_generator
        assert wcinit.initial_seed() == 2024
        a = wcinit.normal_(np.empty(100))          # generator=None: the default generator
        assert np.array_equal(a, wcinit.normal_(np.empty(100), generator=2024))
        state = wcinit.get_rng_state()
        b = wcinit.uniform_(np.empty(64, np.float32))
        wcinit.set_rng_state(state)
        assert np.array_equal(wcinit.uniform_(np.empty(64, np.float32)), b)
        s = wcinit.seed()
        assert wcinit.initial_seed() == s
    finally:
        wcinit.set_rng_state(old)


# ---- the tile rule: successive fills never overlap ---------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=FLOAT_IDS)
def test_successive_fills_are_halves_of_one_fill(dtype):
    """With n a multiple of the tile, two fills of n equal one fill of 2n."""
    n = 5 * TILE[np.dtype(dtype).name]
    for fn in (wcinit.uniform_, wcinit.normal_, wcinit.trunc_normal_):
        g = wcinit.Generator(3)
        a, b = fn(np.empty(n, dtype), generator=g), fn(np.empty(n, dtype), generator=g)
        whole = fn(np.empty(2 * n, dtype), generator=3)
        assert np.array_equal(bits(np.concatenate([a, b])), bits(whole))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=FLOAT_IDS)
def test_offset_advances_by_whole_tiles(dtype):
    """A fill of n reserves 16 * ceil(n / tile) blocks; a second fill starts at
    the next whole tile, i.e. equals elements [T, T + n) of a single fill,
    T = tile * ceil(n / tile); the values in between are never used."""
    tile = TILE[np.dtype(dtype).name]
    for n in (1, tile - 1, tile + 1, 3 * tile + 5, 1000):
        g = wcinit.Generator(8)
        wcinit.normal_(np.empty(n, dtype), generator=g)
        assert g.offset == 16 * math.ceil(n / tile)
        second = wcinit.normal_(np.empty(n, dtype), generator=g)
        T = tile * math.ceil(n / tile)
        whole = wcinit.normal_(np.empty(T + n, dtype), generator=8)
        assert np.array_equal(bits(second), bits(whole[T:]))


def test_offsets_of_composite_initializers():
    """orthogonal_ draws one normal fill of rows*cols in float32 (float64 for
    float64 arrays); sparse_ a normal fill plus one float64-tile fill of keys
    for the zero positions."""
    g = wcinit.Generator(1)
    wcinit.orthogonal_(np.empty((10, 30), np.float16), generator=g)
    assert g.offset == 16 * math.ceil(300 / 64)
    g = wcinit.Generator(1)
    wcinit.orthogonal_(np.empty((10, 30)), generator=g)
    assert g.offset == 16 * math.ceil(300 / 32)
    g = wcinit.Generator(1)
    wcinit.sparse_(np.empty((10, 30), np.float32), 0.5, generator=g)
    assert g.offset == 16 * math.ceil(300 / 64) + 16 * math.ceil(300 / 32)


def test_concurrent_fills_never_share_numbers():
    """Fills from several Python threads on one generator (the GIL is released
    above 4096 elements) each get their own range: every result is one of the
    sequential fills, each used exactly once."""
    n, k = 1 << 18, 8  # large enough for the thread pool: callers contend for it
    g = wcinit.Generator(99)
    out = [None] * k
    barrier = threading.Barrier(k)

    def work(i):
        barrier.wait()
        out[i] = wcinit.normal_(np.empty(n, np.float32), generator=g)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ref_g = wcinit.Generator(99)
    refs = [wcinit.normal_(np.empty(n, np.float32), generator=ref_g) for _ in range(k)]
    matched = sorted(next(j for j, r in enumerate(refs) if np.array_equal(o, r)) for o in out)
    assert matched == list(range(k))
    assert g.offset == ref_g.offset


# ---- the documented element mapping --------------------------------------------------------

PHILOX_KAT = [  # Random123 kat_vectors (also ../shared/data/philox4x32_10_kat.txt)
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@pytest.mark.parametrize("ctr,key,expected", PHILOX_KAT)
def test_philox_known_answers(ctr, key, expected):
    assert wcinit._core.philox4x32_10(ctr, key) == expected


def _block(seed, stream, b):
    ctr = (b & 0xFFFFFFFF, b >> 32, stream & 0xFFFFFFFF, stream >> 32)
    return wcinit._core.philox4x32_10(ctr, (seed & 0xFFFFFFFF, seed >> 32))


def test_uniform_values_follow_documented_mapping():
    """Element e of tile t uses Philox block (offset + 16 t + e % 16), key = the
    seed's two words, counter = (block, stream); float32 takes word e // 16:
    u = (w >> 8) 2^-24, x = (1-u) a + u b in float32; float64 takes words
    2m, 2m+1 (m = e // 16, low word first): u = (w64 >> 12) 2^-52."""
    seed, a, b = 0x1234_5678_9ABC_DEF0, -0.75, 1.25
    g = wcinit.Generator(seed).spawn(1)[0]
    wcinit.normal_(np.empty(100, np.float32), generator=g)  # offset 32
    stream, off = g.stream, g.offset
    x32 = wcinit.uniform_(np.empty(150, np.float32), a, b, generator=copy.deepcopy(g))
    for e in (0, 1, 15, 16, 63, 64, 100, 149):
        t, r = divmod(e, 64)
        w = _block(seed, stream, off + 16 * t + r % 16)[r // 16]
        u = np.float32(w >> 8) * np.float32(2.0 ** -24)
        want = (np.float32(1) - u) * np.float32(a) + u * np.float32(b)
        assert x32[e] == want, e
    x64 = wcinit.uniform_(np.empty(70), a, b, generator=copy.deepcopy(g))
    for e in (0, 1, 16, 31, 32, 50, 69):
        t, r = divmod(e, 32)
        m, j = divmod(r, 16)
        words = _block(seed, stream, off + 16 * t + j)
        w64 = words[2 * m] | (words[2 * m + 1] << 32)
        u = (w64 >> 12) * 2.0 ** -52
        assert x64[e] == (1 - u) * a + u * b, e


# ---- layouts: element-addressed values -------------------------------------------------------

@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_layouts_give_identical_logical_values(name, float_dtype, tmp_path):
    """C order, Fortran order, a strided view, negative strides, a memmap and an
    unaligned buffer all receive the same logical values; memory outside a
    view is not touched."""
    fn = RANDOM_INITS[name]
    shape = (37, 53)
    ref = fn(fresh(shape, float_dtype), 31)

    f = fn(np.asfortranarray(fresh(shape, float_dtype)), 31)
    assert np.array_equal(bits(f), bits(ref))

    big = np.zeros((3 * 37, 2 * 53), float_dtype)
    view = big[1::3, ::2]
    assert fn(view, 31) is view
    assert np.array_equal(bits(view), bits(ref))
    mask = np.ones(big.shape, bool)
    mask[1::3, ::2] = False
    assert (as_f64(big[mask]) == 0).all()

    big = np.zeros((37, 2 * 53), float_dtype)
    neg = big[::-1, ::-2]
    fn(neg, 31)
    assert np.array_equal(bits(neg), bits(ref))
    assert (as_f64(big[:, ::2]) == 0).all()  # the columns neg does not cover (::-2 from 105)

    mm = np.memmap(tmp_path / "w.bin", dtype=float_dtype, mode="w+", shape=shape)
    fn(mm, 31)
    mm.flush()
    back = np.memmap(tmp_path / "w.bin", dtype=float_dtype, mode="r", shape=shape)
    assert np.array_equal(bits(np.asarray(back)), bits(ref))

    itemsize = np.dtype(float_dtype).itemsize
    buf = bytearray(itemsize * math.prod(shape) + 1)
    unaligned = np.ndarray(shape, float_dtype, buffer=buf, offset=1)
    fn(unaligned, 31)
    assert np.array_equal(bits(unaligned), bits(ref))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_nd_transposed_and_unit_dims(name):
    fn = RANDOM_INITS[name]
    ref = fn(fresh((6, 5, 4, 3), np.float32), 4)
    t = fresh((3, 4, 5, 6), np.float32).transpose(3, 2, 1, 0)
    fn(t, 4)
    assert np.array_equal(t, ref)
    u = fresh((6, 5, 1, 4, 3, 1), np.float32)  # unit dims after dim 1 keep the fans
    fn(u, 4)
    assert np.array_equal(u.reshape(6, 5, 4, 3), ref)


@pytest.mark.parametrize("fn", [wcinit.uniform_, wcinit.normal_, wcinit.trunc_normal_])
def test_zero_dim_array(fn):
    x = np.full((), np.nan, np.float32)
    assert fn(x, generator=6) is x
    assert x == fn(np.empty(1, np.float32), generator=6)[0]


# ---- shards ---------------------------------------------------------------------------------

SHARD_DISTS = [("normal", {}), ("normal", dict(mean=1.0, std=0.1)),
               ("uniform", dict(a=-2.0, b=3.0)),
               ("trunc_normal", dict(mean=0.0, std=0.02, a=-0.04, b=0.04)),
               ("trunc_normal", dict(mean=0.0, std=1.0, a=30.0, b=31.0))]
FILL_OF = {
    "normal": lambda x, g, mean=0.0, std=1.0: wcinit.normal_(x, mean, std, generator=g),
    "uniform": lambda x, g, a=0.0, b=1.0: wcinit.uniform_(x, a, b, generator=g),
    "trunc_normal": lambda x, g, **kw: wcinit.trunc_normal_(x, generator=g, **kw),
}


@pytest.mark.parametrize("dist,params", SHARD_DISTS, ids=[f"{d}{p}" for d, p in SHARD_DISTS])
def test_fill_shard_pieces_equal_whole(dist, params, float_dtype):
    """fill_shard of the pieces of a tensor equals one whole fill bit for bit,
    for boundaries that cut tiles, from a generator with a stream and an
    offset, and does not advance the generator."""
    g = wcinit.Generator(77).spawn(1)[0]
    wcinit.normal_(np.empty(1000), generator=g)  # a non-zero offset
    state = g.get_state()
    N = 10_007
    whole = FILL_OF[dist](np.empty(N, float_dtype), copy.deepcopy(g), **params)
    cuts = [0, 1, 63, 64, 100, 4096, 5000, 9999, N]
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        piece = wcinit.fill_shard(np.empty(hi - lo, float_dtype), lo, dist, generator=g, **params)
        assert np.array_equal(bits(piece), bits(whole[lo:hi])), (lo, hi)
    assert np.array_equal(g.get_state(), state)


def test_fill_shard_2d_row_blocks():
    """A row block of a (1000, 300) weight is a shard starting at row * 300."""
    g = wcinit.Generator(5)
    whole = wcinit.normal_(np.empty((1000, 300), np.float32), 0.0, 0.02, generator=5)
    for r0, r1 in ((0, 250), (250, 601), (601, 1000)):
        part = np.empty((r1 - r0, 300), np.float32)
        wcinit.fill_shard(part, r0 * 300, "normal", generator=g, std=0.02)
        assert np.array_equal(part, whole[r0:r1])


def test_fill_shard_errors():
    x = np.zeros(10)
    with pytest.raises(TypeError):
        wcinit.fill_shard(x, 0, "normal", generator=5)
    with pytest.raises(ValueError):
        wcinit.fill_shard(x, -1, "normal", generator=wcinit.Generator())
    with pytest.raises(ValueError):
        wcinit.fill_shard(x, 0, "gamma", generator=wcinit.Generator())
    with pytest.raises(TypeError):
        wcinit.fill_shard(x, 0, "normal", generator=wcinit.Generator(), a=1.0)
    assert (x == 0).all()


# ---- SIMD paths and threads ---------------------------------------------------------------

SIMD_CASES = [
    ("uniform", lambda x: wcinit.uniform_(x, -3.0, 0.5, generator=41)),
    ("normal", lambda x: wcinit.normal_(x, 0.5, 2.0, generator=41)),
    ("trunc_mid", lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0, generator=41)),
    ("trunc_asym", lambda x: wcinit.trunc_normal_(x, 0.3, 0.5, -0.1, 2.0, generator=41)),
    ("trunc_tail", lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, 8.0, 9.0, generator=41)),
    ("trunc_reflected", lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, -6.0, -5.0, generator=41)),
    ("trunc_log_space", lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, 30.0, 31.0, generator=41)),
    ("trunc_half_inf", lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, 21.5, np.inf, generator=41)),
    ("trunc_tiny_std", lambda x: wcinit.trunc_normal_(x, 0.0, 1e-3, -2.0, 2.0, generator=41)),
    ("shard", lambda x: wcinit.fill_shard(x, 12345, "normal", generator=wcinit.Generator(41))),
]


@pytest.mark.parametrize("case", SIMD_CASES, ids=[c[0] for c in SIMD_CASES])
def test_simd_paths_bit_identical(case, float_dtype, restore_simd):
    """Every SIMD path the CPU has writes the same bits as the scalar path, for
    contiguous, strided and unaligned arrays and lengths that are not whole tiles."""
    _, fn = case
    paths = wcinit.simd_paths()
    assert paths[0] == "scalar"

    def run():
        a = fn(np.empty(100_003, float_dtype))
        s = fn(np.empty((301, 257), float_dtype, order="F"))
        buf = bytearray(np.dtype(float_dtype).itemsize * 1001 + 1)
        u = fn(np.ndarray(1001, float_dtype, buffer=buf, offset=1))
        return [bits(v).copy() for v in (a, s, u)]

    wcinit.set_simd("scalar")
    ref = run()
    for path in paths[1:]:
        wcinit.set_simd(path)
        assert wcinit.get_simd() == path
        for got, want in zip(run(), ref):
            assert np.array_equal(got, want), path


def test_set_simd_rejects_unknown(restore_simd):
    with pytest.raises(ValueError):
        wcinit.set_simd("neon")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64],
                         ids=["float16", "float32", "float64"])
def test_thread_counts_bit_identical(dtype, restore_threads):
    """1, 2, 3 and 7 threads give the same bits on >= 1M elements, contiguous and strided."""
    cases = [lambda x: wcinit.uniform_(x, -1.0, 1.0, generator=51),
             lambda x: wcinit.normal_(x, generator=51),
             lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, 1.0, 3.0, generator=51)]
    results = {}
    for nt in (1, 2, 3, 7):
        wcinit.set_num_threads(nt)
        assert wcinit.get_num_threads() == nt
        results[nt] = [bits(fn(np.empty((1 << 20) + 7, dtype))).copy() for fn in cases]
        results[nt] += [bits(fn(np.empty((1031, 1030), dtype, order="F"))).copy() for fn in cases]
    for nt in (2, 3, 7):
        for got, want in zip(results[nt], results[1]):
            assert np.array_equal(got, want), nt


def test_sparse_thread_counts_bit_identical(restore_threads):
    """sparse_ splits its columns over the pool: 1, 2, 3 and 7 threads, same zeros, same bits."""
    results = {}
    for nt in (1, 2, 3, 7):
        wcinit.set_num_threads(nt)
        results[nt] = bits(wcinit.sparse_(np.empty((300, 500), np.float32), 0.3,
                                          generator=53)).copy()
    for nt in (2, 3, 7):
        assert np.array_equal(results[nt], results[1]), nt


def test_threads_across_signal_chunks(restore_threads):
    """Fills longer than the 2^24-element signal-check chunk: same bits for 1 and 3 threads."""
    n = (1 << 24) + 1000
    wcinit.set_num_threads(1)
    a = wcinit.normal_(np.empty(n, np.float16), generator=52)
    wcinit.set_num_threads(3)
    b = wcinit.normal_(np.empty(n, np.float16), generator=52)
    assert np.array_equal(bits(a), bits(b))
    # and the piece after the first chunk is the matching shard
    tail = wcinit.fill_shard(np.empty(1000, np.float16), 1 << 24, "normal",
                             generator=wcinit.Generator(52))
    assert np.array_equal(bits(a[1 << 24:]), bits(tail))


def test_set_num_threads_rejects_nonpositive(restore_threads):
    with pytest.raises(ValueError):
        wcinit.set_num_threads(0)


# ---- deterministic initializers -----------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (1, 5), (0, 3)])
def test_eye_exact(shape, float_dtype):
    x = fresh(shape, float_dtype)
    assert wcinit.eye_(x) is x
    assert np.array_equal(as_f64(x), R.eye(shape))
    f = wcinit.eye_(np.asfortranarray(fresh(shape, float_dtype)))
    assert np.array_equal(as_f64(f), R.eye(shape))


DIRAC_CASES = [((6, 4, 3), 1), ((6, 4, 3), 2), ((6, 4, 3), 3), ((4, 8, 5), 1), ((6, 1, 3), 3),
               ((6, 4, 3, 3), 1), ((6, 4, 3, 3), 2), ((6, 4, 3, 3), 3), ((8, 2, 4, 2), 2),
               ((6, 4, 3, 3, 3), 1), ((6, 4, 3, 3, 3), 2), ((6, 4, 3, 3, 3), 3),
               ((9, 3, 2, 3, 4), 3)]


@pytest.mark.parametrize("shape,groups", DIRAC_CASES, ids=[f"{s}g{g}" for s, g in DIRAC_CASES])
def test_dirac_exact(shape, groups, float_dtype):
    x = fresh(shape, float_dtype)
    assert wcinit.dirac_(x, groups) is x
    assert np.array_equal(as_f64(x), R.dirac(shape, groups))


@pytest.mark.parametrize("val", [0.3, -2.5, 7, 1e-3])
def test_constant_ones_zeros_exact(val, float_dtype):
    shape = (3, 4, 5)
    x = fresh(shape, float_dtype)
    assert wcinit.constant_(x, val) is x
    assert np.array_equal(bits(x), bits(np.full(shape, val, float_dtype)))
    assert np.array_equal(as_f64(wcinit.ones_(fresh(shape, float_dtype))), np.ones(shape))
    z = wcinit.zeros_(fresh(shape, float_dtype))
    assert np.array_equal(bits(z), np.zeros(shape, bits(z).dtype))  # +0.0, not -0.0


# ---- orthogonal_: exact identities ----------------------------------------------------------------

ORTHO_SHAPES = [(20, 20), (30, 12), (12, 30), (64, 3, 3, 3), (16, 8, 5), (4, 4, 3, 3, 3), (1, 9), (9, 1)]


@pytest.mark.parametrize("gain", [1.0, 3.5])
@pytest.mark.parametrize("shape", ORTHO_SHAPES, ids=[str(s) for s in ORTHO_SHAPES])
def test_orthogonal_identity(shape, gain, float_dtype):
    """On the flattened (rows, cols) view: Q Q^T = gain^2 I (rows <= cols) or
    Q^T Q = gain^2 I (rows > cols).  float64 to 1e-12, float32 to 1e-5; for
    16-bit dtypes each entry is off by e <= ulp/2 (at gain) plus the float32
    error, so an entry of the Gram matrix is off by <= 2 sqrt(n) e + n e^2 + 1e-5
    (n = the length of the rows or columns being dotted)."""
    q = as_f64(wcinit.orthogonal_(fresh(shape, float_dtype), gain, generator=61))
    rows = shape[0]
    cols = q.size // rows
    m = q.reshape(rows, cols)
    gram = m @ m.T if rows <= cols else m.T @ m
    n = max(rows, cols)
    name = np.dtype(float_dtype).name
    if name == "float64":
        tol = 1e-12 * gain * gain
    elif name == "float32":
        tol = 1e-5 * gain * gain
    else:
        e = R.ulp(name, gain) / 2  # |entry| <= gain
        tol = 2 * gain * math.sqrt(n) * e + n * e * e + 1e-5 * gain * gain
    np.testing.assert_allclose(gram, gain * gain * np.eye(min(rows, cols)), rtol=0, atol=tol)


# ---- sparse_: exact zero counts and reproducibility -------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("rows,cols,sparsity", [(10, 7, 0.1), (10, 7, 0.15), (30, 5, 0.1),
                                                (100, 40, 0.5), (7, 3, 0.0), (7, 3, 1.0),
                                                (1, 4, 0.5), (50, 1, 0.99)])
def test_sparse_exact_zero_count(rows, cols, sparsity, dtype):
    """Exactly ceil(sparsity * rows) zeros in every column (computed as torch
    does, so 0.1 * 30 = 3.0000000000000004 gives 4).  The normal sampler never
    returns exactly 0 in float32/float64 (kern.h), so every other entry is non-zero."""
    w = wcinit.sparse_(fresh((rows, cols), dtype), sparsity, generator=71)
    k = math.ceil(sparsity * rows)
    assert ((w == 0).sum(axis=0) == k).all()
    assert np.isfinite(w).all()


def test_sparse_reproducible_end_to_end():
    a = wcinit.sparse_(fresh((64, 100), np.float32), 0.4, generator=wcinit.Generator(3))
    b = wcinit.sparse_(fresh((64, 100), np.float32), 0.4, generator=wcinit.Generator(3))
    c = wcinit.sparse_(np.asfortranarray(fresh((64, 100), np.float32)), 0.4, generator=3)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert np.array_equal(a == 0, b == 0)
    d = wcinit.sparse_(fresh((64, 100), np.float32), 0.4, generator=4)
    assert not np.array_equal(a == 0, d == 0)


# ---- torch tensors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_torch_tensor_filled_in_place(name, torch):
    """A torch CPU tensor is filled in place, the same object is returned and
    it holds exactly the values a NumPy array gets from the same seed."""
    fn = RANDOM_INITS[name]
    t = torch.full((24, 40), float("nan"))
    assert fn(t, 13) is t
    assert np.array_equal(t.numpy(), fn(fresh((24, 40), np.float32), 13))


# ---- deprecated aliases and zero-size arrays ----------------------------------------------------------

DEPRECATED = [
    ("uniform", (), {}), ("normal", (), {}), ("constant", (0.5,), {}), ("eye", (), {}),
    ("dirac", (), {}), ("xavier_uniform", (), {}), ("xavier_normal", (), {}),
    ("kaiming_uniform", (), {}), ("kaiming_normal", (), {}), ("orthogonal", (), {}),
    ("sparse", (0.5,), {}),
]


@pytest.mark.parametrize("old,args,kw", DEPRECATED, ids=[d[0] for d in DEPRECATED])
def test_deprecated_aliases(old, args, kw):
    shape = (4, 6, 3) if old == "dirac" else (6, 8)
    new = getattr(wcinit, old + "_")
    takes_gen = "generator" in new.__code__.co_varnames[:new.__code__.co_argcount]
    if takes_gen:
        kw = dict(kw, generator=5)
    with pytest.warns(FutureWarning, match=f"wcinit.{old}`? is now deprecated"):
        got = getattr(wcinit, old)(fresh(shape, np.float32), *args, **kw)
    want = new(fresh(shape, np.float32), *args, **kw)
    assert np.array_equal(got, want)


ZERO_SIZE_INITS = [
    ("uniform_", {}), ("normal_", {}), ("trunc_normal_", {}), ("xavier_uniform_", {}),
    ("xavier_normal_", {}), ("kaiming_uniform_", {}), ("kaiming_normal_", {}),
    ("orthogonal_", {}), ("sparse_", dict(sparsity=0.5)),
]


ZERO_SIZE_CASES = [(n, kw, s) for n, kw in ZERO_SIZE_INITS for s in ((0, 3), (3, 0), (0, 4, 3))
                   if not (n == "sparse_" and len(s) != 2)]  # sparse_ takes 2-D arrays only


@pytest.mark.parametrize("name,kw,shape", ZERO_SIZE_CASES,
                         ids=[f"{n}{s}" for n, _, s in ZERO_SIZE_CASES])
def test_zero_size_warns_and_is_noop(name, kw, shape):
    x = np.empty(shape, np.float32)
    g = wcinit.Generator(1)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert getattr(wcinit, name)(x, generator=g, **kw) is x
    assert g.offset == 0  # nothing drawn


# ---- refusals leave the array untouched ----------------------------------------------------------------

def test_refused_arrays_untouched():
    ro = np.zeros((4, 4))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        wcinit.normal_(ro)
    overlap = np.lib.stride_tricks.as_strided(np.zeros(4), (4, 4), (8, 0))
    with pytest.raises(ValueError, match="overlapping"):
        wcinit.uniform_(overlap)
    swapped = np.zeros(8, ">f8")
    with pytest.raises(ValueError, match="byte order"):
        wcinit.normal_(swapped)
    assert (swapped == 0).all()
    for dt in (np.int32, np.int64, np.bool_, np.complex128, object, np.uint8):
        x = np.zeros((3, 3), dt)
        with pytest.raises(wcinit.DtypeError):
            wcinit.normal_(x)
        with pytest.raises(wcinit.DtypeError):
            wcinit.eye_(x)
        assert (x == 0).all()


@pytest.mark.parametrize("call", [
    lambda x: wcinit.uniform_(x, 2.0, 1.0),
    lambda x: wcinit.uniform_(x, 0.0, float("inf")),
    lambda x: wcinit.normal_(x, 0.0, -1.0),
    lambda x: wcinit.normal_(x, float("nan"), 1.0),
    lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, 2.0, 1.0),
    lambda x: wcinit.trunc_normal_(x, 0.0, -1.0),
    lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, float("nan"), 1.0),
    lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, float("inf"), float("inf")),
    lambda x: wcinit.kaiming_normal_(x, mode="fan_avg"),
    lambda x: wcinit.kaiming_uniform_(x, nonlinearity="gelu"),
    lambda x: wcinit.sparse_(x, 1.5),
    lambda x: wcinit.sparse_(x, 0.5, std=-1.0),
    lambda x: wcinit.xavier_uniform_(x, gain="2"),
])
def test_bad_arguments_leave_array_untouched(call):
    x = np.zeros((5, 6))
    with pytest.raises((ValueError, RuntimeError, TypeError, ZeroDivisionError)):
        call(x)
    assert (x == 0).all()


@pytest.mark.parametrize("dtype,a,b", [
    (np.float64, 1e150, math.inf),
    (np.float64, 1e155, math.inf),           # alpha^2 overflows a double
    (np.float64, -math.inf, -1e200),
    (np.float64, 1e200, 1e200 + 1e185),
    (np.float64, 1e308, math.inf),
    (np.float32, 1e39, 2e39),                # [a, b] beyond float32's range
    (np.float16, 7e4, 8e4),                  # beyond float16's range (torch: RuntimeError)
    (np.float16, -1e10, -1e10 + 1),
], ids=lambda v: str(v) if not isinstance(v, type) else np.dtype(v).name)
def test_trunc_normal_extreme_intervals_never_write_outside(dtype, a, b):
    """Whatever the interval, trunc_normal_ either writes values in [a, b] (as
    the dtype stores them; no NaN, no inf beyond a finite bound) or refuses
    with an exception before writing anything."""
    x = np.zeros(64, dtype)
    try:
        wcinit.trunc_normal_(x, 0.0, 1.0, a, b, generator=1)
    except (ValueError, RuntimeError, OverflowError):
        assert (x == 0).all()
        return
    v = as_f64(x)
    n_nan = int(np.isnan(v).sum())
    assert n_nan == 0, f"{n_nan} NaN written: {v[:3]}"
    if math.isfinite(a) and math.isfinite(b):
        n_inf = int(np.isinf(v).sum())
        assert n_inf == 0, f"{n_inf} infinite values written for a finite interval: {v[:3]}"
    lo = float(np.asarray(a).astype(dtype)) if math.isfinite(a) else a
    hi = float(np.asarray(b).astype(dtype)) if math.isfinite(b) else b
    assert ((v >= lo) & (v <= hi)).all(), v[:3]


# ---- calculate_gain and fans against the reference --------------------------------------------------------

@pytest.mark.parametrize("nl", R.NONLINEARITIES)
def test_calculate_gain_reference(nl):
    assert wcinit.calculate_gain(nl) == pytest.approx(R.gain(nl), rel=1e-15)
    for p in (0.0, 0.2, 1, -0.5, 3, 1e-3):
        assert wcinit.calculate_gain(nl, p) == pytest.approx(
            R.gain(nl, p if nl == "leaky_relu" else None), rel=1e-15)


def test_calculate_gain_values():
    assert wcinit.calculate_gain("tanh") == 5 / 3
    assert wcinit.calculate_gain("relu") == math.sqrt(2)
    assert wcinit.calculate_gain("selu") == 0.75
    assert wcinit.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert wcinit.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    for bad in (True, False, "x", [0.1], "0.1", np.float32(0.1)):
        with pytest.raises(ValueError, match=re.escape(f"negative_slope {bad} not a valid number")):
            wcinit.calculate_gain("leaky_relu", bad)
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        wcinit.calculate_gain("gelu")


@pytest.mark.parametrize("shape", [(64, 3, 3, 3), (512, 1024), (16, 8, 5), (4, 4, 3, 3, 3),
                                   (1, 1), (0, 5), (5, 0, 3), (2, 3, 0, 4), (7, 2, 1, 1, 1, 1)])
def test_fans_reference(shape):
    assert wcinit._core._fans(shape) == R.fans(shape)


# ---- exactness at the bounds and in the lowest binades (0.2.0, issue 7 section 4) -------------

def _values(dtype):
    """Every finite value of a 16-bit dtype, sorted (all 65536 bit patterns)."""
    with np.errstate(invalid="ignore"):  # the NaN patterns
        v = np.arange(1 << 16, dtype=np.uint16).view(dtype).astype(np.float64)
    return np.unique(v[np.isfinite(v)])


def _inward(dtype, a, b):
    """[a, b] rounded inward to the dtype's values: (smallest >= a, largest <= b)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return a, b
    if dtype == np.float32:
        lo, hi = np.float32(a), np.float32(b)
        lo = lo if lo >= a else np.nextafter(lo, np.float32(np.inf))
        hi = hi if hi <= b else np.nextafter(hi, np.float32(-np.inf))
        return float(lo), float(hi)
    v = _values(dtype)
    return float(v[np.searchsorted(v, a, "left")]), float(v[np.searchsorted(v, b, "right") - 1])


def test_issue_reproductions_stay_inside_the_bounds():
    """The issue's four cases (0.1 wrote 1766, 87, 476 values and float32(b)
    outside [a, b]): every stored value in [a, b], the inward-rounded bounds
    are reached, and nothing lands on the outward neighbours."""
    bf16 = pytest.importorskip("ml_dtypes").bfloat16
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 1024)  # kaiming_uniform_ relu, fan_in 1024
    x = as_f64(wcinit.kaiming_uniform_(np.empty((1024, 1024), bf16), nonlinearity="relu",
                                       generator=1))
    lo, hi = _inward(bf16, -bound, bound)
    assert x.min() == lo and x.max() == hi and hi <= bound and -bound <= lo
    x = as_f64(wcinit.uniform_(np.empty(1 << 20, np.float16), -0.04, 0.04, generator=2))
    assert (x.min(), x.max()) == _inward(np.float16, -0.04, 0.04)
    assert np.abs(x).max() <= 0.04
    x = as_f64(wcinit.trunc_normal_(np.empty(1 << 20, bf16), 0.0, 0.02, -0.04, 0.04, generator=3))
    assert np.abs(x).max() <= 0.04 and not (np.abs(x) == 0.0400390625).any()
    assert (x.min(), x.max()) == _inward(bf16, -0.04, 0.04)


def test_float32_narrow_interval_shares():
    """uniform_ float32 on [4, 4.00001]: 21 float32 steps (u = 2^-21, b - 4 =
    20.97 u).  The values are (1-v) 4 + v float32(b), float32(b) = 4 + 21u > b,
    rounded and clamped to 4 + 20u, the largest float32 <= b (0.1 stored
    float32(b) itself).  In exact arithmetic P(4.0) = (u/2) / 21u = 1/42 and
    P(4 + 20u) = 1.5u / 21u = 1/14; float32's rounding of the two products
    moves the cell edges by up to ~u/4, so each count is asserted within
    [0.75, 1.5] x its share (the binomial SE is 0.6% of it): the ends carry
    their cells, neither vanishes nor piles up."""
    n, a, b = 1 << 20, 4.0, 4.00001
    x = as_f64(wcinit.uniform_(np.empty(n, np.float32), a, b, generator=4))
    top = float(np.nextafter(np.float32(b), np.float32(0)))
    assert float(np.float32(b)) > b and top < b
    assert x.min() == a and x.max() == top
    for value, p in ((a, 1 / 42), (top, 1 / 14)):
        k = int((x == value).sum())
        assert 0.75 * n * p <= k <= 1.5 * n * p, (value, k, n * p)


BOUND_CASES = [(-0.04, 0.04), (0.1, 0.3), (-1e-3, 0.7), (-5.3, -5.1), (4.0, 4.00001),
               (-0.07654655446197431, 0.07654655446197431), (1e-5, 2e-5), (-3.3, 1.1)]


@pytest.mark.parametrize("ab", BOUND_CASES, ids=[str(c) for c in BOUND_CASES])
def test_every_value_inside_bounds_every_dtype(ab, float_dtype):
    """uniform_ and trunc_normal_ (whose bounds are rarely representable):
    every stored value lies in [a, b] exactly, compared in float64, for every
    dtype; the stored extremes are the inward-rounded bounds where the sample
    reaches them (uniform_: P(miss the end cell) < 1e-9 at these sizes)."""
    a, b = ab
    n = 1 << 16
    lo, hi = _inward(float_dtype, a, b)
    x = as_f64(wcinit.uniform_(np.empty(n, float_dtype), a, b, generator=5))
    assert a <= x.min() and x.max() <= b
    if np.dtype(float_dtype).itemsize == 2:
        v = _values(float_dtype)
        # the end cells hold at least half a spacing: reached unless n p < 25
        cell_lo = (v[np.searchsorted(v, lo) + 1] - lo) / 2 / (b - a)
        cell_hi = (hi - v[np.searchsorted(v, hi) - 1]) / 2 / (b - a)
        if n * cell_lo > 25:
            assert x.min() == lo
        if n * cell_hi > 25:
            assert x.max() == hi
    mean, std = (a + b) / 2, (b - a) / 3
    y = as_f64(wcinit.trunc_normal_(np.empty(1 << 16, float_dtype), mean, std, a, b, generator=6))
    assert a <= y.min() and y.max() <= b


@pytest.mark.parametrize("dtype", NARROW_DTYPES, ids=[d.name for d in NARROW_DTYPES])
def test_interval_without_a_value_of_the_dtype(dtype):
    """When [a, b] holds no value of the dtype (documented), every value is
    the dtype's value nearest to (a + b) / 2; a == b gives the nearest to a."""
    v = _values(dtype)
    for a, b in ((4.0001, 4.0002), (0.1, 0.1), (-0.1, -0.1)):
        want = v[np.argmin(np.abs(v - (a + b) / 2))]
        x = as_f64(wcinit.uniform_(np.empty(100, dtype), a, b, generator=7))
        assert (x == want).all(), (a, b)


def _even_odd(x, lo):
    """Counts of even and odd bit patterns among the values with |x| in [lo, 2 lo)."""
    v = np.abs(as_f64(x))
    sel = (v >= lo) & (v < 2 * lo)
    odd = (bits(x) & 1).astype(bool)
    return int((sel & ~odd).sum()), int((sel & odd).sum())


TIE_CASES = [  # (dtype name, a, b, binade start): 0.1's even:odd there
    ("float16", 0.0, 1.0, 2.0 ** -13),     # 2.96 : 1
    ("float16", 0.0, 1.0, 2.0 ** -12),     # 1.68 : 1
    ("float16", -1.0, 1.0, 2.0 ** -12),    # 3.07 : 1
    ("float16", -0.3, 1.0, 2.0 ** -14),    # 1.41 : 1 (an asymmetric interval across 0)
    ("bfloat16", 0.0, 1.0, 2.0 ** -16),    # 3.66 : 1
    ("bfloat16", -1.0, 1.0, 2.0 ** -15),   # 3.27 : 1
]


@pytest.mark.parametrize("case", TIE_CASES, ids=[f"{c[0]}-[{c[1]},{c[2]}]-2^{int(math.log2(c[3]))}"
                                                 for c in TIE_CASES])
def test_narrow_uniform_no_tie_to_even_bias(case):
    """Within one binade a dtype's values are equally spaced, so under U(a, b)
    even and odd bit patterns are equally likely: E - O ~ N(0, E + O).  0.1
    drew 24 bits and rounded them to the dtype, whose values in these binades
    are 1 or 2 grid steps apart: ties went to even (ratios above).  Asserted:
    |E - O| <= 5.5 sqrt(E + O), and at least 200 values in the binade."""
    name, a, b, lo = case
    dtype = BFLOAT16_DT if name == "bfloat16" else np.dtype(name)
    if dtype is None:
        pytest.skip("bfloat16 needs ml_dtypes")
    n = 1 << (24 if name == "bfloat16" else 22)
    even, odd = _even_odd(wcinit.uniform_(np.empty(n, dtype), a, b, generator=8), lo)
    assert even + odd >= 200
    assert abs(even - odd) <= 5.5 * math.sqrt(even + odd), (even, odd)


BFLOAT16_DT = next((d for d in NARROW_DTYPES if d.name == "bfloat16"), None)


@pytest.mark.parametrize("ab", [(0.0, 1.0), (-0.25, -0.0625), (-0.04, 0.04), (-0.3, 1.0),
                                (0.1, 0.1)], ids=str)
@pytest.mark.parametrize("dtype", NARROW_DTYPES, ids=[d.name for d in NARROW_DTYPES])
def test_narrow_uniform_follows_documented_mapping(ab, dtype):
    """float16/bfloat16 uniform_ from the raw words w (tests/reference: kern.h):
    [a, b] not across 0: x = c + s h in float32, s = w >> 1, h = (far - near)
    2^-31, c = near + h / 2 (near: the bound nearer 0); symmetric: s = int32(w),
    h = b 2^-31, c = h / 2; otherwise in float64: x = A + (w - 2^31) H, H =
    (b - a) 2^-32, A = a + (b/2 - a/2) + H/2, rounded to float32.  Then clamped
    to the inward-rounded bounds and rounded to the dtype."""
    a, b = ab
    n = 1000
    w = wcinit._core._raw(np.empty(n, np.uint32), wcinit.Generator(9))
    f = np.float32
    if a >= 0 or b <= 0:
        near, far = (a, b) if abs(a) <= abs(b) else (b, a)
        h = f((far - near) * 2.0 ** -31)
        c = f(near + 0.5 * float(h))
        x = c + (w >> 1).astype(np.int32).astype(f) * h
    elif a == -b:
        h = f(b * 2.0 ** -31)
        x = f(0.5) * h + w.view(np.int32).astype(f) * h
    else:
        H = (b - a) * 2.0 ** -32
        A = a + (b * 0.5 - a * 0.5) + 0.5 * H
        x = (A + (w ^ np.uint32(0x80000000)).view(np.int32).astype(np.float64) * H).astype(f)
    lo, hi = _inward(dtype, a, b)
    if lo > hi:
        v = _values(dtype)
        lo = hi = v[np.argmin(np.abs(v - (a + b) / 2))]
    want = np.clip(x, f(lo), f(hi)).astype(dtype)
    got = wcinit.uniform_(np.empty(n, dtype), a, b, generator=9)
    assert np.array_equal(bits(got), bits(want))


TRUNC_ULP_CASES = [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (0.0, 1.0, 2.0, 3.0),
                   (0.3, 0.5, -0.1, 2.0), (-2.0, 0.1, -2.3, -1.5)]


@pytest.mark.parametrize("prm", TRUNC_ULP_CASES, ids=str)
def test_trunc_normal_float32_error_bound(prm):
    """The documented accuracy of float32 trunc_normal_ (AS 241 PPND7, relative
    error 1.2e-7 of z): |x - x*| <= ulp(x*)/2 + 2.1 ulp(x* - mean) in float32
    ulps, x* = mean + std Phi^-1(Phi(alpha) + u (Phi(beta) - Phi(alpha))) for
    the element's u = (w + 1/2) 2^-32.  The reference: SciPy's float64 ndtri on
    the smaller tail (error ~1e-16, far below these ulps).  Measured over 10^6
    draws per case: 1.93 at most (README); 39% of the values at the defaults
    are not the correctly rounded x*."""
    sp = pytest.importorskip("scipy.special")
    mean, std, a, b = prm
    n = 1 << 17
    w = wcinit._core._raw(np.empty(n, np.uint32), wcinit.Generator(10)).astype(np.float64)
    x = as_f64(wcinit.trunc_normal_(np.empty(n, np.float32), mean, std, a, b, generator=10))
    al, be = (a - mean) / std, (b - mean) / std
    u = (w + 0.5) * 2.0 ** -32
    pa, qb = sp.ndtr(al), sp.ndtr(-be)
    mass = (sp.ndtr(-al) - qb) if al > 0 else (sp.ndtr(be) - pa) if be < 0 else 1 - pa - qb
    p, q = pa + u * mass, qb + (1 - u) * mass
    z = np.where(p < q, sp.ndtri(np.minimum(p, 0.5)), -sp.ndtri(np.minimum(q, 0.5)))
    ref = mean + std * z

    def ulp(v):
        return np.spacing(np.abs(v).astype(np.float32)).astype(np.float64)

    excess = (np.abs(x - ref) - ulp(ref) / 2) / ulp(ref - mean)
    assert excess.max() <= 2.1, excess.max()

"""The pinned streams: wcinit's public functions reproduce tests/data/streams.tsv.

The file is written by tests/c/gen_streams.c from the C core's scalar path
(``make -C tests/c streams``; format in tests/c/streams.h): for every sampler x
dtype x parameter set x generator position, the first 16 values' bits and the
SHA-256 of 131075 values.  Here every case is recomputed through the Python API
-- uniform_, normal_, trunc_normal_ (fill_shard when the case starts past
element 0), sparse_, and the raw Philox words -- on every SIMD path this CPU
has, with 1 and 2 threads, and compared with the file bit for bit.  A change of
any sampler's bits fails here and in tests/c/test_streams.c; such a change is a
deliberate, versioned event (CHANGELOG.md), made by regenerating the file.
"""
import hashlib
import math
from pathlib import Path

import numpy as np
import pytest

import wcinit
from conftest import BFLOAT16

STREAMS = Path(__file__).resolve().parent / "data" / "streams.tsv"
DTYPES = {"float32": np.dtype(np.float32), "float64": np.dtype(np.float64),
          "float16": np.dtype(np.float16), "uint32": np.dtype(np.uint32),
          "uint64": np.dtype(np.uint64)}
if BFLOAT16 is not None:
    DTYPES["bfloat16"] = BFLOAT16
UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _read_cases():
    cases = []
    for line in STREAMS.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        assert len(f) == 10, line
        kind, dtype = f[0], f[1]
        if kind == "sparse":
            prm = tuple(int(v) for v in f[2].split(","))
        else:
            prm = () if f[2] == "-" else tuple(float.fromhex(v) for v in f[2].split(","))
        seed, stream, offset, start, n = (int(v) for v in f[3:8])
        cases.append(dict(kind=kind, dtype=dtype, prm=prm, seed=seed, stream=stream,
                          offset=offset, start=start, n=n, first=f[8], sha=f[9]))
    return cases


CASES = _read_cases()
# the raw uint64 cases (float64 word pairs) are not reachable from Python: only
# tests/c/test_streams.c checks them
PY_CASES = [c for c in CASES if not (c["kind"] == "raw" and c["dtype"] == "uint64")]

def _case_id(c):
    p = ",".join(f"{v:g}" for v in c["prm"])
    return f"{c['kind']}-{c['dtype']}-({p})-off{c['offset']}-start{c['start']}"


def test_file_covers_every_sampler_and_dtype():
    """The file pins every sampler in every dtype at three positions, including a
    start that crosses a tile boundary and an odd length."""
    seen = {(c["kind"], c["dtype"]) for c in CASES}
    for kind in ("uniform", "normal", "trunc_normal"):
        for dt in ("float16", "bfloat16", "float32", "float64"):
            assert (kind, dt) in seen
    assert ("raw", "uint32") in seen and ("raw", "uint64") in seen and ("sparse", "float32") in seen
    starts = {c["start"] for c in CASES}
    assert any(s % 64 > 48 for s in starts)  # the first 16 values cross a tile boundary
    assert all(c["n"] % 2 == 1 for c in CASES if c["kind"] != "sparse")
    assert len(CASES) >= 140


def _generator(seed, stream, offset):
    """A Generator at (seed, stream, offset): the offset is written into the
    state that get_state() returns (bytes 24..32, little-endian)."""
    g = wcinit.Generator(seed, stream)
    if offset:
        state = g.get_state().copy()
        state[24:32] = np.frombuffer(int(offset).to_bytes(8, "little"), np.uint8)
        g.set_state(state)
    assert (g.initial_seed(), g.stream, g.offset) == (seed, stream, offset)
    return g


def _fields(values):
    """(first, sha256) of an array, as the file writes them."""
    v = np.ascontiguousarray(values)
    u = v.view(UINT[v.dtype.itemsize])
    width = 2 * v.dtype.itemsize
    first = ",".join(f"{int(x):0{width}x}" for x in u[:16])
    return first, hashlib.sha256(v.tobytes()).hexdigest()


def _compute(c):
    """The case through the public API (fill_shard when it starts past 0)."""
    g = _generator(c["seed"], c["stream"], c["offset"])
    kind, prm = c["kind"], c["prm"]
    if kind == "raw":
        out = np.empty(c["start"] + c["n"], np.uint32)
        wcinit._core._raw(out, g)
        return out[c["start"]:]
    if kind == "sparse":
        rows, cols, nzero = prm
        # sparse_ reserves its normal fill first, then the zeros' keys
        blocks = math.ceil(rows * cols / 64) * 16
        g = _generator(c["seed"], c["stream"], c["offset"] - blocks)
        x = wcinit.sparse_(np.ones((rows, cols), DTYPES[c["dtype"]]), nzero / rows, 0.5,
                           generator=g)
        mask = (x == 0).astype(np.uint8)
        first = ",".join(str(r) for r in np.flatnonzero(mask[:, 0]))
        return first, hashlib.sha256(mask.tobytes()).hexdigest()
    x = np.empty(c["n"], DTYPES[c["dtype"]])
    names = {"uniform": ("a", "b"), "normal": ("mean", "std"),
             "trunc_normal": ("mean", "std", "a", "b")}[kind]
    if c["start"]:
        wcinit.fill_shard(x, c["start"], kind, generator=g, **dict(zip(names, prm)))
    else:
        getattr(wcinit, kind + "_")(x, *prm, generator=g)
    return x


def _check(c):
    got = _compute(c)
    if not isinstance(got, tuple):
        got = _fields(got)
    first, sha = got
    assert first == c["first"], f"first values differ from {STREAMS.name}"
    assert sha == c["sha"], f"sha256 of {c['n']} values differs from {STREAMS.name}"


def _runnable(c):
    if c["dtype"] not in DTYPES:
        pytest.skip("bfloat16 needs ml_dtypes")


@pytest.mark.parametrize("case", PY_CASES, ids=[_case_id(c) for c in PY_CASES])
def test_stream_pinned(case, restore_simd, restore_threads):
    """Every SIMD path, 1 and 2 threads: the file's bits (131075 values: an
    odd length that 2 threads split in two parts)."""
    _runnable(case)
    for path in wcinit.simd_paths():
        wcinit.set_simd(path)
        for nt in (1, 2):
            wcinit.set_num_threads(nt)
            _check(case)


def _find(kind, dtype, prm, start):
    for c in CASES:
        if (c["kind"], c["dtype"], c["prm"], c["start"]) == (kind, dtype, prm, start):
            return c
    raise LookupError((kind, dtype, prm, start))


@pytest.mark.parametrize("kind,prm", [("uniform", (-0.04, 0.04)), ("normal", (0.5, 0.02)),
                                      ("trunc_normal", (0.0, 1.0, -2.0, 2.0))])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_public_functions_past_a_tile_boundary(kind, prm, dtype):
    """The public functions themselves (not fill_shard) at the position whose
    start crosses a tile boundary: fill start + n values, keep the last n."""
    c = _find(kind, dtype, prm, 60)
    g = _generator(c["seed"], c["stream"], c["offset"])
    x = getattr(wcinit, kind + "_")(np.empty(c["start"] + c["n"], DTYPES[dtype]), *prm,
                                    generator=g)
    assert _fields(x[c["start"]:]) == (c["first"], c["sha"])


@pytest.mark.parametrize("tdtype,dtype", [("float32", "float32"), ("bfloat16", "bfloat16"),
                                          ("float64", "float64")])
def test_torch_tensor_pinned(tdtype, dtype, torch):
    """A torch CPU tensor filled in place holds the pinned bits."""
    c = _find("normal", dtype, (0.0, 1.0), 0)
    t = torch.empty(c["n"], dtype=getattr(torch, tdtype))
    wcinit.normal_(t, 0.0, 1.0, generator=_generator(c["seed"], c["stream"], c["offset"]))
    raw = t.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]).numpy()
    assert _fields(raw.view(UINT[t.element_size()])) == (c["first"], c["sha"])
    c = _find("trunc_normal", dtype, (0.0, 0.02, -0.04, 0.04), 0)
    t = torch.empty(c["n"], dtype=getattr(torch, tdtype))
    wcinit.trunc_normal_(t, *c["prm"], generator=_generator(c["seed"], c["stream"], c["offset"]))
    raw = t.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]).numpy()
    assert _fields(raw.view(UINT[t.element_size()])) == (c["first"], c["sha"])

"""The bad-input matrix (issue #4).

Every public function against wrong types, wrong dtypes, non-native byte
order, read-only and self-overlapping arrays, wrong numbers of dimensions,
zero-size arrays, bad keyword arguments, bad ``generator=`` values and shapes
whose sizes overflow.  Each case must raise a clear exception (torch's type
and text where torch raises) that names the argument or the problem, and
must leave the target byte-for-byte unchanged (it is filled with a sentinel
pattern first) and the generator not advanced.
"""
import array
import copy
import re
import warnings

import numpy as np
import pytest

import wcinit
from wcinit import _core

try:
    import torch
except ImportError:  # pragma: no cover - CI installs torch
    torch = None

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    BF16 = None

NAN = float("nan")
INF = float("inf")
FLOATS = [np.float16, np.float32, np.float64] + ([BF16] if BF16 is not None else [])
ZERO_WARNING = "Initializing zero-element tensors is a no-op"


def exact(msg):
    """A pytest ``match`` pattern for exactly this message."""
    return "^" + re.escape(msg) + "$"


# ---- sentinel arrays ---------------------------------------------------------------

def pattern(nbytes, salt=0):
    """Deterministic, varied bytes (no two neighbours equal, not all zero)."""
    return ((np.arange(nbytes, dtype=np.uint64) * 151 + 7 + salt) % 253 + 1).astype(np.uint8)


class Buf:
    """A uint8 buffer holding a sentinel pattern; arrays are views of it."""

    def __init__(self, nbytes, salt=0):
        self.raw = np.empty(max(nbytes, 1), np.uint8)
        self.raw[:] = pattern(self.raw.size, salt)
        self.before = self.raw.tobytes()

    def array(self, shape, dtype=np.float64):
        dtype = np.dtype(dtype)
        n = int(np.prod(shape, dtype=np.int64))
        return self.raw[: n * dtype.itemsize].view(dtype).reshape(shape)

    def unchanged(self):
        return self.raw.tobytes() == self.before


def sentinel(shape, dtype=np.float64):
    """(array, buffer) with the array's bytes set to the sentinel pattern."""
    dtype = np.dtype(dtype)
    buf = Buf(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
    return buf.array(shape, dtype), buf


# ---- the public functions, called with valid arguments except the target --------

def _shard(t, g):
    return wcinit.fill_shard(t, 0, "normal", generator=g)


CALLS = {
    "uniform_": lambda t, g: wcinit.uniform_(t, -1.0, 1.0, generator=g),
    "normal_": lambda t, g: wcinit.normal_(t, 0.0, 0.5, generator=g),
    "trunc_normal_": lambda t, g: wcinit.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0, generator=g),
    "constant_": lambda t, g: wcinit.constant_(t, 0.25),
    "ones_": lambda t, g: wcinit.ones_(t),
    "zeros_": lambda t, g: wcinit.zeros_(t),
    "eye_": lambda t, g: wcinit.eye_(t),
    "dirac_": lambda t, g: wcinit.dirac_(t),
    "xavier_uniform_": lambda t, g: wcinit.xavier_uniform_(t, generator=g),
    "xavier_normal_": lambda t, g: wcinit.xavier_normal_(t, generator=g),
    "kaiming_uniform_": lambda t, g: wcinit.kaiming_uniform_(t, generator=g),
    "kaiming_normal_": lambda t, g: wcinit.kaiming_normal_(t, generator=g),
    "orthogonal_": lambda t, g: wcinit.orthogonal_(t, generator=g),
    "sparse_": lambda t, g: wcinit.sparse_(t, 0.5, generator=g),
    "fill_shard": _shard,
}
RANDOM = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
          "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_"]
SHAPE = {name: (4, 6) for name in CALLS}
SHAPE["dirac_"] = (4, 6, 3)
DEPRECATED = {
    "uniform": lambda t: wcinit.uniform(t), "normal": lambda t: wcinit.normal(t),
    "constant": lambda t: wcinit.constant(t, 1.0), "eye": lambda t: wcinit.eye(t),
    "dirac": lambda t: wcinit.dirac(t), "xavier_uniform": lambda t: wcinit.xavier_uniform(t),
    "xavier_normal": lambda t: wcinit.xavier_normal(t),
    "kaiming_uniform": lambda t: wcinit.kaiming_uniform(t),
    "kaiming_normal": lambda t: wcinit.kaiming_normal(t),
    "orthogonal": lambda t: wcinit.orthogonal(t), "sparse": lambda t: wcinit.sparse(t, 0.5),
}


def call(name, target, g=None):
    g = wcinit.Generator(1234) if g is None else g
    return CALLS[name](target, g)


def assert_fn_named(excinfo, name):
    """wcinit's own messages start with the function's name."""
    assert str(excinfo.value).startswith(name), str(excinfo.value)


# ---- 1. targets that are not arrays ------------------------------------------------

class ArrayLike:
    """Converts to an array only by copying: must be refused."""

    def __array__(self, dtype=None, copy=None):
        return np.zeros((4, 6))


class Unrelated:
    pass


def _gen():
    yield 1.0


NON_ARRAYS = {
    "list": lambda: [[0.0] * 6 for _ in range(4)],
    "tuple": lambda: tuple((0.0,) * 6 for _ in range(4)),
    "float": lambda: 1.5,
    "int": lambda: 3,
    "bool": lambda: True,
    "complex": lambda: 1 + 2j,
    "None": lambda: None,
    "str": lambda: "abc",
    "bytes": lambda: b"abcdefgh",
    "dict": lambda: {"a": 1.0},
    "object": lambda: Unrelated(),
    "array_like": lambda: ArrayLike(),
    "generator": lambda: _gen(),
    "np_float64_scalar": lambda: np.float64(1.0),
    # NumPy scalars that are not Python floats export a read-only buffer: still not arrays
    "np_float32_scalar": lambda: np.float32(1.0),
    "np_float16_scalar": lambda: np.float16(1.0),
    "np_int64_scalar": lambda: np.int64(3),
    "np_bool_scalar": lambda: np.bool_(True),
    "range": lambda: range(10),
}


@pytest.mark.parametrize("kind", list(NON_ARRAYS))
@pytest.mark.parametrize("name", list(CALLS))
def test_non_array_target(name, kind):
    obj = NON_ARRAYS[kind]()
    before = copy.deepcopy(obj) if kind not in ("generator",) else None
    g = wcinit.Generator(5)
    with pytest.raises(wcinit.NotAnArrayError, match="tensor must be a numpy.ndarray") as ei:
        call(name, obj, g)
    # NotAnArrayError is both torch's AttributeError and a TypeError
    assert isinstance(ei.value, TypeError) and isinstance(ei.value, AttributeError)
    assert_fn_named(ei, name)
    assert type(obj).__name__ in str(ei.value)
    if before is not None and kind not in ("object", "array_like"):
        assert obj == before
    assert g.offset == 0


@pytest.mark.parametrize("name", list(DEPRECATED))
def test_deprecated_aliases_refuse_bad_targets(name):
    with pytest.warns(FutureWarning, match=f"wcinit.{name}"):
        with pytest.raises(wcinit.NotAnArrayError):
            DEPRECATED[name]([1.0, 2.0])
    arr, buf = sentinel((4, 6, 3) if name == "dirac" else (4, 6))
    arr.flags.writeable = False
    with pytest.warns(FutureWarning):
        with pytest.raises(ValueError, match="read-only"):
            DEPRECATED[name](arr)
    assert buf.unchanged()


# ---- 2. wrong dtypes ------------------------------------------------------------------

BAD_DTYPES = ["int8", "int32", "int64", "uint8", "uint32", "uint64", "bool", "complex64",
              "complex128", "U3", "S8", "V8", "datetime64[ns]", "timedelta64[s]",
              [("x", "<f8")], [("x", "<f4"), ("y", "<f4")]]


@pytest.mark.parametrize("dtype", BAD_DTYPES, ids=str)
@pytest.mark.parametrize("name", list(CALLS))
def test_unsupported_dtype(name, dtype):
    dtype = np.dtype(dtype)
    arr, buf = sentinel(SHAPE[name], dtype)
    g = wcinit.Generator(5)
    with pytest.raises(wcinit.DtypeError, match="dtype .* is not supported") as ei:
        call(name, arr, g)
    assert isinstance(ei.value, TypeError) and isinstance(ei.value, NotImplementedError)
    assert_fn_named(ei, name)
    assert buf.unchanged()
    assert g.offset == 0


@pytest.mark.parametrize("name", list(CALLS))
def test_object_array(name):
    items = [object() for _ in range(int(np.prod(SHAPE[name])))]
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    arr = arr.reshape(SHAPE[name])
    with pytest.raises(wcinit.DtypeError, match="object"):
        call(name, arr)
    assert all(a is b for a, b in zip(arr.ravel(), items))


@pytest.mark.parametrize("name", list(CALLS))
def test_buffer_objects(name):
    """Writable buffers of a wrong type are refused by dtype; read-only ones as read-only."""
    a = array.array("i", range(int(np.prod(SHAPE[name]))))
    before = a.tobytes()
    with pytest.raises(wcinit.DtypeError, match="int32"):
        call(name, a)
    assert a.tobytes() == before
    ba = bytearray(pattern(48).tobytes())
    with pytest.raises(wcinit.DtypeError, match="uint8"):
        call(name, ba)
    assert bytes(ba) == pattern(48).tobytes()
    with pytest.raises(ValueError, match="read-only"):
        call(name, memoryview(b"\x00" * 48).cast("d"))


# ---- 3. non-native byte order -----------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", list(CALLS))
def test_byteswapped(name, dtype):
    """A documented failure mode: non-native byte order is refused with ValueError."""
    native, _ = sentinel(SHAPE[name], dtype)
    swapped = native.astype(native.dtype.newbyteorder())
    assert not swapped.dtype.isnative
    before = swapped.tobytes()
    g = wcinit.Generator(5)
    with pytest.raises(ValueError, match="non-native byte order") as ei:
        call(name, swapped, g)
    assert_fn_named(ei, name)
    assert swapped.tobytes() == before
    assert g.offset == 0


# ---- 4. read-only arrays ------------------------------------------------------------------

def _readonly_flag(shape, dtype):
    arr, buf = sentinel(shape, dtype)
    arr.flags.writeable = False
    return arr, buf


def _broadcast(shape, dtype):
    base, buf = sentinel(shape[1:], dtype)
    return np.broadcast_to(base, shape), buf


def _frombuffer(shape, dtype):
    dtype = np.dtype(dtype)
    data = pattern(int(np.prod(shape)) * dtype.itemsize).tobytes()
    arr = np.frombuffer(data, dtype).reshape(shape)

    class B:
        def unchanged(self):
            return arr.tobytes() == data
    return arr, B()


def _readonly_view_of_writable(shape, dtype):
    arr, buf = sentinel(shape, dtype)
    v = arr[...]
    v.flags.writeable = False
    return v, buf


READONLY = {
    "flag": _readonly_flag,
    "broadcast_to": _broadcast,
    "frombuffer_bytes": _frombuffer,
    "view_flag": _readonly_view_of_writable,
}


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("how", list(READONLY))
@pytest.mark.parametrize("name", list(CALLS))
def test_read_only(name, how, dtype):
    arr, buf = READONLY[how](SHAPE[name], dtype)
    assert not arr.flags.writeable
    g = wcinit.Generator(5)
    with pytest.raises(ValueError, match="read-only") as ei:
        call(name, arr, g)
    assert_fn_named(ei, name)
    assert buf.unchanged()
    assert g.offset == 0


@pytest.mark.parametrize("name", list(CALLS))
def test_read_only_memmap(name, tmp_path):
    path = tmp_path / "w.bin"
    shape = SHAPE[name]
    data = pattern(int(np.prod(shape)) * 4).tobytes()
    path.write_bytes(data)
    mm = np.memmap(path, dtype=np.float32, mode="r", shape=shape)
    with pytest.raises(ValueError, match="read-only"):
        call(name, mm)
    del mm
    assert path.read_bytes() == data


@pytest.mark.parametrize("name", list(CALLS))
def test_sliding_window_view_read_only(name):
    base, buf = sentinel((40,))
    nd = len(SHAPE[name])
    view = np.lib.stride_tricks.sliding_window_view(base, SHAPE[name][-1])
    view = view[: SHAPE[name][0]].reshape((SHAPE[name][0],) + (1,) * (nd - 2) + (SHAPE[name][-1],))
    with pytest.raises(ValueError, match="read-only"):
        call(name, view)
    assert buf.unchanged()


# ---- 5. self-overlapping writable views (a documented failure mode) ---------------------

def _strided(shape, strides, dtype=np.float64, start=0):
    buf = Buf(64 * 8)
    parent = buf.array((64,), dtype)
    view = np.lib.stride_tricks.as_strided(parent[start:], shape=shape, strides=strides,
                                           writeable=True)
    return view, buf


def _overlaps(shape):
    es = 8
    nd = len(shape)
    inner = [es] * nd  # every dim steps by one element: heavy overlap
    zero_first = [0] + [es * int(np.prod(shape[d + 1:])) for d in range(1, nd)]
    zero_last = [es * int(np.prod(shape[d + 1:-1])) for d in range(nd - 1)] + [0]
    negative = [-es] + [es] * (nd - 1)
    return {
        "all_zero": ([0] * nd, 0),
        "zero_first": (zero_first, 0),
        "zero_last": (zero_last, 0),
        "unit_all": (inner, 0),
        "negative": (negative, 32),
    }


OVERLAP_KINDS = ["all_zero", "zero_first", "zero_last", "unit_all", "negative"]


@pytest.mark.parametrize("kind", OVERLAP_KINDS)
@pytest.mark.parametrize("name", list(CALLS))
def test_self_overlapping_view(name, kind):
    """A documented failure mode: writable self-aliasing views are refused with ValueError."""
    strides, start = _overlaps(SHAPE[name])[kind]
    view, buf = _strided(SHAPE[name], strides, start=start)
    assert view.flags.writeable
    g = wcinit.Generator(5)
    with pytest.raises(ValueError, match="self-overlapping") as ei:
        call(name, view, g)
    assert_fn_named(ei, name)
    assert buf.unchanged()
    assert g.offset == 0


@pytest.mark.parametrize("name", list(CALLS))
def test_writable_sliding_window_view(name):
    base, buf = sentinel((40,))
    shape = SHAPE[name]
    view = np.lib.stride_tricks.sliding_window_view(base, shape[-1], writeable=True)
    view = view[: shape[0]].reshape((shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],))
    with pytest.raises(ValueError, match="self-overlapping"):
        call(name, view)
    assert buf.unchanged()


@pytest.mark.skipif(torch is None, reason="torch not installed")
@pytest.mark.parametrize("name", list(CALLS))
def test_torch_expanded_tensor_refused(name):
    shape = SHAPE[name]
    base = torch.arange(shape[-1], dtype=torch.float32)
    t = base.expand(*shape)  # stride 0: every row is the same memory
    with pytest.raises(ValueError, match="self-overlapping"):
        call(name, t)
    assert torch.equal(base, torch.arange(shape[-1], dtype=torch.float32))


# ---- 6. torch tensors wcinit cannot fill -----------------------------------------------------

@pytest.mark.skipif(torch is None, reason="torch not installed")
@pytest.mark.parametrize("tdtype", ["int64", "int32", "bool", "complex64", "uint8"])
@pytest.mark.parametrize("name", list(CALLS))
def test_torch_bad_dtype(name, tdtype):
    t = (torch.arange(int(np.prod(SHAPE[name]))) % 7).to(getattr(torch, tdtype))
    t = t.reshape(SHAPE[name])
    before = t.clone()
    with pytest.raises(wcinit.DtypeError):
        call(name, t)
    assert torch.equal(t, before)


@pytest.mark.skipif(torch is None, reason="torch not installed")
@pytest.mark.parametrize("name", list(CALLS))
def test_torch_meta_tensor(name):
    t = torch.empty(SHAPE[name], device="meta")
    with pytest.raises(wcinit.NotAnArrayError, match="cannot be viewed as a NumPy array in place"):
        call(name, t)


# ---- 7. wrong number of dimensions ------------------------------------------------------------

FAN_MSG = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
NDIM_CASES = (
    [(f, s, ValueError, FAN_MSG) for f in ("xavier_uniform_", "xavier_normal_",
                                           "kaiming_uniform_", "kaiming_normal_")
     for s in [(), (5,)]]
    + [("orthogonal_", s, ValueError, "Only tensors with 2 or more dimensions are supported")
       for s in [(), (5,)]]
    + [(f, s, ValueError, "Only tensors with 2 dimensions are supported")
       for f in ("eye_", "sparse_") for s in [(), (5,), (2, 3, 4), (1, 2, 3, 4)]]
    + [("dirac_", s, ValueError, "Only tensors with 3, 4, or 5 dimensions are supported")
       for s in [(), (5,), (4, 6), (1, 1, 1, 1, 1, 1), (2,) * 7]]
)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,shape,exc,msg", NDIM_CASES,
                         ids=[f"{c[0]}-{len(c[1])}d" for c in NDIM_CASES])
def test_wrong_ndim(name, shape, exc, msg, dtype):
    arr, buf = sentinel(shape, dtype)
    g = wcinit.Generator(5)
    with pytest.raises(exc, match=exact(msg)):
        call(name, arr, g)
    assert buf.unchanged()
    assert g.offset == 0


@pytest.mark.parametrize("name", ["uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
                                  "zeros_", "fill_shard"])
def test_elementwise_accept_any_ndim(name):
    """0-d and 1-d arrays are fine where no fans are needed (not a bad input)."""
    maxdims = 64 if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else 32  # NumPy's limit
    for shape in [(), (5,), (1,) * maxdims]:
        arr = np.full(shape, 7.0)
        call(name, arr)
        assert np.all(np.isfinite(arr))
        if name not in ("constant_", "ones_"):
            assert not np.all(arr == 7.0) or arr.size == 0


# ---- 8. zero-size arrays ----------------------------------------------------------------------

def _zero_views():
    """(shape of the parent, index producing a zero-size view of it)."""
    return {
        (0, 3): ((5, 3), np.s_[2:2]),
        (3, 0): ((3, 5), np.s_[:, 2:2]),
        (2, 0, 3): ((2, 4, 3), np.s_[:, 1:1]),
        (0,): ((7,), np.s_[3:3]),
        (0, 0): ((4, 4), np.s_[1:1, 2:2]),
    }


def _zero_cases():
    out = []
    for name in RANDOM:
        for shape in _zero_views():
            if name == "sparse_" and len(shape) != 2:
                continue
            if len(shape) < 2 and name in ("xavier_uniform_", "xavier_normal_", "orthogonal_"):
                continue  # fewer than 2 dims is an error first (as torch), tested above
            out.append((name, shape))
    return out


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,shape", _zero_cases())
def test_zero_size_random_initializers_warn(name, shape, dtype):
    pshape, index = _zero_views()[shape]
    parent, buf = sentinel(pshape, dtype)
    view = parent[index]
    assert view.shape == shape and view.size == 0
    g = wcinit.Generator(5)
    with pytest.warns(UserWarning, match=exact(ZERO_WARNING)):
        out = call(name, view, g)
    assert out is view
    assert buf.unchanged()
    assert g.offset == 0


@pytest.mark.parametrize("name,shape", [("constant_", (0, 3)), ("ones_", (3, 0)),
                                        ("zeros_", (0,)), ("eye_", (0, 3)), ("eye_", (3, 0)),
                                        ("dirac_", (0, 3, 3)), ("dirac_", (4, 0, 3)),
                                        ("fill_shard", (0, 3))])
def test_zero_size_deterministic_initializers(name, shape):
    """Deterministic fills of nothing: no error, no warning (as torch), nothing touched."""
    parent, buf = sentinel((8, 8, 8))
    view = parent[tuple(slice(1, 1 + s) for s in shape) + (0,) * (3 - len(shape))]
    assert view.shape == shape
    g = wcinit.Generator(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call(name, view, g)
    assert buf.unchanged()
    assert g.offset == 0


def test_dirac_zero_spatial_size():
    """torch raises IndexError for a zero-size spatial dim (no centre); so does wcinit."""
    parent, buf = sentinel((4, 3, 3))
    view = parent[:, :, 1:1]
    with pytest.raises(IndexError, match="out of bounds"):
        wcinit.dirac_(view)
    assert buf.unchanged()


@pytest.mark.parametrize("fn,exc,msg", [
    (lambda t, g: wcinit.uniform_(t, 2.0, 1.0, generator=g), RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    (lambda t, g: wcinit.normal_(t, 0.0, -1.0, generator=g), RuntimeError,
     "normal expects std >= 0.0, but found std -1"),
    (lambda t, g: wcinit.trunc_normal_(t, a=2.0, b=1.0, generator=g), RuntimeError,
     "trunc_normal_ expects a <= b, but found a=2 > b=1"),
    (lambda t, g: wcinit.kaiming_uniform_(t, mode="fan_avg", generator=g), None, None),
    (lambda t, g: wcinit.sparse_(t, 2.0, generator=g), ValueError, None),
    (lambda t, g: wcinit.sparse_(t, 0.5, generator="x"), TypeError, None),
])
def test_zero_size_still_validates(fn, exc, msg):
    """Argument errors are raised for empty arrays too (as torch), except kaiming's mode,
    which torch checks only after its zero-element early return."""
    arr = np.empty((0, 3))
    g = wcinit.Generator(5)
    if exc is None:
        with pytest.warns(UserWarning, match=ZERO_WARNING):
            fn(arr, g)
    else:
        with pytest.raises(exc, match=exact(msg) if msg else None):
            fn(arr, g)
    assert g.offset == 0


# ---- 9. bad keyword arguments ------------------------------------------------------------------

U, N, T = wcinit.uniform_, wcinit.normal_, wcinit.trunc_normal_
XU, XN, KU, KN = (wcinit.xavier_uniform_, wcinit.xavier_normal_, wcinit.kaiming_uniform_,
                  wcinit.kaiming_normal_)
O, S, C, D = wcinit.orthogonal_, wcinit.sparse_, wcinit.constant_, wcinit.dirac_
MODE_MSG = "Mode {} not supported, please use one of ['fan_in', 'fan_out']"
OOB = "{} is out of bounds for {}"


def shard(dist, **kw):
    return lambda t, g: wcinit.fill_shard(t, 0, dist, generator=g, **kw)


# (id, fn(t, g), dtype, exc, pattern, exact?)
KWARG_CASES = [
    # uniform_
    ("uniform-a>b", lambda t, g: U(t, 2, 1, generator=g), np.float32, RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1", True),
    ("uniform-a>b-frac", lambda t, g: U(t, 0.5, 0.25, generator=g), np.float64, RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=0.5 > to=0.25", True),
    ("uniform-a-nan", lambda t, g: U(t, NAN, 1, generator=g), np.float32, RuntimeError,
     OOB.format("from", "float"), True),
    ("uniform-b-nan", lambda t, g: U(t, 0, NAN, generator=g), np.float64, RuntimeError,
     OOB.format("to", "double"), True),
    ("uniform-a-neginf", lambda t, g: U(t, -INF, 1, generator=g), np.float32, RuntimeError,
     OOB.format("from", "float"), True),
    ("uniform-b-inf", lambda t, g: U(t, 0, INF, generator=g), np.float64, RuntimeError,
     OOB.format("to", "double"), True),
    ("uniform-f32-range", lambda t, g: U(t, -1e39, 1, generator=g), np.float32, RuntimeError,
     OOB.format("from", "float"), True),
    ("uniform-f16-range", lambda t, g: U(t, 0, 1e5, generator=g), np.float16, RuntimeError,
     OOB.format("to", "c10::Half"), True),
    ("uniform-a-str", lambda t, g: U(t, "0", 1, generator=g), np.float32, TypeError,
     "uniform_(): argument 'a' must be float, not str", True),
    ("uniform-b-None", lambda t, g: U(t, 0, None, generator=g), np.float32, TypeError,
     "uniform_(): argument 'b' must be float, not NoneType", True),
    ("uniform-a-complex", lambda t, g: U(t, 1j, 2, generator=g), np.float32, TypeError,
     "argument 'a'", False),
    ("uniform-b-array", lambda t, g: U(t, 0, np.ones(2), generator=g), np.float32, TypeError,
     "argument 'b'", False),
    # normal_
    ("normal-std-neg", lambda t, g: N(t, 0, -1, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std -1", True),
    ("normal-std-neg-frac", lambda t, g: N(t, 0, -0.5, generator=g), np.float64, RuntimeError,
     "normal expects std >= 0.0, but found std -0.5", True),
    ("normal-std-nan", lambda t, g: N(t, 0, NAN, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std nan", True),
    ("normal-std-neginf", lambda t, g: N(t, 0, -INF, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std -inf", True),
    ("normal-std-inf", lambda t, g: N(t, 0, INF, generator=g), np.float32, ValueError,
     "normal_: std must be finite", False),
    ("normal-mean-nan", lambda t, g: N(t, NAN, 1, generator=g), np.float32, ValueError,
     "normal_: mean must be finite", False),
    ("normal-mean-inf", lambda t, g: N(t, -INF, 1, generator=g), np.float64, ValueError,
     "normal_: mean must be finite", False),
    ("normal-std-str", lambda t, g: N(t, 0, "1", generator=g), np.float32, TypeError,
     "normal_(): argument 'std' must be float, not str", True),
    ("normal-mean-None", lambda t, g: N(t, None, 1, generator=g), np.float32, TypeError,
     "normal_(): argument 'mean' must be float, not NoneType", True),
    # trunc_normal_
    ("trunc-a>b", lambda t, g: T(t, 0, 1, 2, 1, generator=g), np.float32, RuntimeError,
     "trunc_normal_ expects a <= b, but found a=2 > b=1", True),
    ("trunc-a-nan", lambda t, g: T(t, a=NAN, generator=g), np.float32, ValueError,
     "trunc_normal_: bounds a and b must not be NaN", False),
    ("trunc-b-nan", lambda t, g: T(t, b=NAN, generator=g), np.float64, ValueError,
     "trunc_normal_: bounds a and b must not be NaN", False),
    ("trunc-std-0", lambda t, g: T(t, std=0.0, generator=g), np.float32, ZeroDivisionError,
     "std", False),
    ("trunc-std-neg", lambda t, g: T(t, std=-1.0, generator=g), np.float32, ValueError,
     "trunc_normal_: std must be positive and finite", False),
    ("trunc-std-nan", lambda t, g: T(t, std=NAN, generator=g), np.float32, ValueError,
     "trunc_normal_: std must be positive and finite", False),
    ("trunc-std-inf", lambda t, g: T(t, std=INF, generator=g), np.float32, ValueError,
     "trunc_normal_: std must be positive and finite", False),
    ("trunc-mean-nan", lambda t, g: T(t, mean=NAN, generator=g), np.float32, ValueError,
     "trunc_normal_: mean must be finite", False),
    ("trunc-inf-inf", lambda t, g: T(t, a=INF, b=INF, generator=g), np.float32, ValueError,
     "holds no values", False),
    ("trunc-neginf-neginf", lambda t, g: T(t, a=-INF, b=-INF, generator=g), np.float64,
     ValueError, "holds no values", False),
    # bounds beyond the dtype's range are allowed (test_api_fixes.py); an interval with no
    # finite value of the dtype is not
    ("trunc-f16-empty", lambda t, g: T(t, a=7e4, b=8e4, generator=g), np.float16, ValueError,
     "trunc_normal_: the interval [a, b] = [70000.0, 80000.0] holds no values in float16's "
     "finite range", True),
    ("trunc-f32-empty", lambda t, g: T(t, a=-INF, b=-1e39, generator=g), np.float32, ValueError,
     "holds no values", False),
    ("trunc-a-str", lambda t, g: T(t, a="x", generator=g), np.float32, TypeError,
     "trunc_normal_(): argument 'a' must be float, not str", True),
    ("trunc-std-list", lambda t, g: T(t, std=[1.0], generator=g), np.float32, TypeError,
     "argument 'std'", False),
    # constant_
    ("constant-str", lambda t, g: C(t, "x"), np.float32, TypeError,
     "constant_(): argument 'val' must be a number, not str", True),
    ("constant-None", lambda t, g: C(t, None), np.float32, TypeError,
     "constant_(): argument 'val' must be a number, not NoneType", True),
    ("constant-complex", lambda t, g: C(t, 1 + 1j), np.float64, TypeError,
     "constant_(): argument 'val' must be a number, not complex", True),
    ("constant-list", lambda t, g: C(t, [1.0]), np.float64, TypeError, "argument 'val'", False),
    # xavier
    ("xavier_uniform-gain-str", lambda t, g: XU(t, "x", generator=g), np.float32, TypeError,
     "xavier_uniform_(): argument 'gain' must be float, not str", True),
    ("xavier_uniform-gain-None", lambda t, g: XU(t, None, generator=g), np.float32, TypeError,
     "argument 'gain'", False),
    ("xavier_uniform-gain-nan", lambda t, g: XU(t, NAN, generator=g), np.float32, RuntimeError,
     OOB.format("from", "float"), True),
    ("xavier_uniform-gain-inf", lambda t, g: XU(t, INF, generator=g), np.float64, RuntimeError,
     OOB.format("from", "double"), True),
    ("xavier_uniform-gain-neg", lambda t, g: XU(t, -1.0, generator=g), np.float32,
     RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=0.774597 > to=-0.774597",
     True),
    ("xavier_normal-gain-neg", lambda t, g: XN(t, -1.0, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std -0.447214", True),
    ("xavier_normal-gain-nan", lambda t, g: XN(t, NAN, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std nan", True),
    ("xavier_normal-gain-inf", lambda t, g: XN(t, INF, generator=g), np.float32, ValueError,
     "std must be finite", False),
    ("xavier_normal-gain-str", lambda t, g: XN(t, "x", generator=g), np.float32, TypeError,
     "xavier_normal_(): argument 'gain' must be float, not str", True),
    # kaiming
    ("kaiming_uniform-mode", lambda t, g: KU(t, mode="fan_avg", generator=g), np.float32,
     ValueError, MODE_MSG.format("fan_avg"), True),
    # torch lowercases mode: "FAN_AVG" is reported as fan_avg, "FAN_IN" works
    ("kaiming_normal-mode", lambda t, g: KN(t, mode="FAN_AVG", generator=g), np.float32,
     ValueError, MODE_MSG.format("fan_avg"), True),
    ("kaiming_uniform-mode-None", lambda t, g: KU(t, mode=None, generator=g), np.float32,
     AttributeError, "'NoneType' object has no attribute 'lower'", True),
    ("kaiming_uniform-nonlin", lambda t, g: KU(t, nonlinearity="gelu", generator=g),
     np.float32, ValueError, "Unsupported nonlinearity gelu", True),
    ("kaiming_normal-nonlin", lambda t, g: KN(t, nonlinearity="ReLU", generator=g),
     np.float64, ValueError, "Unsupported nonlinearity ReLU", True),
    ("kaiming_normal-nonlin-None", lambda t, g: KN(t, nonlinearity=None, generator=g),
     np.float32, ValueError, "Unsupported nonlinearity None", True),
    ("kaiming_uniform-a-str", lambda t, g: KU(t, a="x", generator=g), np.float32, ValueError,
     "negative_slope x not a valid number", True),
    ("kaiming_normal-a-list", lambda t, g: KN(t, a=[0.1], generator=g), np.float32,
     ValueError, "negative_slope [0.1] not a valid number", True),
    ("kaiming_uniform-a-nan", lambda t, g: KU(t, a=NAN, generator=g), np.float32,
     RuntimeError, OOB.format("from", "float"), True),
    ("kaiming_normal-a-nan", lambda t, g: KN(t, a=NAN, generator=g), np.float32,
     RuntimeError, "normal expects std >= 0.0, but found std nan", True),
    # orthogonal_
    ("orthogonal-gain-str", lambda t, g: O(t, "x", generator=g), np.float32, TypeError,
     "orthogonal_(): argument 'gain' must be float, not str", True),
    ("orthogonal-gain-None", lambda t, g: O(t, None, generator=g), np.float64, TypeError,
     "argument 'gain'", False),
    # sparse_
    ("sparse-1.5", lambda t, g: S(t, 1.5, generator=g), np.float32, ValueError,
     "sparse_: sparsity must be in [0, 1], got 1.5", True),
    ("sparse-neg", lambda t, g: S(t, -0.1, generator=g), np.float32, ValueError,
     "sparse_: sparsity must be in [0, 1], got -0.1", True),
    ("sparse-nan", lambda t, g: S(t, NAN, generator=g), np.float32, ValueError,
     "sparse_: sparsity must be in [0, 1], got nan", True),
    ("sparse-inf", lambda t, g: S(t, INF, generator=g), np.float64, ValueError,
     "sparse_: sparsity must be in [0, 1], got inf", True),
    ("sparse-str", lambda t, g: S(t, "x", generator=g), np.float32, TypeError,
     "sparse_(): argument 'sparsity' must be float, not str", True),
    ("sparse-std-neg", lambda t, g: S(t, 0.5, std=-1, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std -1", True),
    ("sparse-std-nan", lambda t, g: S(t, 0.5, std=NAN, generator=g), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std nan", True),
    ("sparse-std-inf", lambda t, g: S(t, 0.5, std=INF, generator=g), np.float32, ValueError,
     "std must be finite", False),
    # dirac_ (dim 0 is 4)
    ("dirac-groups-3", lambda t, g: D(t, 3), np.float32, ValueError,
     "dim 0 must be divisible by groups", True),
    ("dirac-groups-5", lambda t, g: D(t, 5), np.float32, ValueError,
     "dim 0 must be divisible by groups", True),
    ("dirac-groups-0", lambda t, g: D(t, 0), np.float32, ZeroDivisionError,
     "modulo by zero", False),  # Python's text: 3.10 says "integer division or modulo by zero"
    ("dirac-groups--1", lambda t, g: D(t, -1), np.float32, ValueError,
     "dirac_: groups must be positive, got -1", True),
    ("dirac-groups--2", lambda t, g: D(t, -2), np.float64, ValueError,
     "dirac_: groups must be positive, got -2", True),
    ("dirac-groups--4", lambda t, g: D(t, -4), np.float32, ValueError,
     "dirac_: groups must be positive, got -4", True),
    ("dirac-groups--3", lambda t, g: D(t, -3), np.float32, ValueError,
     "dim 0 must be divisible by groups", True),
    ("dirac-groups-float", lambda t, g: D(t, 2.0), np.float32, TypeError,
     "dirac_(): argument 'groups' must be int, not float", True),
    ("dirac-groups-str", lambda t, g: D(t, "2"), np.float32, TypeError,
     "dirac_(): argument 'groups' must be int, not str", True),
    ("dirac-groups-bool", lambda t, g: D(t, True), np.float32, TypeError,
     "dirac_(): argument 'groups' must be int, not bool", True),
    # fill_shard
    ("shard-dist", shard("gamma"), np.float32, ValueError,
     "fill_shard: distribution must be 'uniform', 'normal' or 'trunc_normal', got 'gamma'",
     True),
    ("shard-dist-None", shard(None), np.float32, ValueError, "distribution", False),
    ("shard-extra-param", shard("normal", a=1.0), np.float32, TypeError,
     "fill_shard: unexpected parameters ['a'] for normal", True),
    ("shard-uniform-a>b", shard("uniform", a=2.0, b=1.0), np.float32, RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1", True),
    ("shard-uniform-nan", shard("uniform", a=NAN), np.float64, RuntimeError,
     OOB.format("from", "double"), True),
    ("shard-uniform-str", shard("uniform", b="1"), np.float64, TypeError,
     "fill_shard(): argument 'b' must be float, not str", True),
    ("shard-normal-std-neg", shard("normal", std=-1.0), np.float32, RuntimeError,
     "normal expects std >= 0.0, but found std -1", True),
    ("shard-normal-std-inf", shard("normal", std=INF), np.float32, ValueError,
     "std must be finite", False),
    # trunc_normal shards are validated as trunc_normal_ is
    ("shard-trunc-std-0", shard("trunc_normal", std=0.0), np.float32, ZeroDivisionError,
     "fill_shard: std must be positive", False),
    ("shard-trunc-std-neg", shard("trunc_normal", std=-1.0), np.float32, ValueError,
     "fill_shard: std must be positive and finite", False),
    ("shard-trunc-a>b", shard("trunc_normal", a=2.0, b=1.0), np.float32, RuntimeError,
     "fill_shard expects a <= b, but found a=2 > b=1", True),
    ("shard-trunc-f16-empty", shard("trunc_normal", a=-8e4, b=-7e4), np.float16, ValueError,
     "fill_shard: the interval [a, b] = [-80000.0, -70000.0] holds no values in float16's "
     "finite range", True),
    # the next ones reach the C check, whose message must be formatted and name the problem
    ("shard-trunc-a-nan", shard("trunc_normal", a=NAN), np.float32, ValueError,
     r"^fill_shard: [^%]*\bnan\b[^%]*$", False),
    ("shard-trunc-mean-nan", shard("trunc_normal", mean=NAN), np.float32, ValueError,
     r"^fill_shard: [^%]*\bnan\b[^%]*$", False),
    ("shard-trunc-std-inf", shard("trunc_normal", std=INF), np.float32, ValueError,
     r"^fill_shard: [^%]*\binf\b[^%]*$", False),
    ("shard-trunc-inf-inf", shard("trunc_normal", a=INF, b=INF), np.float32, ValueError,
     r"^fill_shard: [^%]*\binf\b[^%]*$", False),
]


@pytest.mark.parametrize("case", KWARG_CASES, ids=[c[0] for c in KWARG_CASES])
def test_bad_kwargs(case):
    _, fn, dtype, exc, pat, is_exact = case
    shape = (4, 6, 3) if case[0].startswith("dirac") else (4, 6)
    arr, buf = sentinel(shape, dtype)
    g = wcinit.Generator(99)
    state = g.get_state().tobytes()
    with pytest.raises(exc, match=exact(pat) if is_exact else pat):
        fn(arr, g)
    assert buf.unchanged()
    assert g.get_state().tobytes() == state


# ---- 10. bad generator= values ------------------------------------------------------------------

def _bad_generators():
    out = {
        "float": 1.5, "str": "abc", "bytes": b"1", "bool": True, "np_bool": np.bool_(True),
        "np_float": np.float64(1.0), "complex": 1 + 2j, "list": [1], "tuple": (1, 2),
        "object": Unrelated(), "RandomState": np.random.RandomState(0),
        "BitGenerator": np.random.PCG64(0), "Generator_class": wcinit.Generator,
    }
    if torch is not None:
        out["torch.Generator"] = torch.Generator()
    return out


BAD_GENERATORS = _bad_generators()
GEN_MSG = "argument 'generator' must be a wcinit.Generator"


@pytest.mark.parametrize("kind", list(BAD_GENERATORS))
@pytest.mark.parametrize("name", RANDOM + ["fill_shard"])
def test_bad_generator(name, kind):
    arr, buf = sentinel(SHAPE[name])
    default_state = wcinit.default_generator.get_state().tobytes()
    with pytest.raises(TypeError, match=re.escape(GEN_MSG)) as ei:
        call(name, arr, BAD_GENERATORS[kind])
    assert str(ei.value).startswith(name + "()")
    assert buf.unchanged()
    assert wcinit.default_generator.get_state().tobytes() == default_state


def test_fill_shard_accepts_numpy_integer_start():
    a = wcinit.fill_shard(np.empty(8), np.int64(40), generator=wcinit.Generator(1))
    b = wcinit.fill_shard(np.empty(8), 40, generator=wcinit.Generator(1))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("g", [None, 0, np.random.default_rng(0)], ids=["None", "int", "numpy"])
def test_fill_shard_requires_a_wcinit_generator(g):
    """fill_shard never advances its generator, so a seed or None would be ambiguous."""
    arr, buf = sentinel((4, 6))
    with pytest.raises(TypeError, match=exact(
            "fill_shard(): argument 'generator' must be a wcinit.Generator")):
        wcinit.fill_shard(arr, 0, generator=g)
    assert buf.unchanged()


@pytest.mark.parametrize("start,exc,pat", [
    (-1, ValueError, "fill_shard: start must be non-negative, got -1"),
    (1.0, TypeError, "fill_shard\\(\\): argument 'start' must be int, not float"),
    ("0", TypeError, "fill_shard\\(\\): argument 'start' must be int, not str"),
    (None, TypeError, "fill_shard\\(\\): argument 'start' must be int, not NoneType"),
    (True, TypeError, "fill_shard\\(\\): argument 'start' must be int, not bool")])
def test_fill_shard_bad_start(start, exc, pat):
    arr, buf = sentinel((4, 6))
    with pytest.raises(exc, match=pat):
        wcinit.fill_shard(arr, start, generator=wcinit.Generator(1))
    assert buf.unchanged()


@pytest.mark.parametrize("start", [2**63 - 23, 2**63 - 1, 2**63, 2**64 - 24, 2**64, 2**70])
def test_fill_shard_start_past_the_counter_space(start):
    """Logical indices start .. start + size - 1 must lie below 2**63 (the documented
    counter space of one fill): otherwise refuse, rather than fill part of the shard
    or nothing."""
    arr, buf = sentinel((4, 6))
    with pytest.raises((OverflowError, ValueError), match="start|overflow|too big|too large"):
        wcinit.fill_shard(arr, start, generator=wcinit.Generator(1))
    assert buf.unchanged()


def test_fill_shard_last_valid_start():
    """The shard ending exactly at logical index 2**63 - 1 is filled, and matches the
    same elements of a shard that starts one tile earlier."""
    arr = np.full(24, 7.0)
    wcinit.fill_shard(arr, 2**63 - 24, generator=wcinit.Generator(1))
    assert not np.any(arr == 7.0)
    wider = np.full(24 + 32, 7.0)
    wcinit.fill_shard(wider, 2**63 - 24 - 32, generator=wcinit.Generator(1))
    assert np.array_equal(wider[32:], arr)


# ---- 11. calculate_gain -------------------------------------------------------------------------

@pytest.mark.parametrize("args,msg", [
    (("gelu",), "Unsupported nonlinearity gelu"),
    (("ReLU",), "Unsupported nonlinearity ReLU"),
    ((None,), "Unsupported nonlinearity None"),
    ((3,), "Unsupported nonlinearity 3"),
    ((["relu"],), "Unsupported nonlinearity ['relu']"),
    (("leaky_relu", "x"), "negative_slope x not a valid number"),
    (("leaky_relu", True), "negative_slope True not a valid number"),
    (("leaky_relu", [0.1]), "negative_slope [0.1] not a valid number"),
    (("leaky_relu", 1j), "negative_slope 1j not a valid number"),
])
def test_calculate_gain_bad(args, msg):
    with pytest.raises(ValueError, match=exact(msg)):
        wcinit.calculate_gain(*args)


# ---- 12. Generator methods and module-level state functions -------------------------------------

SEED_RANGE = ("seed must be within the inclusive range "
              "[-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff]")


@pytest.mark.parametrize("args,kwargs,exc,pat", [
    ((1.5,), {}, TypeError, "Generator: seed must be an int, got float"),
    (("1",), {}, TypeError, "Generator: seed must be an int, got str"),
    ((True,), {}, TypeError, "Generator: seed must be an int, got bool"),
    ((np.float64(1),), {}, TypeError, "Generator: seed must be an int, got numpy.float64"),
    (([1],), {}, TypeError, "Generator: seed must be an int, got list"),
    ((2**64,), {}, RuntimeError, "Generator: " + SEED_RANGE),
    ((-2**63 - 1,), {}, RuntimeError, "Generator: " + SEED_RANGE),
    ((1, 2, 3), {}, TypeError, None),
    ((), {"sed": 1}, TypeError, None),
])
def test_generator_constructor_bad(args, kwargs, exc, pat):
    with pytest.raises(exc, match=exact(pat) if pat else None):
        wcinit.Generator(*args, **kwargs)


@pytest.mark.parametrize("stream,exc", [("x", TypeError), (1.5, TypeError),
                                        (2**64, RuntimeError), (-2**63 - 1, RuntimeError)])
def test_generator_bad_stream_names_stream(stream, exc):
    """The error for a bad stream must say 'stream', not 'seed'."""
    with pytest.raises(exc, match="stream"):
        wcinit.Generator(1, stream)


def _gen_state(g):
    return g.get_state().tobytes()


@pytest.mark.parametrize("method,arg,exc,pat", [
    ("manual_seed", "x", TypeError, exact("manual_seed: seed must be an int, got str")),
    ("manual_seed", None, TypeError, exact("manual_seed: seed must be an int, got NoneType")),
    ("manual_seed", 1.0, TypeError, exact("manual_seed: seed must be an int, got float")),
    ("manual_seed", 2**64, RuntimeError, exact("manual_seed: " + SEED_RANGE)),
    ("manual_seed", -2**63 - 1, RuntimeError, exact("manual_seed: " + SEED_RANGE)),
    ("set_state", np.zeros(32, np.uint8), ValueError, "set_state: state must be the 40-byte"),
    ("set_state", np.zeros(3, np.uint8), ValueError, "set_state: state must be the 40-byte"),
    ("set_state", "abc", TypeError, "set_state: state must be the uint8 array"),
    ("set_state", None, TypeError, "set_state: state must be the uint8 array"),
    ("set_state", 5, TypeError, "set_state: state must be the uint8 array"),
    ("set_state", [1, 2], ValueError, "set_state: state must be the 40-byte"),
    ("set_state", b"wcPhx1\x00\x00" + b"\x00" * 23, ValueError, "32-byte"),
    ("spawn", -1, ValueError, exact("spawn: n must be >= 0, got -1")),
    ("spawn", 1.5, TypeError, "integer"),
    ("spawn", "2", TypeError, "integer"),
    ("spawn", None, TypeError, "integer"),
    ("spawn", 2**70, OverflowError, "int"),
])
def test_generator_methods_bad(method, arg, exc, pat):
    g = wcinit.Generator(11, 3)
    wcinit.normal_(np.empty(100), generator=g)  # a non-zero offset
    state = _gen_state(g)
    child_stream = wcinit.Generator(11, 3).spawn(1)[0].stream
    with pytest.raises(exc, match=pat):
        getattr(g, method)(arg)
    assert _gen_state(g) == state
    # a failed spawn does not consume a child stream
    assert g.spawn(1)[0].stream == child_stream


def test_set_state_rejects_foreign_byte_layout():
    g = wcinit.Generator(3)
    s = g.get_state()
    for bad in (s.astype(np.float64), s.astype(np.int64), s[::2], s[:31],
                np.concatenate([s, s])):
        with pytest.raises((ValueError, TypeError), match="set_state"):
            g.set_state(bad)
        assert _gen_state(g) == s.tobytes()


@pytest.mark.parametrize("fn,arg,exc", [
    (wcinit.manual_seed, "x", TypeError), (wcinit.manual_seed, 2**64, RuntimeError),
    (wcinit.set_rng_state, np.zeros(32, np.uint8), ValueError),
    (wcinit.set_rng_state, None, TypeError),
])
def test_module_state_functions_bad(fn, arg, exc):
    state = _gen_state(wcinit.default_generator)
    with pytest.raises(exc):
        fn(arg)
    assert _gen_state(wcinit.default_generator) == state


@pytest.mark.parametrize("arg,exc,pat", [
    (0, ValueError, exact("set_num_threads: n must be a positive integer, got 0")),
    (-3, ValueError, exact("set_num_threads: n must be a positive integer, got -3")),
    ("2", TypeError, "integer"), (1.5, TypeError, "integer"), (None, TypeError, "integer"),
    (2**70, OverflowError, "too large"),
])
def test_set_num_threads_bad(arg, exc, pat):
    before = wcinit.get_num_threads()
    with pytest.raises(exc, match=pat):
        wcinit.set_num_threads(arg)
    assert wcinit.get_num_threads() == before


@pytest.mark.parametrize("arg,exc,pat", [
    ("sse", ValueError, exact("set_simd: path must be 'scalar', 'avx2' or 'avx512', got 'sse'")),
    ("", ValueError, "set_simd: path must be"),
    ("AVX2", ValueError, "set_simd: path must be"),
    (None, TypeError, "set_simd|path|str"),
    (2, TypeError, "set_simd|path|str"),
])
def test_set_simd_bad(arg, exc, pat):
    before = wcinit.get_simd()
    with pytest.raises(exc, match=pat):
        wcinit.set_simd(arg)
    assert wcinit.get_simd() == before


# ---- 13. huge shapes and overflowing sizes ---------------------------------------------

@pytest.mark.parametrize("shape", [[2**40, 2**40, 2**40], [2**32, 2**32, 2**32],
                                   [3, 2**62, 4], [2**62, 1, 8], [1, 2**63 - 1, 2]])
def test_fans_overflow(shape):
    with pytest.raises(OverflowError, match="overflow"):
        _core._fans(shape)


def test_fans_too_big_for_int64():
    with pytest.raises(OverflowError):
        _core._fans([2**64, 3])


@pytest.mark.parametrize("shape", [(2**40, 2**40), (2**40, 2**40, 2**40)])
def test_huge_zero_stride_view_impossible_or_refused(shape):
    """NumPy refuses views whose byte size exceeds the address space; if it ever allows
    them, wcinit must refuse them (they alias)."""
    base = np.zeros(1)
    try:
        view = np.lib.stride_tricks.as_strided(base, shape=shape, strides=(0,) * len(shape),
                                               writeable=True)
    except ValueError as e:
        assert "too big" in str(e)
        return
    for name in CALLS:  # pragma: no cover - NumPy 2.x refuses above
        with pytest.raises(ValueError, match="self-overlapping"):
            call(name, view)
    assert base[0] == 0.0


@pytest.mark.parametrize("name", list(CALLS))
def test_largest_zero_stride_view_refused(name):
    """The largest zero-stride views NumPy builds (2**61 elements): refused before any
    size-dependent work (fans, temporaries, counter reservation)."""
    nd = len(SHAPE[name])
    shape = (2**31, 2**30) if nd == 2 else (2**21, 2**20, 2**20)
    buf = Buf(8)
    base = buf.array((4,), np.float16)
    view = np.lib.stride_tricks.as_strided(base, shape=shape, strides=(0,) * nd, writeable=True)
    g = wcinit.Generator(1)
    with pytest.raises(ValueError, match="self-overlapping"):
        call(name, view, g)
    assert buf.unchanged()
    assert g.offset == 0


def test_overlap_check_survives_stride_overflow():
    """Strides whose spans overflow int64 must not fool the overlap check.

    Element (1, 0, 1) and (0, 2, 0) of this view share an address modulo 2**64.  The
    check runs before anything is written, so _check is called directly (a fill of a
    view this wild would write outside any allocation)."""
    base = np.zeros(4, np.float16)
    view = np.lib.stride_tricks.as_strided(base, shape=(2, 3, 2),
                                           strides=(2**62, 2**62 + 2, 2**62 + 4),
                                           writeable=True)
    with pytest.raises(ValueError, match="self-overlapping"):
        _core._check(view, "normal_")


def test_generator_counter_exhausted():
    """A fill that would run the counter past 2**64 blocks raises and writes nothing."""
    g = wcinit.Generator(1)
    state = bytearray(g.get_state().tobytes())
    state[24:32] = (2**64 - 32).to_bytes(8, "little")
    g.set_state(np.frombuffer(bytes(state), np.uint8))
    arr, buf = sentinel((100,))
    with pytest.raises(OverflowError, match="generator counter exhausted"):
        wcinit.normal_(arr, generator=g)  # 4 tiles of 16 blocks: does not fit
    assert buf.unchanged()
    assert g.offset == 2**64 - 32
    wcinit.normal_(np.empty(32), generator=g)  # one tile still fits
    assert g.offset == 2**64 - 16
    arr, buf = sentinel((1,))
    with pytest.raises(OverflowError, match="generator counter exhausted"):
        wcinit.uniform_(arr, generator=g)
    assert buf.unchanged() and g.offset == 2**64 - 16


# ---- 14. _raw (used by dieharder and the concurrency tests) ----------------------------

@pytest.mark.parametrize("make", [
    lambda: np.zeros(64, np.float32), lambda: np.zeros(64, np.int32),
    lambda: np.zeros(128, np.uint32)[::2], lambda: np.zeros(64, ">u4"),
    lambda: np.broadcast_to(np.zeros(1, np.uint32), (64,)), lambda: [0] * 64,
], ids=["float32", "int32", "strided", "byteswapped", "readonly", "list"])
def test_raw_bad_out(make):
    out = make()
    g = wcinit.Generator(1)
    with pytest.raises(TypeError, match="_raw: out must be a writable C-contiguous uint32 array"):
        _core._raw(out, g)
    assert g.offset == 0

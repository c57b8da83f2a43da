"""Behaviour fixes of issue 7 (sections 3 and 5) in the torch-named API, each
checked against torch 2.13.0 where torch defines the behaviour.

* ``mode`` is case-insensitive, as torch lowercases it; a non-string mode
  raises torch's AttributeError.
* ``calculate_fan_in_and_fan_out`` (public) and torch's private
  ``_calculate_fan_in_and_fan_out`` / ``_calculate_correct_fan``.
* ``constant_`` refuses a finite value the dtype cannot hold (torch's
  RuntimeError), writes inf and nan.

Exact tests: bits, exception types and messages; no tolerance.
"""
import inspect
import warnings

import numpy as np
import pytest

import wcinit


def outcome(fn, *args, **kwargs):
    """('ok', result) or ('raise', exception), warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - we compare whatever is raised
            return "raise", e


def same_outcome(theirs, ours):
    kt, rt = theirs
    kw, rw = ours
    assert kt == kw, (rt, rw)
    if kt == "raise":
        assert type(rw) is type(rt) and str(rw) == str(rt), (rt, rw)


# ---- mode ------------------------------------------------------------------------------

KAIMING = ["kaiming_uniform_", "kaiming_normal_"]


@pytest.mark.parametrize("name", KAIMING)
@pytest.mark.parametrize("mode,lower", [("FAN_IN", "fan_in"), ("Fan_Out", "fan_out"),
                                        ("fan_IN", "fan_in"), (np.str_("FAN_OUT"), "fan_out")])
def test_mode_is_case_insensitive(name, mode, lower):
    """Any case of 'fan_in'/'fan_out' gives the bits of the lower-case mode."""
    f = getattr(wcinit, name)
    a = f(np.empty((32, 48), np.float32), mode=mode, nonlinearity="relu", generator=5)
    b = f(np.empty((32, 48), np.float32), mode=lower, nonlinearity="relu", generator=5)
    assert a.tobytes() == b.tobytes()
    other = "fan_out" if lower == "fan_in" else "fan_in"
    c = f(np.empty((32, 48), np.float32), mode=other, nonlinearity="relu", generator=5)
    assert a.tobytes() != c.tobytes()  # the mode is used, not ignored


@pytest.mark.parametrize("name", KAIMING)
@pytest.mark.parametrize("mode,exc,msg", [
    (5, AttributeError, "'int' object has no attribute 'lower'"),
    (None, AttributeError, "'NoneType' object has no attribute 'lower'"),
    (1.5, AttributeError, "'float' object has no attribute 'lower'"),
    ("FAN_AVG", ValueError, "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']"),
    (b"fan_in", ValueError, "Mode b'fan_in' not supported, please use one of ['fan_in', 'fan_out']"),
])
def test_bad_mode_raises_torchs_error_before_writing(name, mode, exc, msg):
    a = np.full((4, 6), 7.0)
    g = wcinit.Generator(3)
    with pytest.raises(exc) as ei:
        getattr(wcinit, name)(a, mode=mode, generator=g)
    assert type(ei.value) is exc and str(ei.value) == msg
    assert (a == 7.0).all() and g.offset == 0


@pytest.mark.parametrize("name", KAIMING)
@pytest.mark.parametrize("mode", ["FAN_IN", "Fan_Out", "fan_avg", "FAN_AVG", 5, None, 1.5,
                                  b"fan_in", "", "fan_in "])
def test_mode_parity_with_torch(torch, name, mode):
    t = torch.zeros(8, 12)
    same_outcome(outcome(getattr(torch.nn.init, name), t, mode=mode),
                 outcome(getattr(wcinit, name), np.zeros((8, 12), np.float32), mode=mode))


@pytest.mark.parametrize("name", KAIMING)
def test_mode_unchecked_for_zero_size_arrays_as_torch(name):
    """torch returns before looking at mode when the tensor has no elements."""
    with pytest.warns(UserWarning, match="zero-element"):
        getattr(wcinit, name)(np.empty((0, 4)), mode=5)


# ---- fans ------------------------------------------------------------------------------

FAN_SHAPES = [(64, 3, 3, 3), (512, 1024), (16, 8, 5), (4, 4, 3, 3, 3), (1, 1), (0, 5),
              (5, 0, 3), (3, 7, 0, 2)]


@pytest.mark.parametrize("shape", FAN_SHAPES)
def test_calculate_fan_in_and_fan_out(shape):
    """fan_in = size(1)·prod(size[2:]), fan_out = size(0)·prod(size[2:]), from an array,
    a tuple, a list or NumPy integers alike; plain ints out."""
    rf = int(np.prod(shape[2:], dtype=np.int64))
    want = (shape[1] * rf, shape[0] * rf)
    for arg in (np.empty(shape, np.float32), shape, list(shape),
                tuple(np.int64(s) for s in shape)):
        got = wcinit.calculate_fan_in_and_fan_out(arg)
        assert got == want and all(type(v) is int for v in got)
        assert wcinit._calculate_fan_in_and_fan_out(arg) == want
    assert wcinit._calculate_correct_fan(shape, "fan_in") == want[0]
    assert wcinit._calculate_correct_fan(np.empty(shape), "FAN_OUT") == want[1]


def test_worked_examples():
    """README: Conv2d(3, 64, 3) has fan_in 27 and fan_out 576."""
    assert wcinit.calculate_fan_in_and_fan_out((64, 3, 3, 3)) == (27, 576)
    assert "calculate_fan_in_and_fan_out" in wcinit.__all__


@pytest.mark.parametrize("arg,exc,msg", [
    ((), ValueError, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"),
    ((5,), ValueError, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"),
    (np.float64(1.0), ValueError,
     "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"),
    (5, TypeError, "calculate_fan_in_and_fan_out(): argument 'array_or_shape' must be an array "
                   "or a shape (a sequence of ints), not int"),
    (None, TypeError, "calculate_fan_in_and_fan_out(): argument 'array_or_shape' must be an "
                      "array or a shape (a sequence of ints), not NoneType"),
    ((3, 2.0), TypeError, "calculate_fan_in_and_fan_out(): a shape holds ints, got 2.0 in (3, 2.0)"),
    ((3, True), TypeError, "calculate_fan_in_and_fan_out(): a shape holds ints, got True in (3, True)"),
    ([[1.0, 2.0]], TypeError, "calculate_fan_in_and_fan_out(): a shape holds ints, got [1.0, 2.0] "
                              "in [[1.0, 2.0]]"),
    ((3, -1), ValueError, "calculate_fan_in_and_fan_out: a shape holds non-negative ints, got -1 "
                          "in (3, -1)"),
])
def test_calculate_fan_in_and_fan_out_bad(arg, exc, msg):
    with pytest.raises(exc) as ei:
        wcinit.calculate_fan_in_and_fan_out(arg)
    assert type(ei.value) is exc and str(ei.value) == msg


def test_private_fan_functions_have_torchs_signatures(torch):
    for name in ["_calculate_fan_in_and_fan_out", "_calculate_correct_fan"]:
        ours = [(p.name, p.kind, p.default) for p in
                inspect.signature(getattr(wcinit, name)).parameters.values()]
        theirs = [(p.name, p.kind, p.default) for p in
                  inspect.signature(getattr(torch.nn.init, name)).parameters.values()]
        assert ours == theirs, name


@pytest.mark.parametrize("shape", FAN_SHAPES + [(), (5,)])
def test_fans_parity_with_torch(torch, shape):
    """Values and errors equal torch's, given a torch tensor itself or our array."""
    t = torch.empty(shape)
    theirs = outcome(torch.nn.init._calculate_fan_in_and_fan_out, t)
    same_outcome(theirs, outcome(wcinit._calculate_fan_in_and_fan_out, t))
    same_outcome(theirs, outcome(wcinit.calculate_fan_in_and_fan_out, np.empty(shape)))
    for mode in ["fan_in", "FAN_OUT", "fan_avg", 3]:
        same_outcome(outcome(torch.nn.init._calculate_correct_fan, t, mode),
                     outcome(wcinit._calculate_correct_fan, t, mode))


# ---- constant_ with a value the dtype cannot hold ---------------------------------------

OVERFLOW = "value cannot be converted to type {} without overflow"
TNAME = {"float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
         "float64": "double"}
# (value, dtypes it overflows): the limits are the largest finite values, 65504 (float16),
# 3.3895313892515355e38 (bfloat16), 3.4028234663852886e38 (float32); a value above one
# overflows even where it would round down to it (torch: c10's overflows<T> compares
# with numeric_limits<T>::max()).
CONSTANT_CASES = [
    (1e300, {"float16", "bfloat16", "float32"}), (-1e300, {"float16", "bfloat16", "float32"}),
    (65504.0, set()), (65505.0, {"float16"}), (65519.99, {"float16"}), (65520.0, {"float16"}),
    (65505, {"float16"}), (-100000, {"float16"}), (np.float64(1e5), {"float16"}),
    (3.3895313892515355e38, {"float16"}), (3.39e38, {"float16", "bfloat16"}),
    (3.4028234663852886e38, {"float16", "bfloat16"}),
    (3.402823567e38, {"float16", "bfloat16", "float32"}),
    (2**63, {"float16"}), (-2**63, {"float16"}),
    (float("inf"), set()), (float("-inf"), set()), (float("nan"), set()), (np.float32("inf"), set()),
    (True, set()), (0, set()), (np.float16(65504), set()),
]


@pytest.mark.parametrize("val,overflows", CONSTANT_CASES, ids=[repr(c[0]) for c in CONSTANT_CASES])
def test_constant_overflow(float_dtype, val, overflows):
    a = np.zeros(5, float_dtype)
    if float_dtype.name in overflows:
        with pytest.raises(RuntimeError) as ei:
            wcinit.constant_(a, val)
        assert type(ei.value) is RuntimeError
        assert str(ei.value) == OVERFLOW.format(TNAME[float_dtype.name])
        assert (a == 0).all()  # nothing written
    else:
        wcinit.constant_(a, val)
        want = np.asarray(np.float64(val)).astype(float_dtype)
        assert a.tobytes() == np.full(5, want, float_dtype).tobytes()


@pytest.mark.parametrize("val,msg", [(2**64, "int too big to convert"), (10**400, "int too big to convert"),
                                     (-2**63 - 1, "can't convert negative int to unsigned")])
def test_constant_int_beyond_torchs_range(val, msg):
    a = np.zeros(3)
    with pytest.raises(OverflowError, match=msg):
        wcinit.constant_(a, val)
    assert (a == 0).all()


def test_ones_zeros_unaffected(float_dtype):
    assert (wcinit.ones_(np.zeros(3, float_dtype)) == 1).all()
    assert (wcinit.zeros_(np.ones(3, float_dtype)) == 0).all()


@pytest.mark.parametrize("val", [c[0] for c in CONSTANT_CASES] + [2**64, -2**63 - 1])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_constant_parity_with_torch(torch, dtype, val):
    t = torch.zeros(3, dtype=getattr(torch, dtype))
    a = np.zeros(3, np.float64 if dtype == "float64" else
                 {"float16": np.float16, "float32": np.float32}.get(dtype) or _bf16())
    theirs, ours = outcome(torch.nn.init.constant_, t, val), outcome(wcinit.constant_, a, val)
    same_outcome(theirs, ours)
    if theirs[0] == "ok":
        assert np.array_equal(t.double().numpy(), a.astype(np.float64), equal_nan=True)


def _bf16():
    return pytest.importorskip("ml_dtypes").bfloat16


# ---- trunc_normal_: its own messages; bounds beyond the dtype's range --------------------

INF = float("inf")
FMAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38,
        "float64": 1.7976931348623157e308}


@pytest.mark.parametrize("kw", [dict(a=2.0, b=1.0), dict(a=-1e5, b=-2e5), dict(a=INF, b=-INF),
                                dict(std=0.0), dict(std=-1.0), dict(mean=INF), dict(a=float("nan")),
                                dict(a=INF, b=INF), dict(a="x")])
def test_trunc_messages_name_trunc_normal(float_dtype, kw):
    """Every refusal names trunc_normal_ and its own arguments, never uniform_'s from/to."""
    a = np.full(6, 7.0).astype(float_dtype)
    g = wcinit.Generator(1)
    with pytest.raises((RuntimeError, ValueError, ZeroDivisionError, TypeError)) as ei:
        wcinit.trunc_normal_(a, generator=g, **kw)
    msg = str(ei.value)
    assert msg.startswith("trunc_normal_"), msg
    assert "uniform_" not in msg and "from" not in msg and " to" not in msg, msg
    assert (a.astype(np.float64) == 7.0).all() and g.offset == 0


def test_trunc_a_greater_than_b():
    for fn, name in [(lambda x, **k: wcinit.trunc_normal_(x, **k), "trunc_normal_"),
                     (lambda x, **k: wcinit.fill_shard(x, 0, "trunc_normal",
                                                       generator=wcinit.Generator(0), **k),
                      "fill_shard")]:
        with pytest.raises(RuntimeError) as ei:
            fn(np.empty(3), a=0.5, b=0.25)
        assert type(ei.value) is RuntimeError
        assert str(ei.value) == f"{name} expects a <= b, but found a=0.5 > b=0.25"


@pytest.mark.parametrize("a,b", [(-1e6, 2.0), (-2.0, 1e6), (-1e39, 1e39), (-INF, 2.0),
                                 (-1e300, 1e300)])
def test_trunc_bounds_beyond_the_dtype_are_its_finite_range(float_dtype, a, b):
    """[a, b] beyond the dtype is sampled as [max(a, -max), min(b, max)]: the same bits
    as those bounds themselves, so a = -1e6 in float16 is a = -65504 is a = -inf."""
    fmax = FMAX[float_dtype.name]
    x = wcinit.trunc_normal_(np.empty(4099, float_dtype), a=a, b=b, generator=11)
    y = wcinit.trunc_normal_(np.empty(4099, float_dtype), a=max(a, -fmax), b=min(b, fmax),
                             generator=11)
    assert x.tobytes() == y.tobytes()
    v = x.astype(np.float64)
    assert np.isfinite(v).all() and (v >= max(a, -fmax)).all() and (v <= min(b, fmax)).all()


def test_trunc_wide_float16_is_finite_and_truncated_to_its_range():
    """std = 1e5 in float16 with infinite bounds: before, ~50% of the values were +-inf.
    Now X ~ N(0, std^2) restricted to [-M, M], M = 65504: every value finite, and the
    fraction with |X| <= c = 32768 is p = (2 Phi(c/std) - 1) / (2 Phi(M/std) - 1)
    (= 0.5085), tested within 6 binomial standard errors.  (Rounding to float16 moves at
    most the values within 16 of c across it: probability < 2e-4, well inside the bound.)"""
    from math import erf, sqrt
    n, std, M, c = 200_000, 1e5, 65504.0, 32768.0
    x = wcinit.trunc_normal_(np.empty(n, np.float16), std=std, a=-INF, b=INF, generator=3)
    v = x.astype(np.float64)
    assert np.isfinite(v).all() and np.abs(v).max() <= M
    phi = lambda z: 0.5 * (1 + erf(z / sqrt(2)))  # noqa: E731
    p = (2 * phi(c / std) - 1) / (2 * phi(M / std) - 1)
    se = sqrt(p * (1 - p) / n)
    assert abs(np.mean(np.abs(v) <= c) - p) < 6 * se


@pytest.mark.parametrize("dtype,a,b", [("float16", 7e4, 8e4), ("float16", -8e4, -7e4),
                                       ("float16", 65510.0, 70000.0), ("float32", 1e39, 2e39),
                                       ("float32", -INF, -1e39), ("bfloat16", 3.4e38, INF),
                                       ("float64", INF, INF), ("float64", -INF, -INF)])
def test_trunc_interval_outside_the_dtype_is_refused(dtype, a, b):
    dt = _bf16() if dtype == "bfloat16" else np.dtype(dtype)
    x = np.full(5, 7.0).astype(dt)
    with pytest.raises(ValueError) as ei:
        wcinit.trunc_normal_(x, a=a, b=b, generator=0)
    assert str(ei.value) == (f"trunc_normal_: the interval [a, b] = [{a}, {b}] holds no values "
                             f"in {np.dtype(dt).name}'s finite range")
    assert (x.astype(np.float64) == 7.0).all()


def test_trunc_bounds_deliberate_differences_from_torch(torch):
    """torch 2.13 is inconsistent: a = -1e6 in float16 passes its inverse-CDF path, while
    [7e4, 8e4] reaches uniform_(a, b) on its rejection path and raises 'from is out of
    bounds'.  wcinit accepts the first (as torch) and refuses the second with ValueError;
    a > b is torch's RuntimeError type with trunc_normal_'s own message."""
    t, a = torch.zeros(3, dtype=torch.float16), np.zeros(3, np.float16)
    assert outcome(torch.nn.init.trunc_normal_, t, 0.0, 1.0, -1e6, 2.0)[0] == "ok"
    assert outcome(wcinit.trunc_normal_, a, 0.0, 1.0, -1e6, 2.0)[0] == "ok"
    kt, et = outcome(torch.nn.init.trunc_normal_, t, 0.0, 1.0, 7e4, 8e4)
    kw, ew = outcome(wcinit.trunc_normal_, a, 0.0, 1.0, 7e4, 8e4)
    assert (kt, type(et), str(et)) == ("raise", RuntimeError, "from is out of bounds for c10::Half")
    assert kw == "raise" and type(ew) is ValueError
    kt, et = outcome(torch.nn.init.trunc_normal_, torch.zeros(3), 0.0, 1.0, 2.0, 1.0)
    kw, ew = outcome(wcinit.trunc_normal_, np.zeros(3, np.float32), 0.0, 1.0, 2.0, 1.0)
    assert type(et) is type(ew) is RuntimeError
    assert str(ew) == "trunc_normal_ expects a <= b, but found a=2 > b=1"

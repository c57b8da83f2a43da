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

"""The table of distributions (wcinit/_dists.py): one row per core sampler, shared by
the torch-named API and fill_shard, each rule stated once with a generated message.

Exact tests: bits, exception types and messages; no tolerance.
"""
import math

import numpy as np
import pytest

import wcinit
from wcinit import _core, _dists

F32 = np.dtype(np.float32)


def test_one_row_per_core_sampler():
    assert set(_dists.NAMES) == set(_core.SAMPLERS)
    for name in _dists.NAMES:
        d = _dists.get(name)
        assert d.name == name and d.code == _core.SAMPLERS[name]
        assert d.names == tuple(p.name for p in d.params)
        assert d.defaults == {p.name: p.default for p in d.params}


@pytest.mark.parametrize("name", _dists.NAMES)
def test_defaults_are_the_torch_functions_defaults(name):
    """The row's defaults are those of the torch-named function of the same name."""
    import inspect
    sig = inspect.signature(getattr(wcinit, name + "_"))
    assert _dists.get(name).defaults == {n: sig.parameters[n].default for n in _dists.get(name).names}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", _dists.NAMES)
def test_fill_shard_and_the_api_share_the_rows(name, dtype):
    """Every row works in fill_shard with no code of its own there: a shard at start 0
    equals the API function's fill, and a shard further in equals that part of it."""
    d = _dists.get(name)
    kw = {n: v for n, v in zip(d.names, {"uniform": (-0.5, 2.0), "normal": (0.25, 3.0),
                                         "trunc_normal": (0.1, 0.5, -0.4, 0.9)}[name])}
    whole = getattr(wcinit, name + "_")(np.empty(1001, dtype), generator=wcinit.Generator(3), **kw)
    g = wcinit.Generator(3)
    state = g.get_state().tobytes()
    head = wcinit.fill_shard(np.empty(1001, dtype), 0, name, generator=g, **kw)
    tail = wcinit.fill_shard(np.empty(333, dtype), 668, name, generator=g, **kw)
    assert head.tobytes() == whole.tobytes()
    assert tail.tobytes() == whole[668:].tobytes()
    assert g.get_state().tobytes() == state  # not advanced


def test_validate_fills_defaults_and_returns_core_parameters():
    assert _dists.get("uniform").validate(F32, "f") == (0.0, 1.0, 0.0, 0.0)
    assert _dists.get("normal").validate(F32, "f", std=2) == (0.0, 2.0, 0.0, 0.0)
    assert _dists.get("trunc_normal").validate(F32, "f", b=np.float32(1.5)) == (0.0, 1.0, -2.0, 1.5)
    out = _dists.get("normal").validate(F32, "f", mean=np.int64(1))
    assert all(type(v) is float for v in out)


def test_validate_refuses_unknown_keywords_and_dtypes():
    with pytest.raises(TypeError, match=r"^f: unexpected parameters \['c', 'fname'\] for uniform$"):
        _dists.get("uniform").validate(F32, "f", c=1.0, fname=2.0)
    with pytest.raises(wcinit.DtypeError, match="^f: dtype int32 is not supported"):
        _dists.get("normal").validate(np.dtype(np.int32), "f")
    # a dtype given as a type works as its np.dtype
    assert _dists.get("normal").validate(np.float16, "f") == (0.0, 1.0, 0.0, 0.0)


@pytest.mark.parametrize("bad", ["gamma", None, ["normal"], 1])
def test_get_unknown_names_the_caller_and_the_choices(bad):
    with pytest.raises(ValueError) as ei:
        _dists.get(bad, "myfunc")
    assert str(ei.value) == ("myfunc: distribution must be 'uniform', 'normal' or "
                             f"'trunc_normal', got {bad!r}")


# Each rule's message is generated from the rule and names the caller and the argument.
@pytest.mark.parametrize("name,kw,dtype,exc,msg", [
    ("uniform", dict(a="x"), F32, TypeError, "g(): argument 'a' must be float, not str"),
    ("uniform", dict(a=-1e39), F32, RuntimeError, "from is out of bounds for float"),
    ("uniform", dict(b=7e4), np.dtype(np.float16), RuntimeError, "to is out of bounds for c10::Half"),
    ("uniform", dict(a=2, b=1), F32, RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    ("normal", dict(std=-0.5), F32, RuntimeError, "normal expects std >= 0.0, but found std -0.5"),
    ("normal", dict(std=math.inf), F32, ValueError, "g: std must be finite, got inf"),
    ("normal", dict(mean=math.nan), F32, ValueError, "g: mean must be finite, got nan"),
    # torch checks std first: a NaN mean with a negative std reports the std
    ("normal", dict(mean=math.nan, std=-1), F32, RuntimeError,
     "normal expects std >= 0.0, but found std -1"),
    ("trunc_normal", dict(std=0), F32, ZeroDivisionError, "g: std must be positive (division by zero)"),
    ("trunc_normal", dict(std=-1), F32, ValueError, "g: std must be positive and finite, got -1.0"),
    ("trunc_normal", dict(a=math.nan), F32, ValueError, "g: bounds a and b must not be NaN, got a=nan"),
])
def test_generated_messages(name, kw, dtype, exc, msg):
    with pytest.raises(exc) as ei:
        _dists.get(name).validate(dtype, "g", **kw)
    assert type(ei.value) is exc and str(ei.value) == msg


def test_the_checker_is_compiled_from_the_rules():
    """The source of each row's checker shows every rule's test, in the checking order."""
    src = _dists.get("normal").source
    assert src.index("std >= 0.0") < src.index("isfinite(std)") < src.index("isfinite(mean)")
    for d in map(_dists.get, _dists.NAMES):
        for p in d.params:
            assert f"as_float({p.name}, fname, {p.name!r})" in d.source


def test_fill_with_start_needs_a_generator_and_leaves_it():
    arr = np.empty(10)
    with pytest.raises(TypeError, match=r"^d\(\): argument 'generator' must be a wcinit.Generator$"):
        _dists.fill(arr, "normal", (0.0, 1.0, 0.0, 0.0), 5, start=0, fname="d")
    g = wcinit.Generator(1)
    _dists.fill(arr, "normal", (0.0, 1.0, 0.0, 0.0), g, start=100)
    assert g.offset == 0
    _dists.fill(arr, _dists.get("normal"), (0.0, 1.0, 0.0, 0.0), g)
    assert g.offset > 0  # an ordinary fill advances it

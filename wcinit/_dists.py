"""The table of distributions: each sampler's name, core code, parameters with
their defaults, and the rule every parameter obeys, stated once.

Every caller that fills an array from a distribution goes through this table:
the torch-named API (``_api.py``), ``fill_shard`` (``_random.py``) and the Dask
constructors.  Each rule is written once, as data, and its error message is
generated from it (as NumPy's ``cont(&random_normal, ..., 'scale',
CONS_NON_NEGATIVE)``); where torch raises for the same argument the rule
carries torch's exception type and text.

Internal API
------------
``NAMES``
    The distribution names, in the core's code order: ``('uniform', 'normal',
    'trunc_normal')``.
``get(name, fname='fill_shard') -> Dist``
    The entry for ``name``; any other value raises ``ValueError`` naming
    ``fname`` and the choices.
``Dist``
    ``.name``; ``.code`` (the core's sampler code, ``_core.SAMPLERS[name]``);
    ``.params`` (a tuple of ``Param(name, default, rules)``, in the core's
    order); ``.defaults`` (``{name: default}``);
    ``.validate(dtype, fname, **kw) -> tuple``: fills in defaults, refuses
    unknown keywords (``TypeError``), converts each value to float and checks
    every rule for an array of ``dtype``; returns the four floats the core's
    ``_fill`` takes.  Pure: nothing is written, no generator is touched.
    ``.check(dtype, fname, values)`` is the same for a tuple of every value,
    in order, and ``.check_args(dtype, fname, *values)`` for the values given
    positionally (the API's fast path: a function compiled from the rules).
``fill(arr, dist, values, generator, start=None, fname=None)``
    Fill ``arr`` (validated by ``_core._check``) with the values ``validate``
    returned.  ``start=None``: an ordinary fill, which advances ``generator``
    (a ``wcinit.Generator``, an int seed, a ``numpy.random.Generator`` or None).
    ``start=i``: ``arr`` is the part of a larger row-major fill beginning at
    logical index ``i``; ``generator`` must be a ``wcinit.Generator`` and is
    not advanced (a copy is used), so every shard of one tensor can be filled
    from the same generator, independently and in any order.

Bounds beyond the dtype's range: ``uniform``'s ``a`` and ``b`` must be finite
values of the dtype (torch's ``check_uniform_bounds``).  ``trunc_normal``'s
``a`` and ``b`` may be anything (infinite included, NaN excluded): the interval
sampled is ``[a, b]`` intersected with the dtype's finite range, so every value
is finite and lies in ``[a, b]``; an empty intersection raises ``ValueError``.
"""
import math
import numbers
import re
from typing import NamedTuple, Optional, Tuple

import numpy as np

from . import _core

# Largest finite value and torch's C++ name of each dtype (torch's messages say "c10::Half").
DTYPE_LIMITS = {np.dtype(np.float32): (3.4028234663852886e38, "float"),
                np.dtype(np.float64): (1.7976931348623157e308, "double"),
                np.dtype(np.float16): (65504.0, "c10::Half")}
try:
    import ml_dtypes as _ml_dtypes
    DTYPE_LIMITS[np.dtype(_ml_dtypes.bfloat16)] = (3.3895313892515355e38, "c10::BFloat16")
except ImportError:  # bfloat16 arrays need ml_dtypes anyway
    pass


def limits(dtype, fname):
    """(largest finite value, torch's name) of a dtype wcinit fills, else DtypeError."""
    try:
        return DTYPE_LIMITS[dtype]
    except KeyError:
        pass
    try:
        return DTYPE_LIMITS[np.dtype(dtype)]
    except (KeyError, TypeError):
        raise _core.DtypeError(f"{fname}: dtype {dtype} is not supported (float16, bfloat16, "
                               "float32 and float64 are)") from None


def g(x):
    """A number as C++ iostreams print it (torch's messages): like %g."""
    return f"{x:g}"


def as_float(x, fname, name):
    """A real-number argument as a Python float, or torch's TypeError naming it."""
    if isinstance(x, float):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return float(x)
    raise TypeError(f"{fname}(): argument '{name}' must be float, not {type(x).__name__}")


# ---- rules -----------------------------------------------------------------------------
#
# A rule's test is a Python expression in the parameter's value ``x`` (a float) and the
# dtype's largest finite value ``fmax``; a relation's test names the parameters it relates.
# Each distribution compiles its rules, in order, into one small function (as namedtuple
# and dataclasses compile theirs): the per-call cost of a loop over rule objects would be
# several times the core's fill of a small array.

class Rule(NamedTuple):
    """One constraint on one parameter.  On failure, ``exc(message.format(...))`` with
    the fields fname, name (the parameter), alias (torch's name of it), value, g (the
    value as %g) and tname (torch's name of the dtype)."""
    test: str
    exc: type
    message: str


class Relation(NamedTuple):
    """A constraint between parameters; the message's fields are fname, dtype, and each
    parameter of ``params`` by name and as g_<name> (%g)."""
    params: Tuple[str, ...]
    test: str
    exc: type
    message: str


# torch's check_uniform_bounds (NaN and +-inf are out of bounds too)
IN_DTYPE_RANGE = Rule("-fmax <= x <= fmax", RuntimeError, "{alias} is out of bounds for {tname}")
# torch's normal_ (NaN fails too)
NON_NEGATIVE = Rule("x >= 0.0", RuntimeError, "normal expects {name} >= 0.0, but found {name} {g}")
FINITE = Rule("isfinite(x)", ValueError, "{fname}: {name} must be finite, got {value}")
# trunc_normal_ divides by std: torch raises ZeroDivisionError for std = 0
NON_ZERO = Rule("x != 0.0", ZeroDivisionError,
                "{fname}: {name} must be positive (division by zero)")
POSITIVE_FINITE = Rule("x > 0.0 and isfinite(x)", ValueError,
                       "{fname}: {name} must be positive and finite, got {value}")
NOT_NAN = Rule("x == x", ValueError, "{fname}: bounds a and b must not be NaN, got {name}={value}")

# torch's uniform_ text, whichever function called it
UNIFORM_ORDERED = Relation(("a", "b"), "a <= b", RuntimeError,
                           "uniform_ expects to return a [from, to) range, but found "
                           "from={g_a} > to={g_b}")
# torch's type (its uniform_ raises it), but naming the function and its arguments
TRUNC_ORDERED = Relation(("a", "b"), "a <= b", RuntimeError,
                         "{fname} expects a <= b, but found a={g_a} > b={g_b}")
NON_EMPTY_IN_DTYPE = Relation(("a", "b"), "max(a, -fmax) <= min(b, fmax)", ValueError,
                              "{fname}: the interval [a, b] = [{a}, {b}] holds no values in "
                              "{dtype}'s finite range")


class Param(NamedTuple):
    name: str
    default: float
    rules: Tuple[Rule, ...] = ()
    alias: Optional[str] = None  # torch's name in its messages ("from", "to")


class Dist:
    """One row of the table (see the module docstring)."""

    def __init__(self, name, params, relations=(), order=None, core=None):
        self.name = name
        self.code = _core.SAMPLERS[name]
        self.params = tuple(params)
        self.names = tuple(p.name for p in self.params)
        self.defaults = {p.name: p.default for p in self.params}
        self.relations = tuple(relations)
        # order: the order the parameters' rules are checked in (torch's, where torch
        # checks); core: the expressions of the core's four parameters (default: the
        # parameters in order, zero-padded)
        self.order = tuple(order or self.names)
        self.core = tuple(core or self.names + ("0.0",) * (4 - len(self.names)))
        self.source = self._source()
        namespace = {"isfinite": math.isfinite, "isinf": math.isinf, "as_float": as_float,
                     "limits": limits, "LIMITS": DTYPE_LIMITS, "fail": self._fail}
        exec(compile(self.source, f"<wcinit._dists {name}>", "exec"), namespace)
        # check_args(dtype, fname, *values) -> the four core parameters: each value
        # converted to float, every rule checked in order, the first that fails raised
        self.check_args = namespace["check"]

    def _source(self):
        """The checking function's source, generated from the rules."""
        by_name = {p.name: p for p in self.params}
        assert not set(by_name) & {"x", "dtype", "fname", "fmax", "isfinite", "isinf", "fail"}
        args = ", ".join(self.names)
        tests = [r.test for p in self.params for r in p.rules] + [r.test for r in self.relations]
        lines = [f"def check(dtype, fname, {args}):"]
        if any(re.search(r"\bfmax\b", t) for t in tests) or "fmax" in " ".join(self.core):
            lines.append("    fmax = (LIMITS.get(dtype) or limits(dtype, fname))[0]")
        else:  # the dtype is still checked
            lines.append("    LIMITS.get(dtype) or limits(dtype, fname)")
        for n in self.names:
            lines.append(f"    if {n}.__class__ is not float: {n} = as_float({n}, fname, {n!r})")
        for n in self.order:
            for k, rule in enumerate(by_name[n].rules):
                test = re.sub(r"\bx\b", n, rule.test)
                lines.append(f"    if not ({test}): fail(dtype, fname, {n!r}, {k}, {n})")
        for k, rel in enumerate(self.relations):
            lines.append(f"    if not ({rel.test}): fail(dtype, fname, None, {k}, "
                         f"{', '.join(rel.params)})")
        lines.append(f"    return ({', '.join(self.core)})")
        return "\n".join(lines) + "\n"

    def _fail(self, dtype, fname, name, k, *values):
        """Raise the k-th rule of parameter ``name`` (None: the k-th relation)."""
        if name is not None:
            p = next(p for p in self.params if p.name == name)
            rule, x = p.rules[k], values[0]
            raise rule.exc(rule.message.format(fname=fname, name=name, alias=p.alias or name,
                                               value=x, g=g(x), tname=limits(dtype, fname)[1]))
        rel = self.relations[k]
        fields = dict(zip(rel.params, values))
        fields.update({f"g_{n}": g(v) for n, v in zip(rel.params, values)})
        raise rel.exc(rel.message.format(fname=fname, dtype=np.dtype(dtype).name, **fields))

    def __repr__(self):
        return f"<wcinit distribution {self.name}({', '.join(self.names)}), code {self.code}>"

    def validate(self, dtype, fname, /, **kw):
        """Defaults filled in, unknown keywords refused, then ``check``."""
        extra = set(kw) - set(self.names)
        if extra:
            raise TypeError(f"{fname}: unexpected parameters {sorted(extra)} for {self.name}")
        return self.check_args(dtype, fname, *(kw.get(n, p.default)
                                               for n, p in zip(self.names, self.params)))

    def check(self, dtype, fname, values):
        """``check_args`` for a tuple of every value, in order."""
        return self.check_args(dtype, fname, *values)


UNIFORM = Dist("uniform", [Param("a", 0.0, (IN_DTYPE_RANGE,), alias="from"),
                           Param("b", 1.0, (IN_DTYPE_RANGE,), alias="to")],
               [UNIFORM_ORDERED])
NORMAL = Dist("normal", [Param("mean", 0.0, (FINITE,)),
                         Param("std", 1.0, (NON_NEGATIVE, FINITE))],
              order=("std", "mean"))  # torch checks std (and nothing else)
# Bounds beyond the dtype's range (infinite ones included) are allowed: the interval
# sampled is [a, b] within the dtype's finite range, so every value is finite and in [a, b].
TRUNC_NORMAL = Dist("trunc_normal", [Param("mean", 0.0, (FINITE,)),
                                     Param("std", 1.0, (NON_ZERO, POSITIVE_FINITE)),
                                     Param("a", -2.0, (NOT_NAN,)),
                                     Param("b", 2.0, (NOT_NAN,))],
                    [TRUNC_ORDERED, NON_EMPTY_IN_DTYPE], order=("std", "mean", "a", "b"),
                    core=("mean", "std", "max(a, -fmax)", "min(b, fmax)"))

TABLE = {d.name: d for d in sorted((UNIFORM, NORMAL, TRUNC_NORMAL), key=lambda d: d.code)}
NAMES = tuple(TABLE)
assert set(NAMES) == set(_core.SAMPLERS), "the table must cover every sampler of the core"


def get(name, fname="fill_shard"):
    """The table's entry for ``name`` (see the module docstring)."""
    d = TABLE.get(name) if isinstance(name, str) else None
    if d is None:
        choices = ", ".join(repr(n) for n in NAMES[:-1]) + f" or {NAMES[-1]!r}"
        raise ValueError(f"{fname}: distribution must be {choices}, got {name!r}")
    return d


def fill(arr, dist, values, generator, start=None, fname=None):
    """Fill ``arr`` from ``dist`` (a Dist or a name) with validated ``values`` (see the
    module docstring); returns ``arr``."""
    if isinstance(dist, str):
        dist = get(dist)
    fname = fname or dist.name
    if start is None:
        return _core._fill(arr, fname, dist.code, *values, generator)
    if not isinstance(generator, _core.Generator):
        raise TypeError(f"{fname}(): argument 'generator' must be a wcinit.Generator")
    copy = _core.Generator().set_state(generator.get_state())  # read, not advanced
    return _core._fill(arr, fname, dist.code, *values, copy, start)

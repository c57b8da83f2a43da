"""Whole models: rules over a parameter tree, name-keyed streams, reports.

``init_params(params, rules)`` walks a parameter tree (nested dicts/lists of
arrays, a torch ``state_dict`` or ``named_parameters()``), gives every leaf a
dotted name, picks the first rule that matches it, checks every choice, and
only then fills the arrays in place, each from its own name-keyed stream.

Name-keyed streams (the derivation is a promise, pinned in
``tests/data/name_streams.json``)::

    stream(name) = int.from_bytes(SHA-256(b"wcinit/name-stream/v1\\0"
                                          + parent_stream.to_bytes(8, "little")
                                          + name.encode("utf-8"))[:8], "little")

and the parameter is filled from ``Generator(seed, stream(name))`` at offset
0, where (seed, parent_stream) is the family the ``generator=`` argument names:
an int ``s`` names (s, 0); a ``wcinit.Generator`` names (its seed, its stream)
and is read, not advanced (as ``fill_shard``); a ``numpy.random.Generator``
gives one 64-bit seed; ``None`` draws one 64-bit seed from the default
generator (so successive calls differ, and ``wcinit.manual_seed`` makes them
reproducible).  A parameter's values therefore depend only on the seed, the
family's stream, its own name, shape, dtype and rule: adding, removing or
reordering other parameters never changes them.
"""
import fnmatch
import functools
import hashlib
import html
import inspect
import math
import numbers
import re

import numpy as np

from . import _api, _core

__all__ = ["Rule", "InitReport", "init_params", "name_stream", "named_generator"]

NAME_STREAM_DOMAIN = b"wcinit/name-stream/v1\x00"


# ---- name-keyed streams --------------------------------------------------------

def name_stream(name, stream=0):
    """The Philox stream id of parameter ``name`` in the family of ``stream``.

    ``int.from_bytes(sha256(b"wcinit/name-stream/v1\\0" + stream.to_bytes(8,
    "little") + name.encode("utf-8")).digest()[:8], "little")``: a documented,
    C-independent derivation (pinned in tests/data/name_streams.json).

    Args:
        name: the parameter's dotted name, e.g. ``"blocks.3.attn.c_proj.weight"``
        stream: the family's stream (the ``stream`` of the generator passed to
            ``init_params``; 0 for an int seed)

    Examples:
        >>> import wcinit
        >>> wcinit.name_stream("fc1.weight") == wcinit.name_stream("fc1.weight", 0)
        True
        >>> wcinit.name_stream("fc1.weight") != wcinit.name_stream("fc2.weight")
        True
    """
    if not isinstance(name, str):
        raise TypeError(f"name_stream(): argument 'name' must be str, not {type(name).__name__}")
    if isinstance(stream, bool) or not isinstance(stream, numbers.Integral):
        raise TypeError(f"name_stream(): argument 'stream' must be int, not {type(stream).__name__}")
    stream = int(stream) % 2**64
    digest = hashlib.sha256(NAME_STREAM_DOMAIN + stream.to_bytes(8, "little")
                            + name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def _family(generator, fname):
    """(seed, stream) named by the generator= argument (see the module doc)."""
    if generator is None:
        words = np.empty(2, np.uint32)
        _core._raw(words, _core.default_generator)
        return int(words[0]) | (int(words[1]) << 32), 0
    if isinstance(generator, _core.Generator):
        return generator.initial_seed(), generator.stream
    g = _api._generator(generator, fname)
    return g.initial_seed(), g.stream


def named_generator(generator, name):
    """The generator ``init_params`` fills parameter ``name`` from.

    ``Generator(seed, name_stream(name, stream))`` at offset 0, (seed, stream)
    being the family ``generator`` names: an int seed s gives (s, 0), a
    ``wcinit.Generator`` its own (seed, stream) (it is not advanced).

    Args:
        generator: an int seed, a wcinit.Generator or a numpy.random.Generator
        name: the parameter's dotted name

    Examples:
        >>> import numpy as np, wcinit
        >>> p = wcinit.init_params({"w": np.empty((4, 3), np.float32)},
        ...                        [("w", wcinit.normal_)], generator=5)
        >>> q = wcinit.normal_(np.empty((4, 3), np.float32), generator=wcinit.named_generator(5, "w"))
        >>> bool((p["w"].value == q).all())
        True
    """
    if generator is None:
        raise TypeError("named_generator(): argument 'generator' must be an int seed or a "
                        "Generator, not None (None draws a fresh seed each call)")
    seed, stream = _family(generator, "named_generator")
    return _core.Generator(seed, name_stream(name, stream))


# ---- initializers: labels, expectations ----------------------------------------

class Init:
    """A named initializer with an expectation: ``Init(fn, label, expect)``.

    ``fn(array, generator=...)`` fills in place; ``expect(shape, dtype)`` returns a
    dict (fan_in, fan_out, mean, std, low, high, family) or raises on invalid
    arguments before anything is written.  Presets and schemes return these.
    """

    def __init__(self, fn, label, expect=None, random=True, takes=(), target=None):
        self.fn, self.label, self.expect_fn, self.random = fn, label, expect, random
        self.takes = tuple(takes)  # keywords besides generator= that fn accepts (e.g. fan_in)
        # the same fill as a functools.partial of a wcinit function, when there is
        # one: wcinit.dask and save_initialized plan it element-wise from that
        self.target = target

    def __call__(self, array, **kw):
        return self.fn(array, **kw)

    def expect(self, shape, dtype):
        return self.expect_fn(shape, dtype) if self.expect_fn else _blank(shape)

    def __repr__(self):
        return self.label


def _fans(shape):
    if len(shape) < 2:
        return None, None
    return _core._fans(shape)


def _blank(shape, **kw):
    fi, fo = _fans(shape)
    d = dict(fan_in=fi, fan_out=fo, mean=None, std=None, low=None, high=None, family=None)
    d.update(kw)
    return d


def _trunc_std(mean, std, a, b):
    al, be = (a - mean) / std, (b - mean) / std
    phi = lambda x: 0.0 if math.isinf(x) else math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    Phi = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
    z = Phi(be) - Phi(al)
    if z <= 0:
        return None, None
    m = (phi(al) - phi(be)) / z
    t = ((al * phi(al) if math.isfinite(al) else 0.0) - (be * phi(be) if math.isfinite(be) else 0.0)) / z
    return mean + std * m, std * math.sqrt(max(0.0, 1 + t - m * m))


def _fn_name(f):
    return getattr(f, "__name__", None)


@functools.lru_cache(maxsize=256)
def _signature(fn):
    return inspect.signature(fn)


def _bind(fn, args, kwargs, fname):
    """Bind partial arguments to fn's signature (tensor and generator excluded)."""
    try:
        sig = _signature(fn)
    except (TypeError, ValueError):
        return {}
    try:
        ba = sig.bind_partial(None, *args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{fname}: {e}") from None
    ba.apply_defaults()
    out = dict(ba.arguments)
    out.pop(next(iter(sig.parameters)), None)
    return out


def _needs_fan_in(init):
    """Whether a rule must be given the fan_in of its sibling weight: a preset
    rule with ``fan == 'weight'`` (torch's bias rule), or a function whose
    ``fan_in`` parameter has no default (``torch_bias_``)."""
    if isinstance(init, Init):
        return "fan_in" in init.takes
    fan = getattr(init, "fan", None)
    if isinstance(fan, str) or fan is None and hasattr(init, "expected"):
        return fan == "weight"
    base = init
    while isinstance(base, functools.partial):
        if "fan_in" in base.keywords:
            return False
        base = base.func
    try:
        p = _signature(base).parameters.get("fan_in")
    except (TypeError, ValueError):
        return False
    return p is not None and p.default is inspect.Parameter.empty


def expectation(init, shape, dtype=np.float32, fan_in=None):
    """(fan_in, fan_out, mean, std, low, high, family) of an initializer on a shape.

    Raises the initializer's own exception for arguments it would refuse
    (computed without writing anything).  ``fan_in``: the sibling weight's,
    for bias rules that take it."""
    shape = tuple(int(s) for s in shape)
    if isinstance(init, Init):
        return init.expect(shape, dtype)
    if isinstance(init, numbers.Number):
        return _blank(shape, mean=float(init), std=0.0, low=float(init), high=float(init),
                      family="constant")
    fn, args, kwargs = init, (), {}
    while isinstance(fn, functools.partial):
        args, kwargs = fn.args + args, {**fn.keywords, **kwargs}
        fn = fn.func
    name = _fn_name(fn)
    if name == "torch_bias_" and getattr(fn, "__module__", "") == "wcinit._schemes":
        f = fan_in if fan_in is not None else kwargs.get("fan_in", args[0] if args else None)
        if f is None:
            return _blank(shape)
        b = 1 / math.sqrt(f) if f > 0 else 0.0
        return _blank(shape, mean=0.0, std=b / math.sqrt(3), low=-b, high=b, family="uniform")
    if getattr(_api, name or "", None) is not fn:
        try:
            from ._rules import expected  # H4's rule layer, where present
        except ImportError:
            return _blank(shape)
        try:
            e = (init.expected(shape, dtype, fan_in=fan_in) if hasattr(init, "expected")
                 else expected(init, shape, dtype, fan_in=fan_in))
        except (TypeError, ValueError, NotImplementedError):
            return _blank(shape)
        return {k: getattr(e, k, None) for k in
                ("fan_in", "fan_out", "mean", "std", "low", "high", "family")}
    p = _bind(fn, args, kwargs, name)
    p.pop("generator", None)
    fi, fo = _fans(shape)
    n = math.prod(shape)
    if name == "uniform_":
        a, b = _api._float(p["a"], name, "a"), _api._float(p["b"], name, "b")
        if a > b:
            raise RuntimeError(
                f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
        return _blank(shape, mean=(a + b) / 2, std=(b - a) / math.sqrt(12), low=a, high=b,
                      family="uniform")
    if name == "normal_":
        m, s = _api._float(p["mean"], name, "mean"), _api._float(p["std"], name, "std")
        _api._check_normal(name, m, s)
        return _blank(shape, mean=m, std=s, family="normal")
    if name == "trunc_normal_":
        m, s, a, b = (_api._float(p[k], name, k) for k in ("mean", "std", "a", "b"))
        if not s > 0:
            raise ValueError(f"trunc_normal_: std must be positive, got {s}")
        tm, ts = _trunc_std(m, s, a, b)
        return _blank(shape, mean=tm, std=ts, low=a, high=b, family="trunc_normal")
    if name in ("zeros_", "ones_", "constant_"):
        v = 0.0 if name == "zeros_" else 1.0 if name == "ones_" else p["val"]
        if not isinstance(v, numbers.Number) or isinstance(v, complex):
            raise TypeError(f"constant_(): argument 'val' must be a number, not {type(v).__name__}")
        return _blank(shape, mean=float(v), std=0.0, low=float(v), high=float(v), family="constant")
    if name in ("eye_", "dirac_"):
        if name == "eye_" and len(shape) != 2:
            raise ValueError("Only tensors with 2 dimensions are supported")
        if name == "dirac_" and len(shape) not in (3, 4, 5):
            raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
        return _blank(shape, low=0.0, high=1.0, family="identity")
    if name in ("xavier_uniform_", "xavier_normal_"):
        gain = _api._float(p["gain"], name, "gain")
        if fi is None:
            raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
        std = gain * math.sqrt(2.0 / (fi + fo)) if fi + fo else float("inf")
        if name == "xavier_uniform_":
            return _blank(shape, mean=0.0, std=std, low=-std * math.sqrt(3), high=std * math.sqrt(3),
                          family="uniform")
        return _blank(shape, mean=0.0, std=std, family="normal")
    if name in ("kaiming_uniform_", "kaiming_normal_"):
        if fi is None:
            raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
        if p["mode"] not in ("fan_in", "fan_out"):
            raise ValueError(f"Mode {p['mode']} not supported, please use one of ['fan_in', 'fan_out']")
        gain = _api.calculate_gain(p["nonlinearity"], p["a"])
        fan = fi if p["mode"] == "fan_in" else fo
        std = gain / math.sqrt(fan) if fan else float("inf")
        if name == "kaiming_uniform_":
            return _blank(shape, mean=0.0, std=std, low=-std * math.sqrt(3), high=std * math.sqrt(3),
                          family="uniform")
        return _blank(shape, mean=0.0, std=std, family="normal")
    if name == "orthogonal_":
        if len(shape) < 2:
            raise ValueError("Only tensors with 2 or more dimensions are supported")
        gain = _api._float(p["gain"], name, "gain")
        rows = shape[0]
        cols = n // rows if rows else 0
        return _blank(shape, mean=0.0, std=abs(gain) / math.sqrt(max(rows, cols, 1)),
                      family="orthogonal")
    if name == "sparse_":
        if len(shape) != 2:
            raise ValueError("Only tensors with 2 dimensions are supported")
        sp, s = _api._float(p["sparsity"], name, "sparsity"), _api._float(p["std"], name, "std")
        if not 0.0 <= sp <= 1.0:
            raise ValueError(f"sparse_: sparsity must be in [0, 1], got {sp}")
        _api._check_normal(name, 0.0, s)
        keep = 1 - math.ceil(sp * shape[0]) / shape[0] if shape[0] else 1.0
        return _blank(shape, mean=0.0, std=s * math.sqrt(keep), family="sparse")
    return _blank(shape)


def describe(init):
    """A short label for the report: ``kaiming_uniform_(a=2.236)``."""
    if init is None:
        return "skip"
    if isinstance(init, Init):
        return init.label
    if isinstance(init, numbers.Number):
        return f"constant_({init:g})"
    fn, kwargs, args = init, {}, ()
    while isinstance(fn, functools.partial):
        args, kwargs = fn.args + args, {**fn.keywords, **kwargs}
        fn = fn.func
    name = getattr(fn, "__name__", type(fn).__name__)
    parts = [f"{a:.4g}" if isinstance(a, float) else repr(a) for a in args]
    parts += [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in kwargs.items()
              if k != "generator"]
    return f"{name}({', '.join(parts)})"


_WANTS = {}


def _wants(fn, kw):
    """Whether the initializer accepts keyword ``kw`` (e.g. fan_in); cached per object."""
    if isinstance(fn, Init):  # declared, not introspected (presets make many)
        return kw == "generator" and fn.random or kw in fn.takes
    base = fn
    while isinstance(base, functools.partial) and not base.args and kw not in base.keywords:
        base = base.func  # a partial takes what its function takes, bar what it binds
    if base is not fn and not isinstance(base, functools.partial):
        return _wants(base, kw)
    try:
        return _WANTS[fn, kw][1]
    except (KeyError, TypeError):
        pass
    target = fn
    try:
        params = inspect.signature(target).parameters
        ok = kw in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
    except (TypeError, ValueError):
        ok = False
    try:
        if len(_WANTS) > 4096:
            _WANTS.clear()
        _WANTS[fn, kw] = (fn, ok)  # keeps fn alive, so its id is not reused
    except TypeError:
        pass
    return ok


# ---- rules ---------------------------------------------------------------------

class Rule:
    """A rule: a name pattern, optional predicates, and an initializer.

    The first rule of a list whose pattern and predicates all match a
    parameter initializes it (MXNet's ``Mixed``).

    Args:
        pattern: a glob on the whole dotted name (``"*.bias"``,
            ``"blocks.*.attn.c_proj.weight"``: ``fnmatch``, ``*`` crosses dots),
            a regular expression written ``"re:..."`` or compiled with ``re``
            (searched: anchor with ``^``/``$``), or a callable ``name -> bool``
        init: a wcinit initializer or a ``functools.partial`` of one, a preset
            rule, a whole preset (``wcinit.presets.get_preset(framework, kind)``:
            each parameter takes the rule of the role its name says), a number
            (a constant fill), or ``None`` (leave as is)
        ndim: an int or a tuple of ints the parameter's ndim must be among
        shape: a tuple (``None`` entries match any size) or a callable ``shape -> bool``
        dtype: a dtype or a tuple of dtypes
        where: a callable ``(name, array) -> bool`` for anything else

    Examples:
        >>> import functools, wcinit
        >>> r = wcinit.Rule("*.weight", functools.partial(wcinit.kaiming_normal_, nonlinearity="relu"), ndim=2)
        >>> r.matches("fc1.weight", (64, 128)), r.matches("fc1.weight", (64, 3, 3, 3))
        (True, False)
    """

    def __init__(self, pattern, init, *, ndim=None, shape=None, dtype=None, where=None):
        self.exact = None
        if isinstance(pattern, re.Pattern):
            self._match, self.pattern = pattern.search, f"re:{pattern.pattern}"
        elif isinstance(pattern, str):
            self.pattern = pattern
            if pattern.startswith("re:"):
                rx = re.compile(pattern[3:])
                self._match = rx.search
            else:
                self._match = lambda n, p=pattern: fnmatch.fnmatchcase(n, p)
        elif callable(pattern):
            self._match, self.pattern = pattern, getattr(pattern, "__name__", repr(pattern))
        else:
            raise TypeError("Rule: pattern must be a glob str, 're:...' str, compiled regex or "
                            f"callable, not {type(pattern).__name__}")
        if not (init is None or callable(init) or isinstance(init, numbers.Number)
                or (hasattr(init, "roles") and hasattr(init, "framework"))):
            raise TypeError(f"Rule: init must be an initializer, a preset, a number or None, not "
                            f"{type(init).__name__}")
        if isinstance(init, (bool, complex)):
            raise TypeError(f"Rule: init must be an initializer, a number or None, not {type(init).__name__}")
        self.init = init
        self.ndim = None if ndim is None else (ndim,) if isinstance(ndim, int) else tuple(ndim)
        self.shape = shape
        if dtype is None:
            self.dtype = None
        else:
            ds = dtype if isinstance(dtype, (tuple, list)) else (dtype,)
            self.dtype = tuple(np.dtype(d) for d in ds)
        self.where = where

    @classmethod
    def for_name(cls, name, init):
        """A rule for exactly one parameter name."""
        r = cls(re.compile("^" + re.escape(name) + "$"), init)
        r.exact = name
        return r

    def matches(self, name, shape, dtype=None, array=None):
        """Whether this rule applies to a parameter ``name`` of this shape and dtype."""
        if self.exact is not None:
            return self.exact == name
        if not self._match(name):
            return False
        shape = tuple(shape)
        if self.ndim is not None and len(shape) not in self.ndim:
            return False
        if self.shape is not None:
            if callable(self.shape):
                if not self.shape(shape):
                    return False
            elif len(self.shape) != len(shape) or any(
                    s is not None and s != t for s, t in zip(self.shape, shape)):
                return False
        if self.dtype is not None and dtype is not None and np.dtype(dtype) not in self.dtype:
            return False
        if self.where is not None and not self.where(name, array):
            return False
        return True

    def __repr__(self):
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in ("ndim", "shape", "dtype")
                        if getattr(self, k) is not None)
        return f"Rule({self.pattern!r}, {describe(self.init)}{extra})"


def as_rules(rules):
    """A list of Rule from Rules, (pattern, init) pairs, or an ordered dict."""
    if rules is None:
        return []
    if isinstance(rules, Rule):
        return [rules]
    if isinstance(rules, dict):
        rules = list(rules.items())
    out = []
    for r in rules:
        if isinstance(r, Rule):
            out.append(r)
        elif isinstance(r, tuple) and len(r) == 2:
            out.append(Rule(*r))
        elif isinstance(r, tuple) and len(r) == 3 and isinstance(r[2], dict):
            out.append(Rule(r[0], r[1], **r[2]))
        else:
            raise TypeError(f"init_params: each rule must be a Rule or a (pattern, init) pair, got {r!r}")
    return out


# ---- parameter trees -----------------------------------------------------------

def _is_leaf(x):
    return isinstance(x, np.ndarray) or (hasattr(x, "__dlpack__") and hasattr(x, "shape"))


def _is_named_pairs(seq):
    return len(seq) > 0 and all(isinstance(t, tuple) and len(t) == 2 and isinstance(t[0], str)
                                and _is_leaf(t[1]) for t in seq)


def _is_abstract(x):
    """A shape-and-dtype description (``jax.ShapeDtypeStruct``, ``jax.eval_shape``'s
    output): not an array, but enough to allocate one."""
    return (not _is_leaf(x) and not isinstance(x, (dict, list, tuple, str, bytes))
            and hasattr(x, "shape") and hasattr(x, "dtype"))


def _allocate(x, fname, name):
    try:
        return np.empty(tuple(int(s) for s in x.shape), np.dtype(x.dtype))
    except TypeError as e:
        raise TypeError(f"{fname}: parameter {name!r}: cannot allocate dtype {x.dtype} ({e})") from None


def flatten(params, fname="init_params"):
    """[(dotted name, leaf)] in tree order: dict keys, list indices, joined by '.'.
    Abstract leaves (shape and dtype only) are allocated as new NumPy arrays."""
    out = []
    if not isinstance(params, (dict, list, tuple)) and not _is_leaf(params) and \
            hasattr(params, "__iter__") and not hasattr(params, "keys"):
        params = list(params)  # named_parameters(): a generator of (name, tensor)
    if isinstance(params, (list, tuple)) and _is_named_pairs(params):
        return [(n, t) for n, t in params]

    def walk(prefix, x):
        if x is None:
            return
        if _is_leaf(x):
            out.append((prefix, x))
        elif _is_abstract(x):
            out.append((prefix, _allocate(x, fname, prefix)))
        elif hasattr(x, "keys") and hasattr(x, "__getitem__"):  # dict, FrozenDict, state_dict
            for k in x.keys():
                walk(f"{prefix}.{k}" if prefix else str(k), x[k])
        elif isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(f"{prefix}.{i}" if prefix else str(i), v)
        else:
            raise TypeError(f"{fname}: parameter {prefix!r} is a {type(x).__name__}, not an array "
                            "(leaves must be numpy arrays or torch CPU tensors)")

    if _is_leaf(params):
        raise TypeError(f"{fname}: params must be a tree of arrays (a dict, list or named "
                        "pairs), not a single array")
    walk("", params)
    return out


def unflatten(params, values):
    """The tree ``params`` with its leaves replaced by ``values[name]`` (dicts
    become dicts, lists lists, tuples tuples; named pairs a dict)."""
    if isinstance(params, (list, tuple)) and _is_named_pairs(params):
        return {n: values[n] for n, _ in params}

    def build(prefix, x):
        if x is None:
            return None
        if _is_leaf(x) or _is_abstract(x):
            return values[prefix]
        if hasattr(x, "keys") and hasattr(x, "__getitem__"):
            return {k: build(f"{prefix}.{k}" if prefix else str(k), x[k]) for k in x.keys()}
        seq = [build(f"{prefix}.{i}" if prefix else str(i), v) for i, v in enumerate(x)]
        return tuple(seq) if isinstance(x, tuple) else seq
    return build("", params)


# ---- reports -------------------------------------------------------------------

def moments(arr, chunk=1 << 18):
    """(mean, std) over the array, in cache-sized chunks (no full-size
    temporaries): sums in float64, deviations in the chunk's own float32/64,
    chunks combined by Chan et al.'s pairwise update."""
    flat = arr.reshape(-1)
    n_tot, mean_tot, m2_tot = 0, 0.0, 0.0
    for i in range(0, flat.size, chunk):
        c = flat[i:i + chunk]
        if c.dtype not in (np.float32, np.float64):
            c = c.astype(np.float32 if c.dtype.kind == "f" else np.float64)
        n = c.size
        m = float(c.sum(dtype=np.float64)) / n
        m2 = float(np.square(c - c.dtype.type(m)).sum(dtype=np.float64))
        delta = m - mean_tot
        tot = n_tot + n
        mean_tot += delta * n / tot
        m2_tot += m2 + delta * delta * n_tot * n / tot
        n_tot = tot
    if n_tot == 0:
        return float("nan"), float("nan")
    return mean_tot, math.sqrt(m2_tot / n_tot)


class ParamEntry:
    """One row of an InitReport: the parameter, its rule, expected and measured std."""

    __slots__ = ("name", "shape", "dtype", "rule", "pattern", "fan_in", "fan_out",
                 "expected_mean", "expected_std", "low", "high", "measured_mean",
                 "measured_std", "value", "stream")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    def row(self):
        return {k: getattr(self, k) for k in self.__slots__ if k != "value"}


def _fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.4g}"
    if isinstance(v, tuple):
        return "(" + ", ".join(str(s) for s in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


class InitReport:
    """What ``init_params`` did: one row per parameter.

    ``rows()`` (list of dicts), ``to_dict()`` (name -> row), ``report[name]``
    (a row object with ``.value``, the array itself), a text table (``str``)
    and an HTML table in notebooks (``_repr_html_``).
    """

    COLUMNS = ("name", "shape", "dtype", "rule", "fan_in", "fan_out", "expected_std",
               "measured_std")
    UNIT = "parameters"  # what a row is, for the captions

    def __init__(self, entries, title="init_params"):
        self.params = None  # init_params: the tree, with abstract leaves as new arrays
        self._entries = list(entries)
        self._by_name = {e.name: e for e in self._entries}
        self.title = title

    def rows(self):
        return [e.row() for e in self._entries]

    def to_dict(self):
        return {e.name: e.row() for e in self._entries}

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)

    def __getitem__(self, name):
        return self._by_name[name]

    def __contains__(self, name):
        return name in self._by_name

    def names(self):
        return [e.name for e in self._entries]

    def _table(self):
        return [[_fmt(getattr(e, c)) for c in self.COLUMNS] for e in self._entries]

    def __str__(self):
        cells = self._table()
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.COLUMNS)]
        line = lambda r: "  ".join(s.ljust(w) if i < 4 else s.rjust(w)
                                   for i, (s, w) in enumerate(zip(r, widths))).rstrip()
        total = sum(math.prod(e.shape) for e in self._entries)
        out = [f"{self.title}: {len(self._entries)} parameters, {total:,} values",
               line(self.COLUMNS), line(["-" * w for w in widths])]
        out += [line(r) for r in cells]
        return "\n".join(out)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(s)}</td>" for s in r) + "</tr>"
                       for r in self._table())
        return (f"<table><caption>{html.escape(self.title)}: {len(self._entries)} {self.UNIT}"
                f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


# ---- the engine ----------------------------------------------------------------

def _sibling_weight(name, shapes):
    """The weight a bias belongs to: 'x.bias' -> 'x.weight', 'bias_ih_l0' -> 'weight_ih_l0'."""
    head, _, leaf = name.rpartition(".")
    cands = []
    if leaf == "bias":
        cands = ["weight", "kernel"]
    elif "bias" in leaf:
        cands = [leaf.replace("bias", "weight")]
    for c in cands:
        full = f"{head}.{c}" if head else c
        if full in shapes:
            return full
    return None


def _err(e, fname, name):
    text = str(e)
    for pre in (f"{fname}: ", f"{fname}(): "):
        if text.startswith(pre):
            text = text[len(pre):]
    msg = f"{fname}: parameter {name!r}: {text}"
    try:
        new = type(e)(msg)
    except Exception:
        new = ValueError(msg)
    return new


class _Plan:
    __slots__ = ("name", "leaf", "arr", "init", "pattern", "expect", "fan_in", "random", "label")


def plan(leaves, rules, default, fname, shapes=None, why=None):
    """Match and validate every parameter; nothing is written.  Returns plans.
    ``why``: {name: error} for parameters a preset could not place."""
    rules = as_rules(rules)
    default_rule = None if default is None else Rule("*", default) if not isinstance(default, Rule) \
        else default
    shapes = shapes or {n: tuple(t.shape) for n, t in leaves}
    exact, general = {}, []  # exact-name rules by name (first wins); the others in order
    for i, r in enumerate(rules):
        if r.exact is not None:
            exact.setdefault(r.exact, i)
        else:
            general.append((i, r))
    seen, plans, views = set(), [], {}
    for name, leaf in leaves:
        if name in seen:
            raise ValueError(f"{fname}: parameter name {name!r} appears twice")
        seen.add(name)
        shape = tuple(int(s) for s in leaf.shape)
        dtype = _dtype_of(leaf)
        rule = None
        first_exact = exact.get(name, len(rules))
        for i, r in general:
            if i > first_exact:
                break
            if r.matches(name, shape, dtype, leaf):
                rule = r
                break
        if rule is None and first_exact < len(rules):
            rule = rules[first_exact]
        if rule is None:
            rule = default_rule
        if rule is None and why and name in why:
            raise why[name]
        if rule is None:
            raise ValueError(f"{fname}: no rule matches parameter {name!r} (shape {shape}); add a "
                             "rule for it or pass default=")
        p = _Plan()
        init = rule.init
        if hasattr(init, "roles") and hasattr(init, "framework"):  # a whole preset: its role's rule
            from ._schemes import resolve_preset
            try:
                init = resolve_preset(init, name, shapes)
            except ValueError as e:
                raise e from None
        p.name, p.leaf, p.init, p.pattern = name, leaf, init, rule.pattern
        p.fan_in, p.random, p.label = None, False, None
        try:
            if init is None:
                p.arr, p.expect = None, _blank(shape)
            else:
                p.arr = _target(leaf, fname, init)
                view = (p.arr.__array_interface__["data"][0], p.arr.shape, p.arr.strides,
                        p.arr.dtype.str)
                if p.arr.size and view in views:  # tied weights (lm_head.weight is wte.weight)
                    p.init, p.label, p.expect = None, f"tied to {views[view]}", _blank(shape)
                    plans.append(p)
                    continue
                views.setdefault(view, name)
                p.random = not isinstance(init, numbers.Number) and _wants(init, "generator")
                if not isinstance(init, numbers.Number) and _needs_fan_in(init):
                    w = _sibling_weight(name, shapes)
                    if w is None:
                        raise ValueError("its rule needs the fan_in of its weight, and no sibling "
                                         "weight was found")
                    wshape = shapes[w]
                    if len(wshape) < 2:
                        raise ValueError(f"its weight {w!r} has fewer than 2 dimensions")
                    p.fan_in = _core._fans(wshape)[0]
                p.expect = expectation(init, shape, p.arr.dtype, fan_in=p.fan_in)
        except Exception as e:  # name the parameter, keep the type
            raise _err(e, fname, name) from e
        plans.append(p)
    return plans


def _dtype_of(leaf):
    d = getattr(leaf, "dtype", None)
    try:
        return np.dtype(d)
    except TypeError:
        s = str(d).replace("torch.", "")
        try:
            return np.dtype(s)
        except TypeError:
            return None


def _target(leaf, fname, init):
    """The ndarray to write (checked: writable float, or any numeric for constants)."""
    if isinstance(init, numbers.Number):
        from ._coerce import as_target
        arr = as_target(leaf, fname) if not isinstance(leaf, np.ndarray) else leaf
        if not arr.flags.writeable:
            raise ValueError(f"{fname}: tensor is read-only")
        return arr
    return _core._check(leaf, fname)


def execute(plans, family, fname, measure=True, title=None, progress=None):
    """Fill every planned parameter from its name-keyed stream; return the report.
    ``progress`` (see wcinit._progress) counts elements, reported after each parameter."""
    from ._progress import _NULL, progress_bar
    seed, stream = family
    entries = []
    sizes = [0 if p.arr is None else int(p.arr.size) for p in plans]
    with progress_bar(progress, sum(sizes), fname, fname) as bar:
        done = 0
        for p, size in zip(plans, sizes):
            report = None if bar is _NULL else (lambda k, base=done: bar(base + k))
            entries.append(_execute_one(p, seed, stream, fname, measure, report))
            done += size
            bar(done)
    return InitReport(entries, title or fname)


#: With progress= on, an element-wise parameter larger than this many elements
#: is filled in pieces of this size (the same bits: each piece at its logical
#: offset), so the bar moves during one large embedding, not only after it.
PROGRESS_PIECE = 1 << 22


def _fill_in_pieces(p, gen, report):
    """Fill p.arr in pieces through its plan when that is exact (a C-contiguous
    NumPy array and an element-wise wcinit initializer); False otherwise."""
    arr = p.arr
    if (report is None or not isinstance(arr, np.ndarray) or arr.size <= PROGRESS_PIECE
            or not arr.flags.c_contiguous):
        return False
    from ._plan import fill_range, init_plan
    pl = init_plan(p.init, arr.shape, arr.dtype, gen, fan_in=p.fan_in)
    if pl[0] != "random":
        return False
    flat = arr.reshape(-1)
    for lo in range(0, flat.size, PROGRESS_PIECE):
        hi = min(lo + PROGRESS_PIECE, flat.size)
        fill_range(pl, lo, flat[lo:hi])
        report(hi)
    return True


def _execute_one(p, seed, stream, fname, measure, report=None):
    """Fill one planned parameter; its report entry.  ``report(k)``, when
    given, is told the elements written so far (large parameters: per piece)."""
    sid = name_stream(p.name, stream)
    gen = _core.Generator(seed, sid) if p.random else None
    if p.init is not None:
        try:
            if isinstance(p.init, numbers.Number):
                p.arr[...] = p.init
            elif not (p.random and _fill_in_pieces(p, gen, report)):
                kw = {"generator": gen} if p.random else {}
                if p.fan_in is not None:
                    kw["fan_in"] = p.fan_in
                p.init(p.arr, **kw)
        except Exception as e:
            raise _err(e, fname, p.name) from e
    ms = mm = None
    if measure and p.arr is not None and p.arr.size:
        mm, ms = moments(p.arr)
    ex = p.expect
    return ParamEntry(
        name=p.name, shape=tuple(int(s) for s in p.leaf.shape), dtype=str(_dtype_of(p.leaf)),
        rule=p.label or describe(p.init), pattern=p.pattern, fan_in=ex.get("fan_in"),
        fan_out=ex.get("fan_out"), expected_mean=ex.get("mean"), expected_std=ex.get("std"),
        low=ex.get("low"), high=ex.get("high"), measured_mean=mm, measured_std=ms,
        value=p.leaf, stream=sid)


def _torch_no_grad(leaves):
    for _, t in leaves:
        if not isinstance(t, np.ndarray) and type(t).__module__.startswith("torch"):
            import torch
            return torch.no_grad()
    import contextlib
    return contextlib.nullcontext()


def init_params(params, rules=None, *, preset=None, generator=None, default=None, measure=True,
                progress=None):
    r"""Initialize a whole parameter tree in place, one rule per parameter.

    Every leaf gets a dotted name (dict keys and list indices joined by ``.``;
    a torch ``state_dict`` or ``named_parameters()`` keeps its own names).  The
    first rule that matches a name (and its shape/ndim/dtype predicates)
    initializes it; then the preset's rule, then ``default``.  A parameter
    nothing matches is an error naming it.  All rules are matched and
    validated before the first array is written: if any fails, nothing is
    written.  A leaf that is the very same array (or tensor) as an earlier one
    -- tied weights, ``lm_head.weight`` sharing ``wte.weight`` in a state_dict --
    is filled once, under its first name (the report says "tied to ...").
    Each parameter is filled from its own name-keyed stream
    (``named_generator(generator, name)``, see ``wcinit.name_stream``), so adding,
    removing or reordering parameters never changes the others' values.

    Args:
        params: a dict (nested dicts/lists allowed) of NumPy arrays or torch CPU
            tensors, a torch ``state_dict``, or ``named_parameters()`` pairs
        rules: an ordered list of ``Rule`` or ``(pattern, init)`` pairs (or a
            dict ``{pattern: init}``); ``init`` is a wcinit initializer or a
            ``functools.partial`` of one, a number (constant) or ``None`` (skip).
            An initializer that takes ``fan_in=`` (torch's bias rule) receives
            the fan_in of the bias's sibling weight.
        preset: a framework (``"torch"``, ``"flax"``, ``"keras"``, ``"mxnet"``)
            whose layer defaults apply to parameters the rules do not match,
            the layer kind inferred from names and shapes; or a scheme
            (``"gpt2"``, ``"bert"``, ``"vit"``), or a list of rules
        generator: an int seed, a wcinit.Generator (read, not advanced), a
            numpy.random.Generator, or None (a fresh seed from the default generator)
        default: the initializer for parameters nothing else matches
        measure: compute each parameter's measured mean/std for the report
        progress: ``True`` for a progress bar (tqdm's when installed, else text
            on stderr), ``"tqdm"``, ``"text"``, or a callable ``f(done, total)``
            called after each parameter with the elements filled so far;
            None (default) reports nothing

    Returns:
        InitReport: name, shape, dtype, rule, fan_in, fan_out, expected and
        measured std per parameter (a text table; an HTML table in notebooks).
        ``report.params`` is the tree itself -- with leaves that only describe a
        shape and dtype (``jax.ShapeDtypeStruct``, ``jax.eval_shape``'s output)
        allocated as new NumPy arrays and filled, for JAX users, whose arrays
        are immutable (``jax.tree.map(jnp.asarray, report.params)``).

    Examples:
        >>> import functools, numpy as np, wcinit
        >>> mlp = {"fc1": {"weight": np.empty((256, 784), np.float32), "bias": np.empty(256, np.float32)},
        ...        "fc2": {"weight": np.empty((10, 256), np.float32), "bias": np.empty(10, np.float32)}}
        >>> rep = wcinit.init_params(mlp, [("*.weight", functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")),
        ...                                ("*.bias", wcinit.zeros_)], generator=0)
        >>> print(f"{rep['fc1.weight'].expected_std:.5f}")  # sqrt(2 / 784)
        0.05051
        >>> abs(rep["fc1.weight"].measured_std / rep["fc1.weight"].expected_std - 1) < 0.01
        True
    """
    leaves = flatten(params)
    family = _family(generator, "init_params") if generator is not None else None
    all_rules, why = as_rules(rules), None
    if preset is not None:
        from ._schemes import preset_rules
        only = [n for n, t in leaves
                if not any(r.matches(n, t.shape, _dtype_of(t), t) for r in all_rules)]
        extra, why = preset_rules(preset, leaves, "init_params", only)
        all_rules = all_rules + extra
    plans = plan(leaves, all_rules, default, "init_params", why=why)
    if family is None:
        family = _family(None, "init_params")
    with _torch_no_grad(leaves):
        report = execute(plans, family, "init_params", measure=measure, progress=progress)
    if isinstance(params, (dict, list, tuple)) or hasattr(params, "keys"):
        report.params = unflatten(params, {n: a for n, a in leaves})
    return report

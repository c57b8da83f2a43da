r"""Diagnostics: parameter statistics against their rules, signal propagation by
depth with a verdict, and plots.

* :func:`stats` -- per parameter: shape, dtype, fans, what the rule promises
  (mean, std, bounds) and what the array holds, flagged when the difference is
  beyond the sampling error (a wrong scale, a transposed layout, a forgotten
  init).  A text table in a terminal, an HTML table in a notebook,
  ``rows()``/``to_dict()`` for pandas.
* :func:`propagate` / :func:`compare` -- push a batch through an MLP or CNN (or
  any NumPy model following the small layer protocol below) and back: per
  layer the activations' mean / std / max-abs, dead and saturated fractions,
  the gradients' std, and a status ``Healthy`` / ``Vanishing`` / ``Exploding``.
* :func:`plot_depth`, :func:`plot_histograms`, :func:`plot_table` -- matplotlib
  Figures (matplotlib is imported only inside them; no pyplot, no global state).

**The layer protocol.**  A model is a sequence of layers; a layer is any
object with

* ``forward(x) -> y``: the layer's output for a batch ``x`` (it may keep what
  its backward needs);
* ``backward(grad_y) -> grad_x``: given the gradient of the loss with respect
  to its output, the gradient with respect to its input (after a forward);
* optionally ``name`` (a label), ``weight`` (an array: its gradient is then
  read from ``grad_weight`` after backward), ``input_shape`` (the shape of one
  example, so that ``batch=`` may be a number), ``units_axis`` (the axis of the
  output that indexes units/channels; default 1) and ``saturation(x) ->
  fraction`` (for saturating activations).

:class:`Dense` and :class:`Conv2d` (each a linear map followed by an
activation) follow it, and :func:`mlp` / :func:`cnn` build stacks of them.

**Statuses.**  Let ``r_l = std(h_l) / std(x)`` be the std of layer l's output
over the batch relative to the input's, and ``g_l = std(dL/dh_l) / std(dL/dh_L)``
the std of the gradient at layer l's output relative to the gradient that
enters the top layer (a standard normal by default: ``L = sum(h_L * u)``).  A
layer is ``Vanishing`` when ``r_l`` or ``g_l`` is below ``Thresholds.vanishing``
(default 1e-2), ``Exploding`` when either is above ``Thresholds.exploding``
(default 1e2) or not finite, ``Healthy`` otherwise; a network's verdict is
``Exploding`` if any layer explodes, else ``Vanishing`` if any vanishes, else
``Healthy``.  The band is two orders of magnitude either way: He-initialized
ReLU networks keep ``E[h^2]`` constant in expectation and fluctuate around it
by ``exp(N(0, 5 L / n))`` (Hanin & Rolnick, 2018), far inside the band for
``L = 50`` layers of width ``n >= 256``.  Pass ``thresholds=Thresholds(...)``
to change it.

``dead`` is the fraction of units whose output does not vary over the batch
(a ReLU unit that never fires, every unit of a zero-initialized layer);
``saturated`` is, for tanh and sigmoid, the fraction of activations where the
derivative is below 1% of its maximum (|tanh| > 0.995; sigmoid within 0.0025
of 0 or 1), and 0 for the other activations.
"""
import functools
import html
import inspect
import math
import numbers
from typing import NamedTuple

import numpy as np

from . import _api, _core

__all__ = [
    "stats", "StatsReport", "ACTIVATIONS", "Thresholds", "Dense", "Conv2d", "mlp", "cnn",
    "propagate", "Propagation", "compare", "Comparison", "resolve_init",
    "plot_depth", "plot_histograms", "plot_table",
]

# ---------------------------------------------------------------------------
# formatting helpers


def _fmt(v, spec=".4g"):
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (numbers.Integral,)):
        return str(int(v))
    if isinstance(v, numbers.Real):
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return format(v, spec)
    if isinstance(v, tuple):
        return "(" + ", ".join(str(s) for s in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, (list,)):
        return ", ".join(str(s) for s in v) if v else "ok"
    return str(v)


def _text_table(columns, rows, title=None, right=()):
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]

    def line(r):
        return "  ".join(s.rjust(w) if c in right else s.ljust(w)
                         for s, w, c in zip(r, widths, columns)).rstrip()

    out = [title] if title else []
    out += [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


_CSS = ("<style>.wcinit-diag td,.wcinit-diag th{padding:2px 6px;text-align:right;"
        "font-family:monospace}.wcinit-diag .bad{background:#f8d0d0}"
        ".wcinit-diag .Healthy{background:#d4f0d4}.wcinit-diag .Vanishing{background:#d0dcf8}"
        ".wcinit-diag .Exploding{background:#f8d0d0}</style>")


def _html_table(columns, rows, caption, row_classes=None, cell_classes=None):
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for i, r in enumerate(rows):
        rc = row_classes[i] if row_classes else ""
        cells = []
        for j, s in enumerate(r):
            cc = cell_classes[i][j] if cell_classes else ""
            attr = f' class="{html.escape(cc)}"' if cc else ""
            cells.append(f"<td{attr}>{html.escape(s)}</td>")
        attr = f' class="{html.escape(rc)}"' if rc else ""
        body.append(f"<tr{attr}>{''.join(cells)}</tr>")
    return (f'<div>{_CSS}<table class="wcinit-diag"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


# ---------------------------------------------------------------------------
# initializer specs: names, (name, kwargs) pairs, functions, partials

_INIT_NAMES = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
               "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
               "kaiming_normal_", "orthogonal_", "sparse_")


def _lookup(name, fname):
    import wcinit
    fn = getattr(wcinit, name, None) if isinstance(name, str) else None
    if fn is None or not callable(fn) or name.startswith("_"):
        raise ValueError(f"{fname}: unknown initializer {name!r} (a wcinit initializer name "
                         f"such as {', '.join(repr(n) for n in _INIT_NAMES[8:12])})")
    return fn


def _label(fn):
    """``kaiming_normal_(nonlinearity='relu')`` for a function or partial."""
    args, kwargs = (), {}
    while isinstance(fn, functools.partial):
        args, kwargs = fn.args + args, {**fn.keywords, **kwargs}
        fn = fn.func
    name = getattr(fn, "__name__", type(fn).__name__)
    parts = [_fmt(a) if isinstance(a, float) else repr(a) for a in args]
    parts += [f"{k}={_fmt(v) if isinstance(v, float) else repr(v)}" for k, v in kwargs.items()
              if k != "generator"]
    return f"{name}({', '.join(parts)})" if parts else name


def resolve_init(spec, fname="resolve_init"):
    """(label, initializer) for an initializer spec.

    Args:
        spec: a wcinit initializer name (``"xavier_normal_"``), a ``(name,
            kwargs)`` pair (``("normal_", {"std": 0.01})``), a wcinit function or
            a ``functools.partial`` of one, or any callable ``f(array,
            generator=...)`` that fills in place

    Returns:
        ``(label, fn)``: a short label and a callable taking the array first

    Examples:
        >>> from wcinit.diagnostics import resolve_init
        >>> resolve_init(("normal_", {"std": 0.01}))[0]
        'normal_(std=0.01)'
    """
    if isinstance(spec, str):
        fn = _lookup(spec, fname)
        return spec, fn
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str) \
            and isinstance(spec[1], dict):
        fn = functools.partial(_lookup(spec[0], fname), **spec[1])
        return _label(fn), fn
    if callable(spec):
        return _label(spec), spec
    raise TypeError(f"{fname}: an initializer must be a name, a (name, kwargs) pair or a "
                    f"callable, got {type(spec).__name__}")


def _accepts_generator(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return "generator" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _apply_init(fn, arr, generator):
    if _accepts_generator(fn):
        fn(arr, generator=generator)
    else:
        fn(arr)
    return arr


# ---------------------------------------------------------------------------
# 1. statistics of a parameter tree against its rules

# Excess kurtosis of the families whose values are i.i.d. draws.
_KURTOSIS = {"normal": 0.0, "uniform": -1.2, "embedding_normal": 0.0, "orthogonal": 0.0,
             "delta_orthogonal": 0.0}
# Families whose values are fixed by the shape and arguments.
_DETERMINISTIC = {"constant", "eye", "dirac", "identity", "bilinear", "stft"}


def _trunc_kurtosis(mean, std, a, b):
    """Excess kurtosis of N(mean, std^2) truncated to [a, b].

    By Gauss-Legendre quadrature of the standard normal density on the
    standardized interval [alpha, beta], weighted relative to its value at the
    point c of the interval nearest 0 (no underflow deep in a tail), and cut
    where the density has fallen by e^-50 (x^2 - c^2 > 100).  Closed-form
    moment recursions lose all precision on narrow intervals; this does not.
    """
    al, be = (a - mean) / std, (b - mean) / std
    c = min(max(0.0, al), be)
    reach = math.sqrt(c * c + 100.0)
    lo, hi = max(al, -reach), min(be, reach)
    if not hi > lo:
        return -1.2                      # a point mass's neighbourhood: uniform limit
    nodes, weights = np.polynomial.legendre.leggauss(64)
    edges = np.linspace(lo, hi, 17)
    half = (edges[1:] - edges[:-1])[:, None] / 2
    x = ((edges[1:] + edges[:-1])[:, None] / 2 + half * nodes).ravel()
    w = (half * weights).ravel() * np.exp(-(x * x - c * c) / 2)
    w /= w.sum()
    mu = float(w @ x)
    d = x - mu
    var = float(w @ d ** 2)
    return float(w @ d ** 4) / (var * var) - 3.0 if var > 0 else -1.2


def _kurtosis(e):
    fam = e.family
    if fam in _KURTOSIS:
        return _KURTOSIS[fam]
    p = getattr(e, "params", None) or {}
    if fam == "trunc_normal" and {"mean", "std", "a", "b"} <= set(p):
        return _trunc_kurtosis(p["mean"], p["std"], p["a"], p["b"])
    if fam == "sparse" and e.std and p.get("std"):
        keep = (e.std / p["std"]) ** 2          # fraction of non-zeros
        return 3.0 / keep - 3.0 if keep > 0 else 0.0
    return 0.0


class _Expect(NamedTuple):
    """What a rule promises, when it comes from a report row, not a function."""
    family: object
    mean: object
    std: object
    low: object
    high: object
    fan_in: object = None
    fan_out: object = None
    params: dict = {}


def _measure(arr):
    """(n, mean, sample std (ddof 1), min, max, finite) in float64, in chunks."""
    flat = np.asarray(arr).reshape(-1)
    n = flat.size
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan, True
    tot, mean, m2 = 0, 0.0, 0.0
    lo, hi, finite = math.inf, -math.inf, True
    for i in range(0, n, 1 << 20):
        c = flat[i:i + (1 << 20)].astype(np.float64)
        if not np.isfinite(c).all():
            finite = False
        k = c.size
        m = float(c.mean())
        s2 = float(((c - m) ** 2).sum())
        d = m - mean
        new = tot + k
        mean += d * k / new
        m2 += s2 + d * d * tot * k / new
        tot = new
        lo, hi = min(lo, float(c.min())), max(hi, float(c.max()))
    std = math.sqrt(m2 / (n - 1)) if n > 1 else 0.0
    return n, mean, std, lo, hi, finite


def _as_array(x):
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "detach"):                    # a torch tensor (CPU)
        x = x.detach()
        if hasattr(x, "cpu"):
            x = x.cpu()
        if str(getattr(x, "dtype", "")) == "torch.bfloat16":
            x = x.float()
        return x.numpy()
    return np.asarray(x)


def _flatten_params(params, fname):
    """[(name, array)] from one array, a (nested) mapping/list, named pairs,
    a torch module, or an init_params report."""
    if hasattr(params, "named_parameters") and callable(params.named_parameters):
        return [(n, _as_array(p)) for n, p in params.named_parameters()]
    if hasattr(params, "shape") and hasattr(params, "dtype"):
        return [("tensor", _as_array(params))]
    if hasattr(params, "rows") and hasattr(params, "names") and hasattr(params, "__getitem__"):
        return [(n, _as_array(params[n].value)) for n in params.names()]
    if isinstance(params, (list, tuple)) and params and all(
            isinstance(t, tuple) and len(t) == 2 and isinstance(t[0], str) for t in params):
        return [(n, _as_array(a)) for n, a in params]
    out = []

    def walk(prefix, x):
        if x is None:
            return
        if hasattr(x, "shape") and hasattr(x, "dtype"):
            out.append((prefix, _as_array(x)))
        elif hasattr(x, "keys") and hasattr(x, "__getitem__"):
            for k in x.keys():
                walk(f"{prefix}.{k}" if prefix else str(k), x[k])
        elif isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(f"{prefix}.{i}" if prefix else str(i), v)
        else:
            raise TypeError(f"{fname}: parameter {prefix or '<root>'!r} is a "
                            f"{type(x).__name__}, not an array")
    walk("", params)
    return out


def _rules_lookup(rules, fname):
    """name -> (label, expectation source) from a mapping, a report or one spec."""
    if rules is None:
        return lambda name: None
    if hasattr(rules, "rows") and callable(rules.rows):       # an init_params report
        rows = {r["name"]: r for r in rules.rows()}

        def from_report(name):
            r = rows.get(name)
            if r is None or r.get("expected_std") is None:
                return None if r is None else (r.get("rule"), None)
            low, high = r.get("low"), r.get("high")
            low = -math.inf if low is None else low
            high = math.inf if high is None else high
            fam = r.get("family")
            if fam is None:       # infer: a box of the right width is a uniform
                fam = ("constant" if r["expected_std"] == 0 else
                       "uniform" if math.isfinite(low) and math.isfinite(high) and
                       math.isclose(r["expected_std"], (high - low) / math.sqrt(12), rel_tol=1e-6)
                       else "normal" if math.isinf(low) and math.isinf(high) else "trunc_normal")
            return r.get("rule"), _Expect(fam, r.get("expected_mean"), r["expected_std"], low,
                                          high, r.get("fan_in"), r.get("fan_out"))
        return from_report
    if hasattr(rules, "keys") and hasattr(rules, "__getitem__"):
        import fnmatch
        items = [(k, resolve_init(v, fname)) for k, v in rules.items()]
        exact = dict(items)

        def from_mapping(name):
            if name in exact:
                return exact[name]
            for pattern, spec in items:
                if fnmatch.fnmatchcase(name, pattern):
                    return spec
            return None
        return from_mapping
    one = resolve_init(rules, fname)
    return lambda name: one


def _expect(fn, shape, dtype):
    from ._rules import expected
    return expected(fn, shape, dtype)


def _swapped(shape):
    """The shape with its first two axes exchanged (a transposed layout)."""
    return (shape[1], shape[0]) + tuple(shape[2:])


def _check(row, e, sigmas, arr):
    """Flags for measured moments against expectation e (sets row's z-scores)."""
    n, flags = row["n"], []
    mu, sd = e.mean, e.std
    row.update(expected_mean=mu, expected_std=sd, expected_low=e.low, expected_high=e.high,
               family=e.family)
    if not row["finite"]:
        return ["nonfinite"]
    if n == 0 or mu is None or sd is None:
        return flags
    lo, hi = e.low, e.high
    if lo is not None and hi is not None and (row["min"] < lo or row["max"] > hi):
        flags.append("bounds")
    if e.family in _DETERMINISTIC or sd == 0:
        # fixed values: only rounding to the dtype separates them from the promise
        eps = float(np.finfo(arr.dtype).eps) if arr.dtype.kind == "f" else 0.0
        tol = 4 * eps * max(abs(mu), abs(lo or 0.0), abs(hi or 0.0), 1e-30) + 1e-12
        if abs(row["mean"] - mu) > tol:
            flags.append("mean")
        if abs(row["std"] * math.sqrt((n - 1) / n) - sd) > tol + 4 * eps * sd:
            flags.append("std")
        return flags
    # Random values: the sample mean has std sd/sqrt(n); the sample variance
    # s^2 has std sd^2 sqrt(2/(n-1) + kurtosis/n) (excess kurtosis: 0 normal,
    # -6/5 uniform, from the moments for truncated normals).
    se_mean = sd / math.sqrt(n)
    z_mean = (row["mean"] - mu) / se_mean if se_mean > 0 else math.inf
    row["z_mean"] = z_mean
    if n > 1:
        kappa = _kurtosis(e)
        se_var = sd * sd * math.sqrt(max(2.0 / (n - 1) + kappa / n, 1e-300))
        z_var = (row["std"] ** 2 - sd * sd) / se_var
        row["z_var"] = z_var
        if abs(z_mean) > sigmas:
            flags.append("mean")
        if abs(z_var) > sigmas:
            flags.append("std")
    elif abs(z_mean) > sigmas:
        flags.append("mean")
    if row["min"] == row["max"] and n > 1:
        flags.append("constant")
    return flags


class StatsReport:
    """What :func:`stats` found: one row per parameter.

    ``rows()`` (a list of dicts, ``pandas.DataFrame(report.rows())``),
    ``to_dict()`` (name -> row), ``report[name]`` (a row), ``ok`` (no flags),
    ``flagged`` (the names with flags), a text table (``str``) and an HTML
    table in notebooks (``_repr_html_``).

    Row keys: name, shape, dtype, rule, family, fan_in, fan_out, expected_mean,
    expected_std, expected_low, expected_high, n, mean, std (sample, ddof 1),
    min, max, z_mean, z_var (deviations in standard errors), flags (a list:
    ``mean``, ``std``, ``bounds``, ``constant``, ``transposed``, ``nonfinite``),
    ok.
    """

    COLUMNS = ("name", "shape", "dtype", "rule", "fan_in", "fan_out", "exp. mean", "exp. std",
               "bounds", "mean", "std", "min", "max", "flags")
    _RIGHT = ("fan_in", "fan_out", "exp. mean", "exp. std", "mean", "std", "min", "max")

    def __init__(self, rows, sigmas, expectations=None):
        self._rows = rows
        self.expectations = dict(expectations or {})   # name -> the rule's Expectation
        self._by_name = {r["name"]: r for r in rows}
        self.sigmas = sigmas

    def rows(self):
        return [dict(r) for r in self._rows]

    def to_dict(self):
        return {r["name"]: dict(r) for r in self._rows}

    def __getitem__(self, name):
        return self._by_name[name]

    def __iter__(self):
        return iter(self.rows())

    def __len__(self):
        return len(self._rows)

    @property
    def ok(self):
        return all(r["ok"] for r in self._rows)

    @property
    def flagged(self):
        return [r["name"] for r in self._rows if not r["ok"]]

    def _cells(self):
        out = []
        for r in self._rows:
            lo, hi = r["expected_low"], r["expected_high"]
            b = "-" if lo is None or (math.isinf(lo) and math.isinf(hi)) else \
                f"[{_fmt(lo)}, {_fmt(hi)}]"
            out.append([r["name"], _fmt(r["shape"]), r["dtype"], _fmt(r["rule"]),
                        _fmt(r["fan_in"]), _fmt(r["fan_out"]), _fmt(r["expected_mean"]),
                        _fmt(r["expected_std"]), b, _fmt(r["mean"]), _fmt(r["std"]),
                        _fmt(r["min"]), _fmt(r["max"]), _fmt(r["flags"])])
        return out

    def _title(self):
        bad = self.flagged
        return (f"stats: {len(self._rows)} parameters, "
                f"{'all within' if not bad else f'{len(bad)} outside'} "
                f"{self.sigmas:g} standard errors of their rules")

    def __str__(self):
        return _text_table(self.COLUMNS, self._cells(), self._title(), self._RIGHT)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        cells = self._cells()
        classes = [["bad" if (j == len(self.COLUMNS) - 1 and not r["ok"]) else ""
                    for j in range(len(self.COLUMNS))] for r in self._rows]
        return _html_table(self.COLUMNS, cells, self._title(), cell_classes=classes)


def stats(params, rules=None, *, sigmas=6.0):
    r"""Statistics of a parameter tree (or one array) against what its rules promise.

    For each parameter: name, shape, dtype, fan_in, fan_out, the rule's
    expected mean, std and bounds (from ``wcinit.expected``), and the measured
    mean, std, min and max.  A parameter is flagged when

    * ``mean``: :math:`|\bar w - \mu| > k\,\sigma/\sqrt n` (the sample mean's standard error),
    * ``std``: :math:`|s^2 - \sigma^2| > k\,\sigma^2\sqrt{2/(n-1) + \kappa/n}` (the
      sample variance's standard error, :math:`\kappa` the family's excess
      kurtosis: 0 normal, -6/5 uniform, from the moments for a truncated normal),
    * ``bounds``: a value outside the rule's interval,
    * ``constant``: a random rule but every value equal (a forgotten init),
    * ``transposed``: ``std`` fails on this shape but passes with the first two
      axes exchanged (a ``[in, out]`` weight given to a ``[out, in]`` rule),
    * ``nonfinite``: NaN or infinity;

    with :math:`k` = ``sigmas`` (6 by default: a correct parameter is flagged
    with probability about 2e-9 per test).  Deterministic rules (constants,
    eye, dirac) must match up to the dtype's rounding.  Without a rule only
    measured values are shown and only ``nonfinite`` is flagged.

    Args:
        params: an array, a (nested) dict/list of arrays, ``(name, array)``
            pairs, a torch module (its ``named_parameters()``), or the report of
            ``wcinit.init_params`` (its arrays and rules)
        rules: a mapping name (or glob pattern, ``"*.bias"``) -> initializer (a
            wcinit function, a ``functools.partial`` of one, a name, or a
            ``(name, kwargs)`` pair); one initializer (for one array); or an
            ``init_params`` report
        sigmas: the tolerance in standard errors

    Returns:
        StatsReport

    Examples:
        >>> import functools, numpy as np, wcinit
        >>> from wcinit.diagnostics import stats
        >>> he = functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")
        >>> w = he(np.empty((256, 512), np.float32), generator=0)
        >>> stats({"fc.weight": w}, {"fc.weight": he}).ok
        True
        >>> stats({"fc.weight": w.T}, {"fc.weight": he})["fc.weight"]["flags"]
        ['std', 'transposed']
        >>> stats({"fc.weight": np.zeros((256, 512))}, {"*.weight": he}).flagged
        ['fc.weight']
    """
    if isinstance(sigmas, bool) or not isinstance(sigmas, numbers.Real) or not sigmas > 0:
        raise ValueError(f"stats: sigmas must be a positive number, got {sigmas!r}")
    if rules is None and hasattr(params, "rows") and hasattr(params, "names"):
        rules = params
    leaves = _flatten_params(params, "stats")
    lookup = _rules_lookup(rules, "stats")
    rows, expectations = [], {}
    for name, arr in leaves:
        shape = tuple(int(s) for s in arr.shape)
        n, mean, std, lo, hi, finite = _measure(arr)
        fans = _core._fans(shape) if len(shape) >= 2 else (None, None)
        row = dict(name=name, shape=shape, dtype=str(arr.dtype), rule=None, family=None,
                   fan_in=fans[0], fan_out=fans[1], expected_mean=None, expected_std=None,
                   expected_low=None, expected_high=None, n=n, mean=mean, std=std, min=lo,
                   max=hi, z_mean=None, z_var=None, finite=finite)
        found = lookup(name)
        flags = [] if finite else ["nonfinite"]
        if found is not None:
            label, fn = found
            row["rule"] = label
            if isinstance(fn, _Expect):
                e = fn
            elif fn is None:
                e = None
            else:
                try:
                    e = _expect(fn, shape, arr.dtype)
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"stats: parameter {name!r}: {exc}") from exc
            if e is not None:
                expectations[name] = e
                if e.fan_in is not None:
                    row["fan_in"], row["fan_out"] = e.fan_in, e.fan_out
                flags = _check(row, e, sigmas, arr)
                if "std" in flags and len(shape) >= 2 and shape[0] != shape[1] \
                        and not isinstance(fn, _Expect):
                    try:
                        et = _expect(fn, _swapped(shape), arr.dtype)
                    except (TypeError, ValueError):
                        et = None
                    if et is not None and et.std != e.std:
                        trial = dict(row)
                        if not {"std", "mean", "bounds"} & set(_check(trial, et, sigmas, arr)):
                            flags.append("transposed")
        row.pop("finite")
        row["flags"] = flags
        row["ok"] = not flags
        rows.append(row)
    return StatsReport(rows, float(sigmas), expectations)


# ---------------------------------------------------------------------------
# 2. signal propagation

ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "selu", "gelu")
# SELU's constants (Klambauer et al. 2017), as torch.nn.SELU documents them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _erf(x):
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - scipy is in the test extras
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return erf(x)


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _act(name, z, slope):
    """(f(z), f'(z)) for activation ``name``."""
    if name == "linear":
        return z, np.ones_like(z)
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        pos = z > 0
        return np.where(pos, z, slope * z), np.where(pos, 1.0, slope).astype(z.dtype)
    if name == "tanh":
        t = np.tanh(z)
        return t, 1.0 - t * t
    if name == "sigmoid":
        s = _sigmoid(z)
        return s, s * (1.0 - s)
    if name == "selu":
        pos = z > 0
        e = np.exp(np.minimum(z, 0))
        return (_SELU_SCALE * np.where(pos, z, _SELU_ALPHA * (e - 1)),
                _SELU_SCALE * np.where(pos, 1.0, _SELU_ALPHA * e))
    if name == "gelu":          # exact: z Phi(z)
        cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2)))
        pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return z * cdf, cdf + z * pdf
    raise AssertionError(name)


def _check_activation(activation, fname):
    if activation not in ACTIVATIONS:
        raise ValueError(f"{fname}: activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")


class _Linear:
    """Shared parts of Dense and Conv2d: activation, backward, saturation."""
    units_axis = 1

    def _setup(self, weight, bias, activation, negative_slope, name, fname):
        _check_activation(activation, fname)
        self.weight = np.asarray(weight)
        self.bias = None if bias is None else np.asarray(bias)
        self.activation = activation
        self.negative_slope = float(negative_slope)
        self.name = name
        self.grad_weight = self.grad_bias = None

    def _activate(self, z):
        self._z = z
        y, self._dy = _act(self.activation, z, self.negative_slope)
        return y

    def saturation(self, y):
        """Fraction of outputs where the derivative is under 1% of its maximum."""
        if self.activation == "tanh":
            return float(np.mean(self._dy < 0.01))
        if self.activation == "sigmoid":
            return float(np.mean(self._dy < 0.0025))
        return 0.0


class Dense(_Linear):
    """A fully connected layer ``y = f(x @ W.T + b)``, ``W`` of shape ``[out, in]``
    (torch's Linear layout, so wcinit's fans are the layer's fans).

    Args:
        weight: the ``[out, in]`` weight array
        bias: an ``[out]`` array or None
        activation: one of :data:`ACTIVATIONS`
        negative_slope: leaky_relu's slope (default 0.01, torch's)
        name: a label

    Examples:
        >>> import numpy as np
        >>> from wcinit.diagnostics import Dense
        >>> layer = Dense(np.eye(3), activation="relu")
        >>> layer.forward(np.array([[1.0, -2.0, 3.0]]))
        array([[1., 0., 3.]])
        >>> layer.backward(np.ones((1, 3)))
        array([[1., 0., 1.]])
    """

    def __init__(self, weight, bias=None, activation="relu", negative_slope=0.01, name=None):
        self._setup(weight, bias, activation, negative_slope, name, "Dense")
        if self.weight.ndim != 2:
            raise ValueError(f"Dense: weight must be 2-D [out, in], got shape {self.weight.shape}")
        self.input_shape = (self.weight.shape[1],)

    def forward(self, x):
        self._x = x
        z = x @ self.weight.T.astype(x.dtype, copy=False)
        if self.bias is not None:
            z = z + self.bias
        return self._activate(z)

    def backward(self, grad):
        dz = grad * self._dy
        self.grad_weight = dz.T @ self._x
        self.grad_bias = dz.sum(axis=0)
        return dz @ self.weight.astype(dz.dtype, copy=False)


class Conv2d(_Linear):
    """A 2-D convolution (stride 1, zero padding ``'same'`` as torch's) followed
    by an activation.  ``weight`` is ``[out_channels, in_channels, kh, kw]``
    (torch's layout; fan_in = in_channels kh kw), inputs ``[N, C, H, W]``.

    Args:
        weight: the ``[out, in, kh, kw]`` kernel
        bias: an ``[out]`` array or None
        activation: one of :data:`ACTIVATIONS`
        negative_slope: leaky_relu's slope
        image_size: ``(H, W)`` of the input (for ``input_shape``; optional)
        name: a label

    Examples:
        >>> import numpy as np
        >>> from wcinit.diagnostics import Conv2d
        >>> k = np.zeros((1, 1, 3, 3)); k[0, 0, 1, 1] = 2.0   # 2 x identity
        >>> x = np.arange(4.0).reshape(1, 1, 2, 2)
        >>> Conv2d(k, activation="linear").forward(x)[0, 0]
        array([[0., 2.],
               [4., 6.]])
    """

    def __init__(self, weight, bias=None, activation="relu", negative_slope=0.01,
                 image_size=None, name=None):
        self._setup(weight, bias, activation, negative_slope, name, "Conv2d")
        if self.weight.ndim != 4:
            raise ValueError("Conv2d: weight must be 4-D [out, in, kh, kw], got shape "
                             f"{self.weight.shape}")
        if image_size is not None:
            h, w = (image_size, image_size) if isinstance(image_size, numbers.Integral) \
                else image_size
            self.input_shape = (self.weight.shape[1], int(h), int(w))

    def forward(self, x):
        o, c, kh, kw = self.weight.shape
        n, _, h, w = x.shape
        top, left = (kh - 1) // 2, (kw - 1) // 2   # torch's 'same': the extra pad at the end
        xp = np.pad(x, ((0, 0), (0, 0), (top, kh - 1 - top), (left, kw - 1 - left)))
        win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * kh * kw)
        self._cols, self._xshape = cols, x.shape
        wm = self.weight.reshape(o, -1).astype(x.dtype, copy=False)
        z = (cols @ wm.T).reshape(n, h, w, o).transpose(0, 3, 1, 2)
        if self.bias is not None:
            z = z + self.bias[None, :, None, None]
        return self._activate(z)

    def backward(self, grad):
        o, c, kh, kw = self.weight.shape
        n, _, h, w = self._xshape
        dz = grad * self._dy
        dzm = dz.transpose(0, 2, 3, 1).reshape(-1, o)
        self.grad_weight = (dzm.T @ self._cols).reshape(self.weight.shape)
        self.grad_bias = dz.sum(axis=(0, 2, 3))
        dcols = (dzm @ self.weight.reshape(o, -1).astype(dz.dtype, copy=False))
        dcols = dcols.reshape(n, h, w, c, kh, kw)
        dxp = np.zeros((n, c, h + kh - 1, w + kw - 1), dz.dtype)
        for i in range(kh):
            for j in range(kw):
                dxp[:, :, i:i + h, j:j + w] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        top, left = (kh - 1) // 2, (kw - 1) // 2
        return dxp[:, :, top:top + h, left:left + w]


def _generator(generator, fname):
    if generator is None:
        return _core.default_generator
    if isinstance(generator, _core.Generator):
        return generator
    return _api._generator(generator, fname)


def _build(shapes, init, activation, generator, bias, dtype, layer, fname, **kw):
    _label_, fn = resolve_init(init, fname)
    g = _generator(generator, fname)
    layers = []
    for i, shape in enumerate(shapes):
        w = _apply_init(fn, np.empty(shape, dtype), g)
        b = np.zeros(shape[0], dtype) if bias else None
        layers.append(layer(w, b, activation, name=f"layer {i + 1}", **kw))
    return layers


def mlp(widths, init="kaiming_normal_", activation="relu", *, generator=None, bias=False,
        dtype=np.float64, negative_slope=0.01):
    """A stack of :class:`Dense` layers ``widths[0] -> widths[1] -> ...``, each
    followed by ``activation``, weights filled by ``init`` (in layer order,
    from ``generator``), biases zero when ``bias``.

    Examples:
        >>> from wcinit.diagnostics import mlp
        >>> [l.weight.shape for l in mlp([784, 256, 10], "xavier_uniform_", "tanh", generator=0)]
        [(256, 784), (10, 256)]
    """
    widths = [int(w) for w in widths]
    if len(widths) < 2 or min(widths) < 1:
        raise ValueError(f"mlp: widths must be at least two positive sizes, got {widths}")
    _check_activation(activation, "mlp")
    shapes = [(o, i) for i, o in zip(widths[:-1], widths[1:])]
    return _build(shapes, init, activation, generator, bias, dtype, Dense, "mlp",
                  negative_slope=negative_slope)


def cnn(kernels, init="kaiming_normal_", activation="relu", *, image_size=16, generator=None,
        bias=False, dtype=np.float64, negative_slope=0.01):
    """A stack of :class:`Conv2d` layers of the given kernel shapes ``[out, in,
    kh, kw]`` (each ``in`` the previous ``out``), each followed by
    ``activation``, on ``image_size`` x ``image_size`` inputs.

    Examples:
        >>> from wcinit.diagnostics import cnn
        >>> net = cnn([(16, 3, 3, 3), (32, 16, 3, 3)], "kaiming_normal_", "relu", generator=0)
        >>> net[0].input_shape
        (3, 16, 16)
    """
    kernels = [tuple(int(s) for s in k) for k in kernels]
    if not kernels or any(len(k) != 4 for k in kernels):
        raise ValueError("cnn: kernels must be a non-empty list of [out, in, kh, kw] shapes")
    for a, b in zip(kernels[:-1], kernels[1:]):
        if b[1] != a[0]:
            raise ValueError(f"cnn: kernel {b} takes {b[1]} channels, the previous gives {a[0]}")
    _check_activation(activation, "cnn")
    return _build(kernels, init, activation, generator, bias, dtype, Conv2d, "cnn",
                  negative_slope=negative_slope, image_size=image_size)


class Thresholds(NamedTuple):
    """The Healthy band, as ratios of std (see the module docstring).

    Attributes:
        vanishing: a layer whose activation (or gradient) std ratio is below
            this is Vanishing (default 1e-2)
        exploding: above this, or not finite, Exploding (default 1e2)
    """
    vanishing: float = 1e-2
    exploding: float = 1e2

    def status(self, ratio):
        if not math.isfinite(ratio) or ratio > self.exploding:
            return "Exploding"
        if ratio < self.vanishing:
            return "Vanishing"
        return "Healthy"


def _verdict(statuses):
    if "Exploding" in statuses:
        return "Exploding"
    if "Vanishing" in statuses:
        return "Vanishing"
    return "Healthy"


def _std(a):
    with np.errstate(all="ignore"):
        s = float(np.std(a))
    return s if not math.isnan(s) else math.inf


class Propagation:
    """Signal propagation through one network: a row per layer (row 0 the input).

    Row keys: layer (0 = the input), name, mean, std, max_abs (over the batch;
    std with ddof 0, so ``E[h^2] = std^2 + mean^2``), dead, saturated,
    grad_std (std of the loss gradient at this layer's output), weight_grad_std,
    ratio (std / the input's std), grad_ratio (grad_std / the top gradient's
    std), forward_status, backward_status, status.

    Attributes: ``label``, ``verdict`` (``Healthy``/``Vanishing``/``Exploding``),
    ``first_forward`` / ``first_backward`` (the first layer, counted from the
    input resp. from the output, whose forward resp. backward status is not
    Healthy, or None), ``summary`` (one line).
    """

    COLUMNS = ("layer", "mean", "std", "max|h|", "dead", "saturated", "grad std", "std ratio",
               "grad ratio", "status")

    def __init__(self, rows, label, thresholds):
        self._rows = rows
        self.label = label
        self.thresholds = thresholds
        self.verdict = _verdict([r["status"] for r in rows])
        self.first_forward = next((r["layer"] for r in rows if r["forward_status"] != "Healthy"),
                                  None)
        self.first_backward = next((r["layer"] for r in reversed(rows)
                                    if r["backward_status"] != "Healthy"), None)

    @property
    def depth(self):
        return len(self._rows) - 1

    def rows(self):
        return [dict(r) for r in self._rows]

    def to_dict(self):
        return {"label": self.label, "verdict": self.verdict, "summary": self.summary,
                "thresholds": self.thresholds._asdict(), "layers": self.rows()}

    def __getitem__(self, layer):
        return dict(self._rows[layer])

    def __len__(self):
        return len(self._rows)

    @property
    def summary(self):
        if self.verdict == "Healthy":
            return "Healthy"
        parts = []
        if self.first_forward is not None:
            r = self._rows[self.first_forward]
            parts.append(f"activations {r['forward_status'].lower()} from layer {r['layer']}")
        if self.first_backward is not None:
            r = self._rows[self.first_backward]
            where = "the input" if r["layer"] == 0 else f"layer {r['layer']}"
            parts.append(f"gradients {r['backward_status'].lower()} from {where} down")
        return f"{self.verdict}: {', '.join(parts)}"

    def _cells(self):
        return [[str(r["layer"]) if r["layer"] else "input", _fmt(r["mean"], ".3g"),
                 _fmt(r["std"], ".3g"), _fmt(r["max_abs"], ".3g"), f"{r['dead']:.0%}",
                 f"{r['saturated']:.0%}", _fmt(r["grad_std"], ".3g"), _fmt(r["ratio"], ".3g"),
                 _fmt(r["grad_ratio"], ".3g"), r["status"]] for r in self._rows]

    def __str__(self):
        return _text_table(self.COLUMNS, self._cells(), f"{self.label}: {self.summary}",
                           right=self.COLUMNS[:-1])

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        classes = [["" if j < len(self.COLUMNS) - 1 else r["status"]
                    for j in range(len(self.COLUMNS))] for r in self._rows]
        return _html_table(self.COLUMNS, self._cells(), f"{self.label}: {self.summary}",
                           cell_classes=classes)


def _units_dead(y, axis):
    """Fraction of units (along ``axis``) whose output is constant over the rest."""
    if y.ndim < 2:
        return 0.0
    other = tuple(i for i in range(y.ndim) if i != axis % y.ndim)
    with np.errstate(all="ignore"):
        spread = np.max(y, axis=other) - np.min(y, axis=other)
    return float(np.mean(spread == 0))


def propagate(model, batch=256, *, grad=None, generator=None, thresholds=None, label=None,
              dtype=np.float64, _tick=None):
    """Push a batch through ``model`` and the gradient back; report each layer.

    Args:
        model: a sequence of layers following the module's layer protocol
            (e.g. from :func:`mlp` or :func:`cnn`)
        batch: an input array ``[N, ...]``, or a number N of standard normal
            examples of shape ``model[0].input_shape`` drawn from ``generator``
        grad: the gradient entering the top layer (default: standard normal,
            i.e. the loss ``sum(h_L * u)`` with ``u ~ N(0, 1)``, from ``generator``)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator or None
        thresholds: a :class:`Thresholds` (default ``Thresholds()``)
        label: a label for the report
        dtype: the dtype drawn batches and gradients have (default float64)

    Returns:
        Propagation

    Examples:
        >>> from wcinit.diagnostics import mlp, propagate
        >>> net = mlp([256] * 21, "kaiming_normal_", "relu", generator=0)
        >>> p = propagate(net, 512, generator=1)
        >>> p.verdict, p.depth
        ('Healthy', 20)
    """
    thresholds = Thresholds() if thresholds is None else Thresholds(*thresholds)
    layers = list(model)
    if not layers:
        raise ValueError("propagate: model has no layers")
    g = None
    if isinstance(batch, numbers.Integral) and not isinstance(batch, bool):
        shape = getattr(layers[0], "input_shape", None)
        if shape is None:
            raise ValueError("propagate: the first layer has no input_shape: pass batch as an array")
        if batch < 1:
            raise ValueError(f"propagate: batch must be positive, got {batch}")
        g = _generator(generator, "propagate")
        x = _api.normal_(np.empty((int(batch),) + tuple(shape), dtype), generator=g)
    else:
        x = np.asarray(batch)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
    outs = [x]
    with np.errstate(all="ignore"):
        h = x
        for layer in layers:
            h = layer.forward(h)
            outs.append(h)
            if _tick is not None:
                _tick()
        if grad is None:
            g = _generator(generator, "propagate") if g is None else g
            grad = _api.normal_(np.empty(h.shape, h.dtype if h.dtype.kind == "f" else dtype),
                                generator=g)
        grad = np.asarray(grad)
        if grad.shape != h.shape:
            raise ValueError(f"propagate: grad has shape {grad.shape}, the output {h.shape}")
        grads = [None] * (len(layers) + 1)
        grads[-1] = grad
        wgrads = [None] * (len(layers) + 1)
        d = grad
        for i in range(len(layers), 0, -1):
            d = layers[i - 1].backward(d)
            grads[i - 1] = d
            gw = getattr(layers[i - 1], "grad_weight", None)
            wgrads[i] = None if gw is None else _std(gw)
            if _tick is not None:
                _tick()
    s0 = _std(x)
    gtop = _std(grad)
    rows = []
    for i, (y, dy) in enumerate(zip(outs, grads)):
        lay = layers[i - 1] if i else None
        with np.errstate(all="ignore"):
            mean = float(np.mean(y))
            max_abs = float(np.max(np.abs(y))) if y.size else 0.0
        std = _std(y)
        gstd = _std(dy)
        ratio = std / s0 if s0 > 0 else math.nan
        gratio = gstd / gtop if gtop > 0 else math.nan
        fs = thresholds.status(ratio) if i else "Healthy"
        bs = thresholds.status(gratio) if i < len(layers) else "Healthy"
        if i and not (np.isfinite(mean) and np.isfinite(max_abs)):
            fs = "Exploding"
        sat = lay.saturation(y) if lay is not None and hasattr(lay, "saturation") else 0.0
        axis = getattr(lay, "units_axis", 1) if lay is not None else 1
        rows.append(dict(
            layer=i, name="input" if lay is None else getattr(lay, "name", None) or f"layer {i}",
            mean=mean, std=std, max_abs=max_abs,
            dead=_units_dead(y, axis) if lay is not None else 0.0, saturated=sat,
            grad_std=gstd, weight_grad_std=wgrads[i], ratio=ratio, grad_ratio=gratio,
            forward_status=fs, backward_status=bs, status=_verdict([fs, bs])))
    if label is None:
        first = layers[0]
        label = getattr(first, "activation", None) or "model"
    return Propagation(rows, label, thresholds)


class Comparison:
    """Several inits through the same architecture: :func:`compare`'s result.

    ``comparison[label]`` is that init's :class:`Propagation`; ``labels``;
    ``rows()`` (one summary row per init: label, verdict, summary, the std ratio
    at the first, middle and last layer, the gradient ratio at layer 1, the dead
    fraction at the last layer); ``layer_rows()`` (every layer of every init,
    with an ``init`` key); ``to_dict()``; a text table and an HTML table.
    """

    def __init__(self, results, description, thresholds):
        self.results = dict(results)
        self.labels = list(self.results)
        self.description = description
        self.thresholds = thresholds

    def __getitem__(self, label):
        return self.results[label]

    def __iter__(self):
        return iter(self.results.values())

    def __len__(self):
        return len(self.results)

    def _marks(self, depth):
        return sorted({1, max(1, (depth + 1) // 2), depth})

    def rows(self):
        out = []
        for label, p in self.results.items():
            rs = p.rows()
            r = dict(init=label, verdict=p.verdict, summary=p.summary)
            for k in self._marks(p.depth):
                r[f"std_ratio_{k}"] = rs[k]["ratio"]
            r["grad_ratio_1"] = rs[1]["grad_ratio"] if p.depth > 1 else rs[0]["grad_ratio"]
            r["grad_ratio_input"] = rs[0]["grad_ratio"]
            r["dead_last"] = rs[-1]["dead"]
            out.append(r)
        return out

    def layer_rows(self):
        return [dict(init=label, **r) for label, p in self.results.items() for r in p.rows()]

    def to_dict(self):
        return {"description": self.description, "thresholds": self.thresholds._asdict(),
                "inits": {k: p.to_dict() for k, p in self.results.items()}}

    def _columns_cells(self):
        depth = max(p.depth for p in self.results.values())
        marks = self._marks(depth)
        cols = ["init"] + [f"std@{k}" for k in marks] + ["grad@input", f"dead@{depth}", "verdict"]
        cells = []
        for label, p in self.results.items():
            rs = p.rows()
            cells.append([label] + [_fmt(rs[k]["ratio"], ".3g") if k < len(rs) else "-"
                                    for k in marks]
                         + [_fmt(rs[0]["grad_ratio"], ".3g"), f"{rs[-1]['dead']:.0%}", p.summary])
        return cols, cells

    def _title(self):
        t = self.thresholds
        return (f"{self.description}; std@k: activation std at layer k over the input's, "
                f"grad@input: input gradient std over the top's; Healthy within "
                f"[{t.vanishing:g}, {t.exploding:g}]")

    def __str__(self):
        cols, cells = self._columns_cells()
        return _text_table(cols, cells, self._title(), right=cols[1:-1])

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        cols, cells = self._columns_cells()
        classes = [["" if j < len(cols) - 1 else self.results[c[0]].verdict
                    for j in range(len(cols))] for c in cells]
        return _html_table(cols, cells, self._title(), cell_classes=classes)


def compare(inits, *, widths=None, kernels=None, activation="relu", batch=256, generator=None,
            thresholds=None, image_size=16, bias=False, dtype=np.float64, negative_slope=0.01,
            progress=None):
    """Run several initializers through the same network, side by side.

    Every init sees the same input batch, the same top gradient and the same
    random stream for its weights (each starts from a copy of the generator's
    state after the batch and gradient are drawn), so the differences are the
    inits' alone, and the whole table is reproducible from a seed.

    Args:
        inits: a list of initializer specs -- names (``"xavier_normal_"``),
            ``(name, kwargs)`` pairs (``("normal_", {"std": 0.01})``), wcinit
            functions or partials -- or a dict label -> spec
        widths: MLP layer sizes ``[n_0, n_1, ..., n_L]`` (``L`` Dense layers), or
        kernels: CNN kernel shapes ``[(out, in, kh, kw), ...]`` (on
            ``image_size`` x ``image_size`` inputs)
        activation: one of :data:`ACTIVATIONS`, after every layer
        batch: a number of standard normal examples, or an input array
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator or None
        thresholds: a :class:`Thresholds`
        progress: ``None``, ``True`` (a bar), ``'tqdm'``, ``'text'`` or
            ``f(done, total)`` counting layer passes (forward and backward)

    Returns:
        Comparison

    Examples:
        >>> from wcinit.diagnostics import compare
        >>> c = compare(["kaiming_normal_", ("normal_", {"std": 0.01}), ("normal_", {"std": 1.0})],
        ...             widths=[256] * 11, activation="relu", generator=0)
        >>> [p.verdict for p in c]
        ['Healthy', 'Vanishing', 'Exploding']
    """
    from ._progress import _NULL, progress_bar
    if (widths is None) == (kernels is None):
        raise ValueError("compare: pass exactly one of widths= (an MLP) or kernels= (a CNN)")
    _check_activation(activation, "compare")
    if isinstance(inits, (str, tuple)) or callable(inits):
        inits = [inits]
    pairs = list(inits.items()) if hasattr(inits, "items") else \
        [(resolve_init(s, "compare")[0], s) for s in inits]
    if not pairs:
        raise ValueError("compare: inits is empty")
    specs = [(label, resolve_init(s, "compare")[1]) for label, s in pairs]
    if len({label for label, _ in specs}) != len(specs):
        raise ValueError("compare: two inits have the same label; pass a dict label -> spec")
    g = _generator(generator, "compare")
    if widths is not None:
        widths = [int(w) for w in widths]
        if len(widths) < 2 or min(widths) < 1:
            raise ValueError(f"compare: widths must be at least two positive sizes, got {widths}")
        in_shape, out_shape = (widths[0],), (widths[-1],)
        depth = len(widths) - 1
        desc = f"MLP {widths[0]}" + "".join(f"-{w}" for w in widths[1:4]) + \
            ("-..." if depth > 4 else "") + (f"-{widths[-1]}" if depth > 3 else "") + \
            f", {depth} layers, {activation}"
    else:
        kernels = [tuple(int(s) for s in k) for k in kernels]
        cnn(kernels, "zeros_", activation, image_size=image_size)   # validate the shapes
        hw = (image_size, image_size) if isinstance(image_size, numbers.Integral) else image_size
        in_shape = (kernels[0][1],) + tuple(hw)
        out_shape = (kernels[-1][0],) + tuple(hw)
        depth = len(kernels)
        desc = f"CNN of {depth} conv layers on {hw[0]}x{hw[1]}, {activation}"
    if isinstance(batch, numbers.Integral) and not isinstance(batch, bool):
        if batch < 1:
            raise ValueError(f"compare: batch must be positive, got {batch}")
        x = _api.normal_(np.empty((int(batch),) + in_shape, dtype), generator=g)
    else:
        x = np.asarray(batch, dtype=dtype)
    desc += f", batch {x.shape[0]}"
    u = _api.normal_(np.empty((x.shape[0],) + out_shape, dtype), generator=g)
    state = g.get_state()
    results, end_states = {}, []
    bar = progress_bar(progress, 2 * depth * len(specs), "compare", "compare")
    done = [0]

    def tick():
        done[0] += 1
        bar(done[0])
    with bar:
        for label, fn in specs:
            gi = _core.Generator().set_state(state)
            if widths is not None:
                net = mlp(widths, fn, activation, generator=gi, bias=bias, dtype=dtype,
                          negative_slope=negative_slope)
            else:
                net = cnn(kernels, fn, activation, image_size=image_size, generator=gi,
                          bias=bias, dtype=dtype, negative_slope=negative_slope)
            results[label] = propagate(net, x, grad=u, thresholds=thresholds, label=label,
                                       _tick=None if bar is _NULL else tick)
            end_states.append(gi.get_state())
    # leave the caller's generator past everything the comparison used
    g.set_state(max(end_states, key=lambda s: int.from_bytes(bytes(s[24:32]), "little")))
    th = Thresholds() if thresholds is None else Thresholds(*thresholds)
    return Comparison(results, desc, th)


# ---------------------------------------------------------------------------
# 3. plots (matplotlib imported here only; Figures are built without pyplot)


def _figure(fig, figsize):
    if fig is not None:
        return fig
    from matplotlib.figure import Figure
    return Figure(figsize=figsize, layout="constrained")


def _as_results(results):
    if isinstance(results, Comparison):
        return list(results.results.values())
    if isinstance(results, Propagation):
        return [results]
    return list(results)


def plot_depth(results, *, fig=None, title=None):
    """Activation std and gradient std by depth, one line per init (log scale).

    Args:
        results: a :class:`Comparison`, a :class:`Propagation` or a list of them
        fig: a matplotlib Figure or SubFigure to draw into (default: a new Figure)
        title: a title (default: the comparison's description)

    Returns:
        the matplotlib Figure (or the SubFigure passed in)

    Examples:
        >>> from wcinit.diagnostics import compare, plot_depth
        >>> c = compare(["kaiming_normal_", "xavier_normal_"], widths=[64] * 6, generator=0)
        >>> fig = plot_depth(c)
        >>> [ax.get_yscale() for ax in fig.axes]
        ['log', 'log']
    """
    props = _as_results(results)
    fig = _figure(fig, (10, 4))
    axes = fig.subplots(1, 2)
    th = props[0].thresholds
    pos = [r[k] for p in props for r in p.rows() for k in ("ratio", "grad_ratio")
           if math.isfinite(r[k]) and r[k] > 0]
    floor = 10.0 ** (math.floor(math.log10(min(pos + [th.vanishing]))) - 2)
    for key, ax, ylabel in (("ratio", axes[0], "activation std / input std"),
                            ("grad_ratio", axes[1], "gradient std / top gradient std")):
        ax.axhspan(th.vanishing, th.exploding, color="#2a9d2a", alpha=0.08, lw=0)
        for p in props:
            rs = p.rows()
            layers = [r["layer"] for r in rs]
            vals = np.array([r[key] for r in rs], dtype=float)
            vals = np.where(np.isfinite(vals), vals, 1e300)
            vals = np.clip(vals, floor, 1e300)
            if key == "ratio":
                layers, vals = layers[1:], vals[1:]
            else:
                layers, vals = layers[:-1], vals[:-1]
            zero = " (0: drawn at the bottom)" if key == "ratio" and np.all(vals <= floor) else ""
            ax.plot(layers, vals, marker=".", ms=3, lw=1.4,
                    label=f"{p.label}: {p.verdict}{zero}")
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_ylabel(ylabel)
        ax.axhline(1.0, color="0.5", lw=0.6, ls=":")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_title("forward: activations")
    axes[1].set_title("backward: gradients at each layer's output")
    axes[0].legend(fontsize=7, loc="best")
    if title is None and isinstance(results, Comparison):
        title = results.description
    if title:
        fig.suptitle(title + f"  (green band: Healthy, [{th.vanishing:g}, {th.exploding:g}])",
                     fontsize=10)
    return fig


def _density(e, x):
    """The analytical density of expectation e at x (None when it has none)."""
    fam, p = e.family, (getattr(e, "params", None) or {})
    if fam in ("normal", "orthogonal", "embedding_normal", "delta_orthogonal"):
        # orthogonal: entries of a Haar matrix are close to N(0, 1/max(r, c)) (x gain^2)
        s = e.std
        return np.exp(-0.5 * ((x - e.mean) / s) ** 2) / (s * math.sqrt(2 * math.pi))
    if fam == "uniform":
        w = e.high - e.low
        return np.where((x >= e.low) & (x <= e.high), 1.0 / w, 0.0)
    if fam == "trunc_normal" and {"mean", "std", "a", "b"} <= set(p):
        m, s, a, b = p["mean"], p["std"], p["a"], p["b"]
        z = 0.5 * (math.erfc((a - m) / (s * math.sqrt(2))) - math.erfc((b - m) / (s * math.sqrt(2))))
        d = np.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi) * z)
        return np.where((x >= a) & (x <= b), d, 0.0)
    if fam == "sparse" and p.get("std"):
        keep = (e.std / p["std"]) ** 2
        s = p["std"]
        return keep * np.exp(-0.5 * (x / s) ** 2) / (s * math.sqrt(2 * math.pi))
    return None


def plot_histograms(params, rules=None, *, fig=None, bins=80, max_panels=12, ncols=4):
    """Histograms of parameter values against the analytical density of their rule.

    Args:
        params: as for :func:`stats` (a tree of arrays, one array, a report)
        rules: as for :func:`stats`
        fig: a Figure or SubFigure to draw into
        bins: histogram bins
        max_panels: at most this many parameters (the first ones)
        ncols: panels per row

    Returns:
        the matplotlib Figure (or the SubFigure passed in)

    Examples:
        >>> import numpy as np, wcinit
        >>> from wcinit.diagnostics import plot_histograms
        >>> w = wcinit.xavier_uniform_(np.empty((128, 256)), generator=0)
        >>> fig = plot_histograms({"w": w}, {"w": wcinit.xavier_uniform_})
        >>> len(fig.axes)
        1
    """
    report = stats(params, rules)
    leaves = dict(_flatten_params(params, "plot_histograms"))
    rows = report.rows()[:max_panels]
    n = len(rows)
    if n == 0:
        raise ValueError("plot_histograms: no parameters")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = _figure(fig, (3.2 * ncols, 2.5 * nrows))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, r in zip(axes, rows):
        v = np.asarray(leaves[r["name"]], dtype=np.float64).ravel()
        v = v[np.isfinite(v)]
        if v.size and v.min() < v.max():
            ax.hist(v, bins=bins, density=True, color="#7aa6d6", alpha=0.8, label="measured")
        elif v.size:
            ax.axvline(v[0], color="#7aa6d6", lw=3, label=f"all {v[0]:g}")
            half = abs(v[0]) if v[0] else 1.0
            ax.set_xlim(v[0] - half, v[0] + half)
        e = report.expectations.get(r["name"])
        if e is not None and e.std is not None and e.mean is not None:
            if e.family in ("uniform", "trunc_normal") and math.isfinite(e.low) \
                    and math.isfinite(e.high) and e.high > e.low:
                lo, hi = e.low, e.high
                if e.family == "trunc_normal":  # bounds far out (torch's ±2 at std 0.02)
                    lo = max(lo, e.mean - 4.5 * e.std)
                    hi = min(hi, e.mean + 4.5 * e.std)
                pad = 0.1 * (hi - lo)
                lo, hi = lo - pad, hi + pad
            else:
                lo, hi = e.mean - 4.5 * e.std, e.mean + 4.5 * e.std
            if v.size:
                lo, hi = min(lo, v.min()), max(hi, v.max())
            xs = np.linspace(lo, hi, 600)
            d = _density(e, xs) if e.std > 0 else None
            if d is not None:
                what = "normal approx." if e.family in ("orthogonal", "delta_orthogonal") \
                    else e.family
                ax.plot(xs, d, color="#c0392b", lw=1.5, label=f"density ({what})")
        flags = ", ".join(r["flags"]) if r["flags"] else "ok"
        ax.set_title(f"{r['name']} {r['shape']}\n{r['rule'] or 'no rule'}: {flags}",
                     fontsize=7, color="#b00000" if r["flags"] else "black")
        ax.tick_params(labelsize=6)
        ax.legend(fontsize=6, loc="upper right")
    return fig


def plot_table(results, *, fig=None, title=None):
    """The layer table as a heat strip: log10 of the activation and gradient std
    ratios per layer (one strip per init and quantity), statuses marked.

    Args:
        results: a :class:`Comparison`, a :class:`Propagation` or a list of them
        fig: a Figure or SubFigure to draw into
        title: a title

    Returns:
        the matplotlib Figure (or the SubFigure passed in)

    Examples:
        >>> from wcinit.diagnostics import compare, plot_table
        >>> c = compare(["kaiming_normal_", ("normal_", {"std": 0.01})], widths=[64] * 9, generator=0)
        >>> len(plot_table(c).axes)   # the strip and its colour bar
        2
    """
    props = _as_results(results)
    fig = _figure(fig, (10, 0.45 * 2 * len(props) + 1.4))
    ax = fig.add_subplot(1, 1, 1)
    depth = max(p.depth for p in props)
    th = props[0].thresholds
    lim = max(abs(math.log10(th.vanishing)), abs(math.log10(th.exploding))) * 2
    data, labels, marks = [], [], []
    for p in props:
        rs = p.rows()
        for key, st, name in (("ratio", "forward_status", "act"),
                              ("grad_ratio", "backward_status", "grad")):
            vals = np.full(depth + 1, np.nan)
            row_marks = [""] * (depth + 1)
            for r in rs:
                v = r[key]
                v = 1e300 if not math.isfinite(v) else v
                vals[r["layer"]] = math.log10(max(v, 1e-300))
                row_marks[r["layer"]] = {"Vanishing": "V", "Exploding": "E"}.get(r[st], "")
            data.append(np.clip(vals, -lim, lim))
            labels.append(f"{p.label} {name}")
            marks.append(row_marks)
    data = np.array(data)
    im = ax.imshow(data, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                   interpolation="nearest")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("layer (0 = input)")
    if depth <= 60:
        for i, row in enumerate(marks):
            for j, m in enumerate(row):
                if m:
                    ax.text(j, i, m, ha="center", va="center", fontsize=6, color="k")
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
    cb.set_label("log10 std ratio", fontsize=7)
    cb.ax.tick_params(labelsize=6)
    ax.set_title(title or "std ratio by layer (V: Vanishing, E: Exploding; "
                 f"Healthy within [{th.vanishing:g}, {th.exploding:g}])", fontsize=9)
    return fig

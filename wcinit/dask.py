"""Lazy Dask arrays whose chunks are shards of wcinit's element-addressed fill.

``wcinit.dask.<name>(shape, chunks="auto", dtype=np.float32, generator=None,
**kwargs)`` builds a ``dask.array.Array`` for an initializer of ``wcinit``
(the in-place name without its trailing underscore): the torch names and
JAX's variance-scaling family.  Fans, bounds and std come from the **whole**
shape; every chunk is then filled by element addressing (each contiguous
row-major run of the chunk at its logical start, as ``wcinit.fill_shard``
does), so ``compute()`` equals the in-place fill of the same shape with the
same generator bit for bit, for any chunking, on any scheduler, on any worker.

Each task holds only a small tuple (initializer, shape, dtype, sampler
parameters, the generator's 40-byte state, the chunk's index ranges): it is
pure, so any worker can recompute any lost chunk.  The generator is read and
advanced at construction exactly as the in-place call would advance it, so
two successive constructors from one generator match two successive in-place
fills.  Importing this module imports dask (``pip install wcinit[dask]``);
``import wcinit`` does not.

Not element-wise: ``orthogonal`` and ``sparse`` need the whole matrix; they
are computed in one task (then sliced into the chunks) up to
``MAX_WHOLE_ELEMENTS`` elements (2**27; set it here to change the limit)
and refused above it with a ValueError, as
are ``truncated_normal``, ``delta_orthogonal``, ``identity``, ``bilinear``,
``lstm_bias`` and :func:`from_initializer` (any other in-place initializer),
which run once at construction to validate and to measure the generator's
advance.  ``eye``, ``dirac`` and ``constant``/``ones``/``zeros`` are written
chunk by chunk.  :func:`init_params` turns a whole parameter tree into a dict
of dask arrays.
"""
import math

import numpy as np

import dask.array as da
from dask.array.core import normalize_chunks
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from . import _plan
from ._plan import MAX_WHOLE_ELEMENTS, NAMES

# not element-wise, or element-wise with their own parameter rules: one task each
_RUN_ONCE = ("truncated_normal", "delta_orthogonal", "identity", "bilinear", "lstm_bias")

__all__ = list(NAMES) + list(_RUN_ONCE) + ["from_initializer", "init_params", "from_plan",
                                           "MAX_WHOLE_ELEMENTS"]


def _default_chunks(shape, dtype):
    """Whole trailing axes, 'auto' (dask's array.chunk-size) on the first:
    each chunk is one contiguous run, the cheapest to fill."""
    import dask
    if len(shape) < 2:
        return "auto"
    limit = dask.utils.parse_bytes(dask.config.get("array.chunk-size"))
    if math.prod(shape[1:]) * np.dtype(dtype).itemsize > limit:
        return "auto"
    return {0: "auto", **{d: -1 for d in range(1, len(shape))}}


class _Opaque:
    """A plan inside a graph: dask must not read a plan's nested tuples as
    tasks (a tuple that starts with a callable is one)."""
    __slots__ = ("plan",)

    def __init__(self, plan):
        self.plan = plan

    def __reduce__(self):
        return (_Opaque, (self.plan,))


def _block(plan, region):
    return _plan.fill_region(plan.plan, region)


def _whole(plan):
    return _plan.compute_whole(plan.plan)


def _slice(whole, index):
    return whole[index]


def from_plan(plan, chunks="auto", name=None):
    """The dask array of a plan (see ``wcinit._plan``): one small task per chunk.

    Args:
        plan: the tuple ``wcinit._plan.plan(...)`` returns
        chunks: any chunk specification ``dask.array`` accepts; ``"auto"``
            keeps trailing axes whole (one contiguous run per chunk)
        name: the graph key prefix (default: derived from the plan, so equal
            plans give equal keys)
    """
    how, fname, shape, dtname, args, state = plan
    dt = _plan.dtype_from_name(dtname)
    if isinstance(chunks, str) and chunks == "auto":
        chunks = _default_chunks(shape, dt)
    chunks = normalize_chunks(chunks, shape, dtype=dt)
    name = name or f"wcinit-{fname.rsplit('.', 1)[-1]}-{tokenize(plan, chunks)}"
    bounds = [np.cumsum((0,) + c).tolist() for c in chunks]
    dsk = {}
    whole_key = None
    opaque = _Opaque(plan)  # one object: pickled once per graph
    if how == "whole":
        whole_key = (name + "-whole",)
        dsk[whole_key] = (_whole, opaque)
    for idx in np.ndindex(*[len(c) for c in chunks]):
        region = tuple((b[i], b[i + 1]) for b, i in zip(bounds, idx))
        if whole_key is None:
            dsk[(name,) + idx] = (_block, opaque, region)
        else:
            dsk[(name,) + idx] = (_slice, whole_key, tuple(slice(lo, hi) for lo, hi in region))
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    return da.Array(graph, name, chunks, dtype=dt, meta=np.empty((0,) * len(shape), dt))


def init_params(spec, rules=None, *, preset=None, generator=None, default=None, chunks="auto"):
    """A whole parameter tree as a dict of lazy dask arrays, ``{dotted name: array}``.

    The rules, presets, defaults, validation and name-keyed streams are those
    of ``wcinit.init_params``: computing each array gives exactly the values
    ``wcinit.init_params`` writes into an array of that shape and dtype.
    Everything is validated before any array is returned.  Parameters whose
    rule is ``None`` (skip) are left out.  wcinit's element-wise initializers
    (and partials of them, the torch bias rule, constants, the element-wise
    functions of the framework namespaces and every preset's element-wise
    rules) are filled chunk by chunk; any other initializer (orthogonal_,
    sparse_, a custom callable) is computed in one task, up to
    ``MAX_WHOLE_ELEMENTS`` elements.

    Args:
        spec: a tree (nested dicts / lists, or named pairs) whose leaves have
            ``.shape`` and ``.dtype``: NumPy arrays, torch meta tensors,
            ``jax.ShapeDtypeStruct``; nothing is allocated for them
        rules, preset, generator, default: as ``wcinit.init_params``
            (generator: an int seed, a wcinit.Generator, read and not advanced,
            a numpy.random.Generator, or None for a seed drawn from the default
            generator)
        chunks: a chunk specification for every array, or a callable
            ``(name, shape, dtype) -> chunks`` (default ``"auto"``: trailing
            axes whole)

    Examples:
        >>> import functools, numpy as np, wcinit, wcinit.dask
        >>> spec = {"fc": {"weight": np.empty((64, 32), np.float32), "bias": np.empty(64, np.float32)}}
        >>> rules = [("*.weight", functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")),
        ...          ("*.bias", wcinit.zeros_)]
        >>> lazy = wcinit.dask.init_params(spec, rules, generator=0, chunks=(16, 8))
        >>> sorted(lazy)
        ['fc.bias', 'fc.weight']
        >>> _ = wcinit.init_params(spec, rules, generator=0, measure=False)
        >>> bool((lazy["fc.weight"].compute() == spec["fc"]["weight"]).all())
        True
    """
    out = {}
    for name, p in _plan.tree_plans(spec, rules, preset, generator, default,
                                    "wcinit.dask.init_params"):
        c = chunks(name, p[2], _plan.dtype_from_name(p[3])) if callable(chunks) else chunks
        out[name] = from_plan(p, _fit_chunks(c, p[2]))
    return out


def _fit_chunks(chunks, shape):
    """One chunk specification for parameters of any rank: a tuple of ints
    longer than the shape is cut to its first entries, a shorter one padded
    with whole axes."""
    if isinstance(chunks, tuple) and all(isinstance(c, int) for c in chunks):
        nd = len(shape)
        return chunks[:nd] + tuple(-1 for _ in range(nd - len(chunks)))
    return chunks


def from_initializer(init, shape, chunks="auto", dtype=np.float32, generator=None, **kwargs):
    """A lazy dask array of any in-place initializer ``init(array, **kwargs, generator=...)``
    (``wcinit.keras.*``, ``wcinit.mxnet.*``, a ``functools.partial``, your own).

    The initializer runs once now on a scratch array of the whole shape -- which
    validates the arguments exactly as the call does and measures how far it
    advances the generator -- and the array is one task that reruns it (then
    sliced into ``chunks``), so ``compute()`` equals the in-place call bit for
    bit and the generator is advanced as that call advances it.  Up to
    ``MAX_WHOLE_ELEMENTS`` elements; the element-wise initializers of
    ``wcinit.dask`` have no such limit.

    Examples:
        >>> import numpy as np, wcinit, wcinit.dask
        >>> x = wcinit.dask.from_initializer(wcinit.keras.random_normal_, (6, 4), chunks=3,
        ...                                  generator=wcinit.Generator(1), stddev=0.1)
        >>> w = wcinit.keras.random_normal_(np.empty((6, 4), np.float32), stddev=0.1,
        ...                                 generator=wcinit.Generator(1))
        >>> bool((x.compute() == w).all())
        True
    """
    fname = "wcinit.dask.from_initializer"
    return from_plan(_plan.plan_by_running(init, shape, dtype, generator, fname, **kwargs),
                     chunks)


def _make_run_once(init):
    def constructor(shape, chunks="auto", dtype=np.float32, generator=None, **kwargs):
        import wcinit
        fn = getattr(wcinit, init + "_")
        import inspect
        if "generator" not in inspect.signature(fn).parameters and generator is not None:
            raise TypeError(f"wcinit.dask.{init}(): {init}_ takes no generator")
        return from_plan(_plan.plan_by_running(fn, shape, dtype, generator,
                                               f"wcinit.dask.{init}", **kwargs), chunks)

    constructor.__name__ = constructor.__qualname__ = init
    constructor.__module__ = __name__
    constructor.__doc__ = f"""A lazy dask array filled as ``wcinit.{init}_(np.empty(shape, dtype), **kwargs)``.

    Computed in one task (then sliced into ``chunks``), up to
    ``MAX_WHOLE_ELEMENTS`` elements, as :func:`from_initializer`: equal to the
    in-place call bit for bit, the generator advanced as that call advances it.
    """
    return constructor


for _init in _RUN_ONCE:
    globals()[_init] = _make_run_once(_init)


def _make(init):
    def constructor(shape, chunks="auto", dtype=np.float32, generator=None, **kwargs):
        fname = f"wcinit.dask.{init}"
        return from_plan(_plan.plan(init, shape, dtype, generator, fname=fname, **kwargs),
                         chunks)

    constructor.__name__ = constructor.__qualname__ = init
    constructor.__module__ = __name__
    return constructor


_DOC = """A lazy dask array filled as ``wcinit.{init}_(np.empty(shape, dtype), **kwargs)``.

    ``compute()`` equals that in-place call with the same generator bit for
    bit, for any ``chunks``.{extra}  The generator is advanced now, as the
    in-place call would advance it.

    Args:
        shape: the whole tensor's shape (fans, bounds and std come from it)
        chunks: any ``dask.array`` chunk specification (default ``"auto"``:
            trailing axes whole, dask's ``array.chunk-size`` along the first)
        dtype: float16, bfloat16, float32 (default) or float64
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator,
            or None (the default generator)
        **kwargs: the keyword arguments of ``wcinit.{init}_``{kw}

    Examples:
        >>> import numpy as np, wcinit, wcinit.dask
        >>> x = wcinit.dask.{init}({shape}, chunks={chunks}, generator=wcinit.Generator(3){call})
        >>> w = wcinit.{init}_(np.empty({shape}, np.float32){callpos})
        >>> bool((x.compute() == w).all())
        True
"""
_EXAMPLES = {
    "uniform": ("(4, 6)", "(3, 4)", ", a=-1.0, b=1.0", ", a=-1.0, b=1.0, generator=wcinit.Generator(3)"),
    "normal": ("(4, 6)", "(3, 4)", ", std=0.02", ", std=0.02, generator=wcinit.Generator(3)"),
    "trunc_normal": ("(4, 6)", "(3, 4)", ", std=0.02, a=-0.04, b=0.04", ", std=0.02, a=-0.04, b=0.04, generator=wcinit.Generator(3)"),
    "constant": ("(4, 6)", "(3, 4)", ", val=0.5", ", 0.5"),
    "ones": ("(4, 6)", "(3, 4)", "", ""),
    "zeros": ("(4, 6)", "(3, 4)", "", ""),
    "eye": ("(4, 6)", "(3, 4)", "", ""),
    "dirac": ("(4, 2, 3, 3)", "(3, 1, 2, 2)", ", groups=2", ", groups=2"),
    "xavier_uniform": ("(4, 6)", "(3, 4)", ", gain=2.0", ", gain=2.0, generator=wcinit.Generator(3)"),
    "xavier_normal": ("(4, 6)", "(3, 4)", "", ", generator=wcinit.Generator(3)"),
    "kaiming_uniform": ("(4, 6)", "(3, 4)", ", nonlinearity='relu'", ", nonlinearity='relu', generator=wcinit.Generator(3)"),
    "kaiming_normal": ("(4, 6)", "(3, 4)", ", mode='fan_out'", ", mode='fan_out', generator=wcinit.Generator(3)"),
    "orthogonal": ("(4, 6)", "(3, 4)", "", ", generator=wcinit.Generator(3)"),
    "sparse": ("(4, 6)", "(3, 4)", ", sparsity=0.5", ", sparsity=0.5, generator=wcinit.Generator(3)"),
    "variance_scaling": ("(3, 3, 4, 6)", "(2, 3, 4, 4)", ", scale=2.0, mode='fan_avg'",
                         ", scale=2.0, mode='fan_avg', generator=wcinit.Generator(3)"),
}
for _n in ("lecun_uniform", "lecun_normal", "glorot_uniform", "glorot_normal", "he_uniform",
           "he_normal"):
    _EXAMPLES[_n] = ("(3, 3, 4, 6)", "(2, 3, 4, 4)", "", ", generator=wcinit.Generator(3)")

for _init in NAMES:
    _f = _make(_init)
    _shp, _chk, _call, _callpos = _EXAMPLES[_init]
    _extra = (" Not element-wise: computed in one task (then sliced into chunks), up to "
              "``MAX_WHOLE_ELEMENTS`` elements." if _init in ("orthogonal", "sparse") else "")
    _f.__doc__ = _DOC.format(init=_init, extra=_extra, shape=_shp, chunks=_chk, call=_call,
                             callpos=_callpos,
                             kw=" (see its docstring for the formula and paper)")
    globals()[_init] = _f
del _n, _init, _f, _shp, _chk, _call, _callpos, _extra

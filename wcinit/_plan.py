"""Plans: what one initializer call writes, as a small picklable tuple.

A plan is everything a worker needs to write any part of an initialized
tensor without talking to anyone: ``(how, fname, shape, dtype name, args,
generator state)``.  The Dask constructors (``wcinit.dask``) put one plan in
every task; the out-of-core checkpoint writer (``wcinit.save_initialized``)
fills memory-mapped pieces from it.  Building a plan validates the arguments
exactly as the in-place function does and advances the generator exactly as
the in-place call would (the number of Philox blocks its fills reserve), so
two successive plans from one generator match two successive in-place calls.

``how`` is one of

* ``"random"``: element-wise sampler; ``args = (kind, p0, p1, p2, p3)`` as
  ``_core._fill`` takes them.  Any region is written from contiguous row-major
  runs, each filled at its logical start (the element-addressed contract).
* ``"const"``: ``args = (value,)``.
* ``"eye"`` / ``"dirac"``: deterministic; ``args = ()`` / ``(groups,)``.
* ``"whole"``: not element-wise (orthogonal_, sparse_, and any initializer
  of a parameter tree that is not one of wcinit's element-wise ones): the
  in-place function runs on the whole tensor; ``args = (function or its name
  in wcinit, kwargs items)``; the state is None when it takes no generator.

The generator state is ``Generator.get_state()``'s bytes (40 today).
"""
import inspect
import math
import numbers
import operator
import warnings

import numpy as np

from . import _api, _core, _dists

#: Largest tensor (in elements) that a non-element-wise initializer
#: (orthogonal, sparse) computes in a single task or in memory: 2**27 elements
#: (512 MiB of float32).  Larger ones are refused with a ValueError.  Users set
#: ``wcinit.dask.MAX_WHOLE_ELEMENTS`` (read here whenever wcinit.dask is imported).
MAX_WHOLE_ELEMENTS = 2 ** 27


def max_whole_elements():
    import sys
    mod = sys.modules.get("wcinit.dask")
    return getattr(mod, "MAX_WHOLE_ELEMENTS", MAX_WHOLE_ELEMENTS) if mod else MAX_WHOLE_ELEMENTS



def _dtype(dtype, fname):
    """A float dtype wcinit fills, or the in-place functions' DtypeError."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        if isinstance(dtype, str) and dtype == "bfloat16":
            import ml_dtypes
            return np.dtype(ml_dtypes.bfloat16)
        raise TypeError(f"{fname}(): argument 'dtype' must be a NumPy float dtype, "
                        f"got {dtype!r}") from None
    _core._check(np.empty(0, dt), fname)  # DtypeError / ValueError as the in-place call
    return dt


def dtype_from_name(name):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _shape(shape, fname):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    try:
        out = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{fname}(): argument 'shape' must be a tuple of ints, "
                        f"got {shape!r}") from None
    if any(s < 0 for s in out):
        raise ValueError(f"{fname}: shape must not have negative sizes, got {out}")
    return out


def _numel(shape):
    return math.prod(shape)


def blocks_for(n, dtype):
    """Philox blocks a fill of n elements computed for ``dtype`` reserves
    (wc_blocks_for: whole tiles of 16 blocks, 64 elements, 32 for float64)."""
    tile = _core.TILE64 if np.dtype(dtype) == np.float64 else _core.TILE32
    return -(-n // tile) * 16


def coerce(generator, fname):
    """The generator an in-place call would use (None: the default one)."""
    if generator is None:
        return _core.default_generator
    from ._coerce import coerce_generator
    return coerce_generator(generator, fname)


def reserve(generator, nblocks):
    """Return the generator's state (bytes) and advance it by nblocks, as a
    fill that reserves nblocks would, in one atomic step of the core
    (``Generator._reserve``): plans built at once from one generator, and
    in-place fills of it on other threads, never share blocks."""
    return np.asarray(generator._reserve(nblocks).get_state(), dtype=np.uint8).tobytes()


def _gen_from_state(state):
    return _core.Generator().set_state(np.frombuffer(state, np.uint8))


# ---- plans for the torch-named initializers ------------------------------------

def _random_plan(fname, shape, dt, dist, values, generator):
    """An element-wise plan; ``values`` checked by the table of distributions
    (skipped for zero-size tensors, as the in-place functions skip them)."""
    d = _dists.get(dist, fname)
    n = _numel(shape)
    if n == 0:
        warnings.warn(_api._ZERO_ELEMENT_WARNING, stacklevel=5)
        return ("random", fname, shape, dt.name, (d.code, 0.0, 0.0, 0.0, 0.0), bytes(40))
    core = d.check(dt, fname, values)
    state = reserve(coerce(generator, fname), blocks_for(n, dt))
    return ("random", fname, shape, dt.name, (d.code,) + tuple(core), state)


def _fans(shape):
    return _core._fans(shape)


def plan(name, shape, dtype=np.float32, generator=None, fname=None, **kwargs):
    """The plan of ``wcinit.<name>_(np.empty(shape, dtype), **kwargs, generator=generator)``.

    Validates as that call does (same exception types and torch's messages)
    and advances ``generator`` by what that call would reserve.
    """
    fname = fname or name
    if name not in _PLANNERS:
        raise ValueError(f"{fname}: unknown initializer {name!r}; one of {sorted(_PLANNERS)}")
    shape = _shape(shape, fname)
    dt = _dtype(dtype, fname)
    try:
        return _PLANNERS[name](fname, shape, dt, generator, **kwargs)
    except TypeError as e:
        if "unexpected keyword" in str(e) or "positional argument" in str(e):
            raise TypeError(f"{fname}(): {e.args[0].split('() ', 1)[-1]}") from None
        raise


def _p_uniform(fname, shape, dt, generator, a=0.0, b=1.0):
    return _random_plan(fname, shape, dt, "uniform", (a, b), generator)


def _p_normal(fname, shape, dt, generator, mean=0.0, std=1.0):
    return _random_plan(fname, shape, dt, "normal", (mean, std), generator)


def _p_trunc_normal(fname, shape, dt, generator, mean=0.0, std=1.0, a=-2.0, b=2.0):
    return _random_plan(fname, shape, dt, "trunc_normal", (mean, std, a, b), generator)


def _p_constant(fname, shape, dt, generator, val):
    if not isinstance(val, numbers.Number) or isinstance(val, complex):
        raise TypeError(f"{fname}(): argument 'val' must be a number, not {type(val).__name__}")
    return ("const", fname, shape, dt.name, (float(val),), bytes(40))


def _p_ones(fname, shape, dt, generator):
    return ("const", fname, shape, dt.name, (1.0,), bytes(40))


def _p_zeros(fname, shape, dt, generator):
    return ("const", fname, shape, dt.name, (0.0,), bytes(40))


def _p_eye(fname, shape, dt, generator):
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return ("eye", fname, shape, dt.name, (), bytes(40))


def _p_dirac(fname, shape, dt, generator, groups=1):
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool):
        raise TypeError(f"{fname}(): argument 'groups' must be int, not {type(groups).__name__}")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    if groups < 0:
        raise ValueError(f"{fname}: groups must be positive, got {groups}")
    return ("dirac", fname, shape, dt.name, (int(groups),), bytes(40))


def _p_xavier(dist):
    def planner(fname, shape, dt, generator, gain=1.0):
        gain = _dists.as_float(gain, fname, "gain")
        fan_in, fan_out = _fans(shape)
        if _numel(shape) == 0:
            return _random_plan(fname, shape, dt, dist, (), generator)
        std = _core._std("xavier", gain, fan_in, fan_out)
        if dist == "uniform":
            bound = _core._bound(std)
            return _random_plan(fname, shape, dt, dist, (-bound, bound), generator)
        return _random_plan(fname, shape, dt, dist, (0.0, std), generator)
    return planner


def _p_kaiming(dist):
    def planner(fname, shape, dt, generator, a=0, mode="fan_in", nonlinearity="leaky_relu"):
        if 0 in shape:
            return _random_plan(fname, shape, dt, dist, (), generator)
        valid_modes = ["fan_in", "fan_out"]
        if mode not in valid_modes:
            raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
        fan_in, fan_out = _fans(shape)
        gain = _api.calculate_gain(nonlinearity, a)
        std = _core._std("kaiming", gain, fan_in if mode == "fan_in" else fan_out)
        if dist == "uniform":
            bound = _core._bound(std)
            return _random_plan(fname, shape, dt, dist, (-bound, bound), generator)
        return _random_plan(fname, shape, dt, dist, (0.0, std), generator)
    return planner


def _whole_plan(fname, func, shape, dt, generator, nblocks, kwargs):
    n = _numel(shape)
    limit = max_whole_elements()
    if n > limit:
        raise ValueError(
            f"{fname}: {getattr(func, '__name__', func)} is not element-wise (it needs the whole "
            f"tensor at once) and is computed in one task, up to wcinit.dask.MAX_WHOLE_ELEMENTS "
            f"= {limit} elements; shape {shape} has {n}")
    if n == 0:
        warnings.warn(_api._ZERO_ELEMENT_WARNING, stacklevel=5)
        return ("const", fname, shape, dt.name, (0.0,), bytes(40))  # empty: never read
    state = reserve(coerce(generator, fname), nblocks) if nblocks is not None else generator
    return ("whole", fname, shape, dt.name, (func, tuple(sorted(kwargs.items()))), state)


def _p_orthogonal(fname, shape, dt, generator, gain=1):
    gain = _dists.as_float(gain, fname, "gain")
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    work = np.float64 if dt == np.float64 else np.float32
    return _whole_plan(fname, "orthogonal_", shape, dt, generator,
                       blocks_for(_numel(shape), work), {"gain": gain})


def _p_sparse(fname, shape, dt, generator, sparsity, std=0.01):
    sparsity = _dists.as_float(sparsity, fname, "sparsity")
    std = _dists.as_float(std, fname, "std")
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"{fname}: sparsity must be in [0, 1], got {sparsity}")
    _dists.NORMAL.check(dt, fname, (0.0, std))
    n = _numel(shape)
    nzero = math.ceil(sparsity * shape[0]) if n else 0
    nblocks = blocks_for(n, dt) + (blocks_for(n, np.float64) if nzero > 0 else 0)
    return _whole_plan(fname, "sparse_", shape, dt, generator, nblocks,
                       {"sparsity": sparsity, "std": std})


def _p_variance_scaling(fname, shape, dt, generator, scale=1.0, mode="fan_in",
                        distribution="truncated_normal", in_axis=-2, out_axis=-1, batch_axis=()):
    """JAX's variance_scaling (wcinit.variance_scaling_): fans along in_axis /
    out_axis of the whole shape, then one element-wise fill."""
    from . import _frameworks, _rules
    scale = _rules.check_scale(scale, fname)
    _rules.check_mode(mode, fname)
    _rules.check_distribution(distribution, fname)
    fan_in, fan_out = _rules.compute_fans(shape, in_axis, out_axis, batch_axis, fname=fname)
    if _numel(shape) == 0:
        return _random_plan(fname, shape, dt, "uniform", (), generator)
    family, p0, p1 = _rules.variance_scaling_params(scale, mode, distribution, fan_in, fan_out,
                                                    fname)
    _frameworks._check_fill(np.empty(0, dt), fname, family, p0, p1)
    values = (p0, p1, -2.0 * p1, 2.0 * p1) if family == "trunc_normal" else (p0, p1)
    return _random_plan(fname, shape, dt, family, values, generator)


def _p_named_vs(name):
    def planner(fname, shape, dt, generator, in_axis=-2, out_axis=-1, batch_axis=()):
        from ._rules import VARIANCE_SCALING_SPECS
        scale, mode, dist = VARIANCE_SCALING_SPECS[name]
        return _p_variance_scaling(fname, shape, dt, generator, scale, mode, dist, in_axis,
                                   out_axis, batch_axis)
    return planner


_PLANNERS = {
    "uniform": _p_uniform, "normal": _p_normal, "trunc_normal": _p_trunc_normal,
    "constant": _p_constant, "ones": _p_ones, "zeros": _p_zeros, "eye": _p_eye,
    "dirac": _p_dirac, "xavier_uniform": _p_xavier("uniform"), "xavier_normal": _p_xavier("normal"),
    "kaiming_uniform": _p_kaiming("uniform"), "kaiming_normal": _p_kaiming("normal"),
    "orthogonal": _p_orthogonal, "sparse": _p_sparse,
    # JAX's names (wcinit._frameworks): variance scaling and its one-line specs
    "variance_scaling": _p_variance_scaling,
    **{n: _p_named_vs(n) for n in ("lecun_uniform", "lecun_normal", "glorot_uniform",
                                   "glorot_normal", "he_uniform", "he_normal")},
}
# where each planner's in-place function lives
_HOME = {n: "_frameworks" if _PLANNERS[n].__qualname__.startswith(("_p_variance", "_p_named"))
         else "_api" for n in _PLANNERS}


def inplace_function(name):
    """The in-place function a planner mirrors (``wcinit.<name>_``)."""
    import importlib
    return getattr(importlib.import_module(f"wcinit.{_HOME[name]}"), name + "_")

#: torch names of the initializers a plan can be made for (without the underscore)
NAMES = tuple(_PLANNERS)


# ---- writing a region of a plan ------------------------------------------------

def _row_strides(shape):
    strides, s = [0] * len(shape), 1
    for d in range(len(shape) - 1, -1, -1):
        strides[d] = s
        s *= shape[d]
    return strides


def runs(shape, region):
    """Contiguous row-major runs of ``region`` (a (lo, hi) pair per axis) in
    a tensor of ``shape``: (logical starts in row-major order of the region,
    run length).  Trailing axes the region spans whole are merged into the
    run, so a block of whole rows is a single run."""
    nd = len(shape)
    ext = [hi - lo for lo, hi in region]
    if any(e == 0 for e in ext):
        return np.zeros(0, np.int64), 0
    k = nd - 1
    while k >= 0 and region[k][0] == 0 and region[k][1] == shape[k]:
        k -= 1
    if k < 0:
        return np.zeros(1, np.int64), _numel(shape)
    strides = _row_strides(shape)
    length = ext[k] * strides[k]
    starts = np.array(region[k][0] * strides[k], dtype=np.int64)
    for a in range(k):
        starts = starts[..., None] + np.arange(region[a][0], region[a][1], dtype=np.int64) * strides[a]
    return starts.reshape(-1), length


def fill_region(plan, region, out=None):
    """Write the part ``region`` (a (lo, hi) pair per axis) of the tensor the
    plan describes into ``out`` (C-contiguous, the region's shape; a new array
    if None) and return it.  Pure: the same plan and region give the same bits."""
    how, fname, shape, dtname, args, state = plan
    dt = dtype_from_name(dtname)
    rshape = tuple(hi - lo for lo, hi in region)
    if out is None:
        out = np.empty(rshape, dt)
    if out.size == 0:
        return out
    if how == "random":
        kind, p0, p1, p2, p3 = args
        g = _gen_from_state(state)
        starts, length = runs(shape, region)
        flat = out.reshape(len(starts), length)
        fill = _core._fill
        st = np.frombuffer(state, np.uint8)
        for i, s in enumerate(starts.tolist()):
            g.set_state(st)
            fill(flat[i], fname, kind, p0, p1, p2, p3, g, s)
    elif how == "const":
        out.fill(args[0])
    elif how == "eye":
        out.fill(0.0)
        (r0, r1), (c0, c1) = region
        lo, hi = max(r0, c0), min(r1, c1)
        if lo < hi:
            idx = np.arange(lo, hi)
            out[idx - r0, idx - c0] = 1.0
    elif how == "dirac":
        out.fill(0.0)
        groups = args[0]
        opg = shape[0] // groups if groups else 0
        min_dim = min(opg, shape[1])
        if min_dim and groups:
            g_, d_ = np.meshgrid(np.arange(groups), np.arange(min_dim), indexing="ij")
            pos = [(g_ * opg + d_).ravel(), d_.ravel()]
            pos += [np.full(pos[0].shape, s // 2) for s in shape[2:]]
            keep = np.ones(pos[0].shape, bool)
            for p, (lo, hi) in zip(pos, region):
                keep &= (lo <= p) & (p < hi)
            out[tuple(p[keep] - lo for p, (lo, hi) in zip(pos, region))] = 1.0
    elif how == "whole":
        whole = compute_whole(plan)
        out[...] = whole[tuple(slice(lo, hi) for lo, hi in region)]
    else:  # pragma: no cover - plans are built here
        raise ValueError(f"unknown plan kind {how!r}")
    return out


def compute_whole(plan):
    """The whole tensor of a plan, in memory (one task for 'whole' plans)."""
    how, fname, shape, dtname, args, state = plan
    if how != "whole":
        return fill_region(plan, tuple((0, s) for s in shape))
    func, kwargs = args
    kwargs = dict(kwargs)
    if isinstance(func, str):
        func = getattr(_api, func)
    if state is not None:
        kwargs["generator"] = _gen_from_state(state)
    arr = np.empty(shape, dtype_from_name(dtname))
    func(arr, **kwargs)
    return arr


def fill_range(plan, lo, out):
    """Write the logical row-major elements [lo, lo + out.size) of the plan's
    tensor into the contiguous 1-D ``out`` (a memory-mapped piece, say)."""
    how, fname, shape, dtname, args, state = plan
    if out.size == 0:
        return out
    if how == "random":
        kind, p0, p1, p2, p3 = args
        _core._fill(out, fname, kind, p0, p1, p2, p3, _gen_from_state(state), lo)
        return out
    if how == "const":
        out.fill(args[0])
        return out
    # deterministic sparse patterns and whole plans: through row-major regions
    hi = lo + out.size
    pos = 0
    for region in contiguous_regions(shape, lo, hi):
        m = _numel(tuple(b - a for a, b in region))
        fill_region(plan, region, out[pos:pos + m].reshape(tuple(b - a for a, b in region)))
        pos += m
    return out


def contiguous_regions(shape, lo, hi):
    """Split the row-major element range [lo, hi) of ``shape`` into regions
    (a (lo, hi) pair per axis), each a contiguous range of whole sub-blocks."""
    out = []
    strides = _row_strides(shape)
    nd = len(shape)
    while lo < hi:
        # the deepest axis k at which lo is aligned and a run of whole
        # sub-blocks along k fits
        idx, r = [], lo
        for d in range(nd):
            idx.append(r // strides[d])
            r %= strides[d]
        for k in range(nd):
            if lo % strides[k] == 0:
                count = min((hi - lo) // strides[k], shape[k] - idx[k])
                if count > 0:
                    break
        else:  # pragma: no cover - the last axis has stride 1
            raise AssertionError
        region = [(i, i + 1) for i in idx[:k]] + [(idx[k], idx[k] + count)]
        region += [(0, s) for s in shape[k + 1:]]
        out.append(tuple(region))
        lo += count * strides[k]
    return out


# ---- whole parameter trees --------------------------------------------------------

def _unwrap(init):
    """(function, positional args, keyword args) of an initializer, through
    ``functools.partial`` layers and ``Init`` wrappers."""
    import functools
    from ._models import Init
    args, kwargs = (), {}
    while True:
        if isinstance(init, Init):
            init = init.fn if init.target is None else init.target
        elif isinstance(init, functools.partial):
            args, kwargs = init.args + args, {**init.keywords, **kwargs}
            init = init.func
        else:
            return init, args, kwargs


def init_plan(init, shape, dtype, generator, fan_in=None, fname="init_params"):
    """The plan of one rule's initializer on one parameter, as ``init_params``
    would call it (``generator`` None when the initializer takes none).

    wcinit's element-wise initializers (and partials of them, and the torch
    bias rule) become element-wise plans; numbers constants; any other
    callable a one-task "whole" plan (exact, but limited to
    MAX_WHOLE_ELEMENTS)."""
    shape = _shape(shape, fname)
    dt = _dtype(dtype, fname)
    if isinstance(init, numbers.Number):
        return ("const", fname, shape, dt.name, (float(init),), bytes(40))
    fn, args, kwargs = _unwrap(init)
    name = getattr(fn, "__name__", "")
    try:
        from ._schemes import torch_bias_
    except ImportError:  # pragma: no cover - part of the package
        torch_bias_ = None
    if fn is torch_bias_ and torch_bias_ is not None:
        sig = inspect.signature(fn).bind_partial(None, *args, **kwargs).arguments
        fi = sig.get("fan_in", fan_in)
        bound = 1.0 / math.sqrt(fi) if fi > 0 else 0.0  # as torch_bias_ computes it
        return plan("uniform", shape, dt, generator, fname=fname, a=-bound, b=bound)
    if name.endswith("_") and name[:-1] in _PLANNERS and inplace_function(name[:-1]) is fn:
        return plan(name[:-1], shape, dt, generator, fname=fname, **_call_kwargs(fn, args, kwargs))
    if generator is not None:
        p = _framework_plan(fn, args, kwargs, shape, dt, generator, fname)
        if p is not None:
            return p
    kw = {} if fan_in is None else {"fan_in": fan_in}
    state = None if generator is None else reserve(coerce(generator, fname), 0)
    return _whole_plan(fname, init, shape, dt, state, None, kw)


def _call_kwargs(fn, args, kwargs):
    """The keyword arguments of ``fn(array, *args, **kwargs)`` besides the array
    and the generator, by name."""
    params = inspect.signature(fn).parameters
    kw = dict(inspect.signature(fn).bind_partial(None, *args, **kwargs).arguments)
    kw.pop(next(iter(params)))
    kw.pop("generator", None)
    return kw


def _framework_plan(fn, args, kwargs, shape, dt, generator, fname):
    """An element-wise plan of ``fn(array, *args, **kwargs)`` for a framework
    function (wcinit._frameworks): by its formula (``_wcinit_plan_as``), or by
    recording the one C fill it makes on a stand-in array (``_wcinit_elementwise``),
    which also validates the arguments exactly as the call does.  None for any
    other function, or when the arguments make it not element-wise."""
    as_ = getattr(fn, "_wcinit_plan_as", None)
    if as_ is None and not getattr(fn, "_wcinit_elementwise", False):
        return None
    kw = _call_kwargs(fn, args, kwargs)
    if as_ is not None:
        spec = as_(kw)
        return None if spec is None else plan(spec[0], shape, dt, generator, fname=fname, **spec[1])
    from ._frameworks import record_fills
    n = _numel(shape)
    calls = record_fills(fn, _standin(shape, dt), kw)
    if n == 0 or not calls:
        return ("random", fname, shape, dt.name, (0, 0.0, 0.0, 0.0, 0.0), bytes(40))
    if len(calls) != 1:  # pragma: no cover - a marked function makes one fill
        raise AssertionError(f"{fname}: {fn.__name__} made {len(calls)} fills")
    state = reserve(coerce(generator, fname), blocks_for(n, dt))
    return ("random", fname, shape, dt.name, calls[0], state)


def _standin(shape, dtype):
    """A writable ndarray of the given shape that costs no memory: rule matching
    and validation (``init_params``'s planner) read shapes and dtypes only.
    Large ones map a sparse temporary file (no commit charge, no pages)."""
    n = _numel(shape) * dtype.itemsize
    if n <= 1 << 20:
        return np.empty(shape, dtype)
    import os
    import tempfile
    fd, path = tempfile.mkstemp(prefix="wcinit-standin-")
    try:
        os.ftruncate(fd, n)
        return np.memmap(path, dtype=dtype, mode="r+", shape=shape)
    finally:
        os.close(fd)
        os.unlink(path)


def spec_leaves(spec, fname):
    """[(dotted name, shape, dtype)] of a parameter-tree spec: nested dicts /
    lists whose leaves have ``.shape`` and ``.dtype`` (NumPy arrays, torch
    tensors on the meta device, ``jax.ShapeDtypeStruct``), or named pairs."""
    out = []

    def leaf(name, x):
        shape = _shape(tuple(x.shape), fname)
        d = x.dtype
        try:
            dt = np.dtype(d)
        except TypeError:
            dt = _dtype(str(d).replace("torch.", ""), fname)
        out.append((name, shape, _dtype(dt, f"{fname}: parameter {name!r}")))

    def walk(prefix, x):
        if x is None:
            return
        if hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "keys"):
            leaf(prefix, x)
        elif hasattr(x, "keys") and hasattr(x, "__getitem__"):
            for k in x.keys():
                walk(f"{prefix}.{k}" if prefix else str(k), x[k])
        elif isinstance(x, (list, tuple)):
            if x and all(isinstance(t, tuple) and len(t) == 2 and isinstance(t[0], str)
                         for t in x) and not prefix:
                for n, t in x:
                    leaf(n, t)
                return
            for i, v in enumerate(x):
                walk(f"{prefix}.{i}" if prefix else str(i), v)
        else:
            raise TypeError(f"{fname}: parameter {prefix!r} is a {type(x).__name__}; leaves "
                            "must have .shape and .dtype (an array, a meta tensor, a "
                            "ShapeDtypeStruct)")

    if hasattr(spec, "shape") and hasattr(spec, "dtype"):
        raise TypeError(f"{fname}: spec must be a tree of parameters (a dict, list or named "
                        "pairs), not a single array")
    walk("", spec)
    return out


def tree_plans(spec, rules=None, preset=None, generator=None, default=None, fname="init_params"):
    """[(name, plan)] for a parameter tree, exactly as ``wcinit.init_params``
    (same rules, presets, defaults, validation and name-keyed streams) would
    fill arrays of those shapes and dtypes.  Parameters whose rule is None
    (skip) are left out.  Everything is validated before anything is returned."""
    from . import _models
    items = spec_leaves(spec, fname)
    seen = set()
    for name, _, _ in items:
        if name in seen:
            raise ValueError(f"{fname}: parameter name {name!r} appears twice")
        seen.add(name)
    leaves = [(name, _standin(shape, dt)) for name, shape, dt in items]
    family = _models._family(generator, fname) if generator is not None else None
    all_rules, why = _models.as_rules(rules), None
    if preset is not None:
        from ._schemes import preset_rules
        only = [n for n, t in leaves
                if not any(r.matches(n, t.shape, _models._dtype_of(t), t) for r in all_rules)]
        extra, why = preset_rules(preset, leaves, fname, only)
        all_rules = all_rules + extra
    plans = _models.plan(leaves, all_rules, default, fname, why=why)
    if family is None:
        family = _models._family(None, fname)
    seed, stream = family
    out = []
    for p, (name, shape, dt) in zip(plans, items):
        if p.init is None:
            continue
        gen = _core.Generator(seed, _models.name_stream(name, stream)) if p.random else None
        try:
            out.append((name, init_plan(p.init, shape, dt, gen, p.fan_in, fname)))
        except Exception as e:
            raise _models._err(e, fname, name) from e
    del leaves
    return out


def plan_by_running(init, shape, dtype=np.float32, generator=None, fname=None, **kwargs):
    """The plan of any in-place initializer ``init(array, **kwargs, generator=...)``
    that is not one of the planned ones: run once now on a scratch array of the
    whole shape (which validates exactly as the call does, and measures how far
    it advances a copy of the generator), then recorded as a one-task "whole"
    plan; the generator is advanced by that much.  Limited to
    MAX_WHOLE_ELEMENTS elements (the scratch array and the task hold the whole
    tensor)."""
    fname = fname or getattr(init, "__name__", "initializer")
    shape = _shape(shape, fname)
    dt = _dtype(dtype, fname)
    fn0, args0, kw0 = _unwrap(init)
    p = _framework_plan(fn0, args0, {**kw0, **kwargs}, shape, dt, generator, fname)
    if p is not None:
        return p
    n, limit = _numel(shape), max_whole_elements()
    if n > limit:
        raise ValueError(
            f"{fname}: {getattr(fn0, '__name__', fn0)} is not element-wise (it needs the whole "
            f"tensor at once, or is not one of wcinit's) and is computed in one task, up to "
            f"wcinit.dask.MAX_WHOLE_ELEMENTS = {limit} elements; shape {shape} has {n}")
    fn = _unwrap(init)[0]
    try:
        takes = "generator" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes = False
    scratch = np.empty(shape, dt)
    if not takes:
        init(scratch, **kwargs)
        return ("whole", fname, shape, dt.name, (init, tuple(sorted(kwargs.items()))), None)
    g = coerce(generator, fname)
    # Run once on a copy to validate and to count the blocks the call takes (a
    # count that does not depend on the position), then reserve that many
    # atomically: the task recomputes the fill from the reserved state.
    copy = _gen_from_state(np.asarray(g.get_state(), dtype=np.uint8).tobytes())
    start = copy.offset
    init(scratch, generator=copy, **kwargs)
    state = reserve(g, copy.offset - start)
    return ("whole", fname, shape, dt.name, (init, tuple(sorted(kwargs.items()))), state)

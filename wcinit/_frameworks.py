"""The JAX/Flax, Keras 3 and MXNet initializers, each a thin spec over the rule layer.

Flat, unambiguous names (``variance_scaling_``, ``he_normal_``, ``lecun_normal_``,
``delta_orthogonal_``, ...) are exported from ``wcinit``; each framework's own
names and argument conventions (``wcinit.jax``, ``wcinit.keras``,
``wcinit.mxnet``) are aliases of the functions here.  Every function fills its
array in place and returns it; arguments are checked before anything is
written; the fills are the C core's (the same element-addressed streams as the
torch names).  Fans follow each framework's layout: JAX/Flax/Keras kernels are
``(*kernel, in, out)``, MXNet's (like torch's) ``[out, in, *kernel]``.
"""
import math
import numbers
import warnings

import numpy as np

from . import _core, _rules
from ._rules import (
    VARIANCE_SCALING_SPECS, Expectation, check_distribution, check_mode, check_scale,
    compute_fans, constant_expectation, keras_fans, normal_expectation,
    ones_count_expectation, orthogonal_expectation, register_spec, torch_fans,
    trunc_expectation, uniform_expectation, variance_scaling_params,
)

_KIND = getattr(_core, "SAMPLERS", None) or {"uniform": 0, "normal": 1, "trunc_normal": 2}
_ZERO_ELEMENT_WARNING = "Initializing zero-element tensors is a no-op"


# ---- shared checks and fills -------------------------------------------------------

def _float(x, fname, name):
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return float(x)
    raise TypeError(f"{fname}(): argument '{name}' must be float, not {type(x).__name__}")


def _int(x, fname, name):
    if isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_)):
        return int(x)
    raise TypeError(f"{fname}(): argument '{name}' must be int, not {type(x).__name__}")


def _finite(x, fname, name):
    x = _float(x, fname, name)
    if not math.isfinite(x):
        raise ValueError(f"{fname}: {name} must be finite, got {x}")
    return x


def _positive(x, fname, name, allow_zero=False):
    x = _finite(x, fname, name)
    if not (x > 0 or (allow_zero and x == 0)):
        raise ValueError(f"{fname}: {name} must be {'non-negative' if allow_zero else 'positive'}"
                         f", got {x}")
    return x


def _fmax(dtype):
    try:
        return float(np.finfo(dtype).max)
    except ValueError:  # bfloat16
        import ml_dtypes
        return float(ml_dtypes.finfo(dtype).max)


def _check_fill(arr, fname, family, p0, p1):
    """Refuse a fill whose parameters are not finite or not representable in the dtype."""
    vals = (p0, p1) if family == "uniform" else (p1, 2 * p1)
    fmax = _fmax(arr.dtype)
    for v in vals:
        if not (math.isfinite(v) and abs(v) <= fmax):
            what = "limit" if family == "uniform" else "std"
            raise ValueError(f"{fname}: the {what} {abs(v):g} this shape gives is not "
                             f"representable in {arr.dtype}")


# ---- element-wise plans by recording ------------------------------------------------
# wcinit.dask and save_initialized fill any part of a tensor from a plan (kind,
# parameters, generator state).  For the framework functions below marked
# @_elementwise, the plan is recorded instead of re-derived: _plan runs the
# function on a stand-in array with this thread's recorder on, and every fill
# of this module goes through _core_fill, which then records its C arguments
# instead of writing.  Marked functions make exactly one such fill and write
# nothing else.

import threading  # noqa: E402

_recorder = threading.local()


def _core_fill(arr, fname, kind, p0, p1, p2, p3, generator):
    calls = getattr(_recorder, "calls", None)
    if calls is None:
        return _core._fill(arr, fname, kind, p0, p1, p2, p3, generator)
    calls.append((kind, float(p0), float(p1), float(p2), float(p3)))
    return arr


def record_fills(fn, arr, kwargs):
    """The C fills ``fn(arr, **kwargs)`` would make, made by nobody: a list of
    (kind, p0, p1, p2, p3); fn validates as the real call does."""
    calls = []
    _recorder.calls = calls
    try:
        fn(arr, **kwargs)
    finally:
        _recorder.calls = None
    return calls


def _elementwise(fn):
    """Mark a function whose whole effect is one element-wise fill through _core_fill."""
    fn._wcinit_elementwise = True
    return fn


def _fill(arr, fname, family, p0, p1, generator):
    """family 'uniform' U(p0, p1); 'normal' N(p0, p1^2); 'trunc_normal' N(0, p1^2) on [-2p1, 2p1]."""
    _check_fill(arr, fname, family, p0, p1)
    if family == "uniform":
        _core_fill(arr, fname, _KIND["uniform"], p0, p1, 0.0, 0.0, generator)
    elif family == "normal":
        _core_fill(arr, fname, _KIND["normal"], p0, p1, 0.0, 0.0, generator)
    else:
        _core_fill(arr, fname, _KIND["trunc_normal"], p0, p1, -2.0 * p1, 2.0 * p1, generator)


def _empty(arr):
    if arr.size == 0:
        warnings.warn(_ZERO_ELEMENT_WARNING, stacklevel=4)
        return True
    return False


# ---- variance scaling (JAX semantics) ------------------------------------------------

def _variance_scaling(fname, tensor, scale, mode, distribution, in_axis, out_axis, batch_axis,
                      generator):
    scale = check_scale(scale, fname)
    check_mode(mode, fname)
    check_distribution(distribution, fname)
    arr = _core._check(tensor, fname)
    fan_in, fan_out = compute_fans(arr.shape, in_axis, out_axis, batch_axis, fname=fname)
    if _empty(arr):
        return tensor
    family, p0, p1 = variance_scaling_params(scale, mode, distribution, fan_in, fan_out, fname)
    _fill(arr, fname, family, p0, p1, generator)
    return tensor


def variance_scaling_(tensor, scale=1.0, mode="fan_in", distribution="truncated_normal",
                      in_axis=-2, out_axis=-1, batch_axis=(), generator=None):
    r"""Fill the array with values whose variance adapts to its fans, with JAX's semantics.

    .. math::
        \sigma^2 = \frac{\text{scale}}{n},\qquad n = \begin{cases}
        \text{fan\_in} & \texttt{fan\_in}\\ \text{fan\_out} & \texttt{fan\_out}\\
        (\text{fan\_in} + \text{fan\_out})/2 & \texttt{fan\_avg}\\
        \sqrt{\text{fan\_in}\cdot\text{fan\_out}} & \texttt{fan\_geo\_avg}\end{cases}

    * ``truncated_normal``: :math:`\mathcal{N}(0, s^2)` truncated to :math:`[-2s, 2s]`
      with :math:`s = \sigma / 0.87962566103423978` (the std of a standard
      normal truncated to ±2), so the values have std :math:`\sigma`;
    * ``normal`` / ``untruncated_normal`` (Keras's name): :math:`\mathcal{N}(0, \sigma^2)`;
    * ``uniform``: :math:`\mathcal{U}(-\sqrt{3}\sigma, \sqrt{3}\sigma)`.

    Fans: ``in_axis`` / ``out_axis`` / ``batch_axis`` name the input, output and
    batch dimensions, every other dimension is the receptive field (the
    default is the JAX/Flax/Keras layout ``(*kernel, in, out)``; torch's
    ``[out, in, *kernel]`` is ``in_axis=1, out_axis=0``).  The same std/limit as
    ``jax.nn.initializers.variance_scaling`` and ``keras.initializers.VarianceScaling``
    (whose ``'normal'`` is truncated, see ``wcinit.keras``).  From Glorot &
    Bengio (2010), He et al. (2015), LeCun et al., "Efficient BackProp" (1998).

    Args:
        tensor: a writable float array (or a torch CPU tensor)
        scale: the variance scale, a positive float (default 1.0)
        mode: ``'fan_in'`` (default), ``'fan_out'``, ``'fan_avg'`` or ``'fan_geo_avg'``
        distribution: ``'truncated_normal'`` (default), ``'normal'``,
            ``'untruncated_normal'`` or ``'uniform'``
        in_axis: the input axis or axes (default -2)
        out_axis: the output axis or axes (default -1)
        batch_axis: axes ignored by the fans (default ``()``)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.variance_scaling_(np.empty((3, 3, 64, 128), np.float32), 2.0, "fan_in",
        ...                              "normal", generator=0)
        >>> round(float(w.std()), 3)      # sqrt(2 / (3*3*64)) = 0.0589
        0.059
    """
    return _variance_scaling("variance_scaling_", tensor, scale, mode, distribution, in_axis,
                             out_axis, batch_axis, generator)


_VS_DOC = r"""Fill the array with {title}, in the JAX/Flax/Keras layout ``(*kernel, in, out)``.

    {formula}

    ``variance_scaling_(tensor, {scale}, '{mode}', '{dist}', in_axis, out_axis,
    batch_axis)``, as ``jax.nn.initializers.{name}`` and
    ``keras.initializers.{keras}``.{extra}  From {paper}.

    Args:
        tensor: a writable float array (or a torch CPU tensor), at least 2-D
            unless ``in_axis`` is named
        in_axis: the input axis or axes (default -2)
        out_axis: the output axis or axes (default -1)
        batch_axis: axes ignored by the fans (default ``()``)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.{name}_(np.empty((784, 512), np.float32), generator=0)   # Dense (in, out)
        >>> {check}
        True
"""

_VS_TEXT = {
    "lecun_uniform": ("LeCun uniform values",
                      r":math:`\mathcal{U}(-a, a)`, :math:`a = \sqrt{3 / \text{fan\_in}}`",
                      "LecunUniform", "LeCun et al., \"Efficient BackProp\" (1998)", "",
                      "bool(np.abs(w).max() <= np.sqrt(3 / 784))"),
    "lecun_normal": ("LeCun normal values (truncated)",
                     r"std :math:`\sqrt{1 / \text{fan\_in}}` after truncation to ±2 of the "
                     r"untruncated std :math:`\sqrt{1/\text{fan\_in}}/0.8796`",
                     "LecunNormal", "LeCun et al., \"Efficient BackProp\" (1998); Klambauer et "
                     "al., \"Self-Normalizing Neural Networks\" (2017)",
                     "  The initializer self-normalizing (SELU) networks need.",
                     "bool(abs(float(w.std()) - np.sqrt(1 / 784)) < 0.001)"),
    "glorot_uniform": ("Glorot/Xavier uniform values",
                       r":math:`\mathcal{U}(-a, a)`, :math:`a = \sqrt{6 / (\text{fan\_in} + "
                       r"\text{fan\_out})}`",
                       "GlorotUniform", "Glorot & Bengio, \"Understanding the difficulty of "
                       "training deep feedforward neural networks\" (2010)", "",
                       "bool(np.abs(w).max() <= np.sqrt(6 / (784 + 512)))"),
    "glorot_normal": ("Glorot/Xavier normal values (truncated)",
                      r"std :math:`\sqrt{2 / (\text{fan\_in} + \text{fan\_out})}` after "
                      "truncation to ±2 untruncated stds",
                      "GlorotNormal", "Glorot & Bengio (2010)", "",
                      "bool(abs(float(w.std()) - np.sqrt(2 / (784 + 512))) < 0.001)"),
    "he_uniform": ("He/Kaiming uniform values",
                   r":math:`\mathcal{U}(-a, a)`, :math:`a = \sqrt{6 / \text{fan\_in}}`",
                   "HeUniform", "He et al., \"Delving deep into rectifiers\" (2015)", "",
                   "bool(np.abs(w).max() <= np.sqrt(6 / 784))"),
    "he_normal": ("He/Kaiming normal values (truncated)",
                  r"std :math:`\sqrt{2 / \text{fan\_in}}` after truncation to ±2 "
                  "untruncated stds",
                  "HeNormal", "He et al., \"Delving deep into rectifiers\" (2015)",
                  "  An HWIO ``(3, 3, 64, 128)`` kernel gets std sqrt(2/576) = 0.0589.",
                  "bool(abs(float(w.std()) - np.sqrt(2 / 784)) < 0.001)"),
}


def _make_named(name):
    scale, mode, dist = VARIANCE_SCALING_SPECS[name]
    fname = name + "_"

    def init(tensor, in_axis=-2, out_axis=-1, batch_axis=(), generator=None):
        return _variance_scaling(fname, tensor, scale, mode, dist, in_axis, out_axis,
                                 batch_axis, generator)

    title, formula, keras, paper, extra, check = _VS_TEXT[name]
    init.__name__ = init.__qualname__ = fname
    init.__module__ = __name__
    init.__doc__ = _VS_DOC.format(title=title, formula=formula, scale=scale, mode=mode,
                                  dist=dist, name=name, keras=keras, paper=paper, extra=extra,
                                  check=check)
    init.vs_spec = (scale, mode, dist)
    return init


lecun_uniform_ = _make_named("lecun_uniform")
lecun_normal_ = _make_named("lecun_normal")
glorot_uniform_ = _make_named("glorot_uniform")
glorot_normal_ = _make_named("glorot_normal")
he_uniform_ = _make_named("he_uniform")
he_normal_ = _make_named("he_normal")


@_elementwise
def truncated_normal_(tensor, stddev=1e-2, lower=-2.0, upper=2.0, generator=None):
    r"""Fill the array with JAX's truncated normal: :math:`\mathcal{N}(0, \text{stddev}^2)`
    restricted to :math:`[\text{lower}\cdot\text{stddev}, \text{upper}\cdot\text{stddev}]`.

    The bounds are relative to ``stddev`` (``jax.nn.initializers.truncated_normal``),
    unlike torch's :func:`wcinit.trunc_normal_` whose ``a``/``b`` are absolute;
    as in JAX, ``stddev`` is the std *before* truncation (the values' std is
    0.8796·stddev for the default ±2).  Exact inversion of the truncated CDF,
    as ``trunc_normal_``.

    Args:
        tensor: a writable float array (or a torch CPU tensor)
        stddev: the standard deviation of the untruncated normal (default 1e-2)
        lower: the lower bound in units of stddev (default -2.0)
        upper: the upper bound in units of stddev (default 2.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.truncated_normal_(np.empty((64, 64)), stddev=0.02, generator=0)
        >>> bool((np.abs(w) <= 0.04).all())
        True
    """
    fname = "truncated_normal_"
    stddev = _positive(stddev, fname, "stddev")
    lower = _float(lower, fname, "lower")
    upper = _float(upper, fname, "upper")
    if math.isnan(lower) or math.isnan(upper) or not lower < upper:
        raise ValueError(f"{fname}: lower must be less than upper, got lower={lower}, "
                         f"upper={upper}")
    arr = _core._check(tensor, fname)
    a, b = lower * stddev, upper * stddev
    fmax = _fmax(arr.dtype)
    if not (abs(a) <= fmax or math.isinf(a)) or not (abs(b) <= fmax or math.isinf(b)):
        raise ValueError(f"{fname}: the bounds [{a:g}, {b:g}] are not representable in {arr.dtype}")
    if _empty(arr):
        return tensor
    _core_fill(arr, fname, _KIND["trunc_normal"], 0.0, stddev, a, b, generator)
    return tensor


# ---- orthogonal families ---------------------------------------------------------------

def _orthogonal_matrix(dtype, rows, cols, gain, generator):
    """A (rows, cols) Haar (semi-)orthogonal matrix times gain, by wcinit.orthogonal_."""
    from ._api import orthogonal_
    work = np.empty((rows, cols), dtype=dtype)
    orthogonal_(work, gain=gain, generator=generator)
    return work


def _column_axis(shape, column_axis, fname):
    return _rules._axes(shape, _int(column_axis, fname, "column_axis"), fname, "column_axis")[0]


def orthogonal_columns_(tensor, scale=1.0, column_axis=-1, generator=None, _fname="orthogonal_"):
    r"""Fill the array with a (semi-)orthogonal matrix over ``column_axis``, as JAX's ``orthogonal``.

    The array is viewed as a matrix whose columns run along ``column_axis`` and
    whose rows are all other axes flattened: ``(numel / shape[column_axis],
    shape[column_axis])``; that matrix is Haar-distributed with orthonormal
    rows or columns, whichever side is smaller (Saxe et al. 2013; Mezzadri
    2007), times ``scale``.  ``column_axis=-1`` is also Keras's ``Orthogonal``
    (rows = all leading axes).  Built over :func:`wcinit.orthogonal_` (same QR,
    same streams), which itself keeps torch's ``(size(0), rest)`` view.

    Args:
        tensor: a writable float array with at least 2 dimensions
        scale: the multiplicative factor (default 1.0)
        column_axis: the axis holding the columns (default -1)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.jax.orthogonal_(np.empty((3, 3, 16, 32)), generator=0)
        >>> m = w.reshape(-1, 32)            # 144 rows, orthonormal columns
        >>> bool(np.allclose(m.T @ m, np.eye(32)))
        True
    """
    fname = _fname
    scale = _finite(scale, fname, "scale")
    arr = _core._check(tensor, fname)
    if arr.ndim < 2:
        raise ValueError(f"{fname}: orthogonal initializer requires at least a 2D shape, "
                         f"got shape {arr.shape}")
    ca = _column_axis(arr.shape, column_axis, fname)
    if _empty(arr):
        return tensor
    n_cols = arr.shape[ca]
    n_rows = arr.size // n_cols
    q = _orthogonal_matrix(arr.dtype, n_rows, n_cols, scale, generator)
    others = tuple(s for i, s in enumerate(arr.shape) if i != ca)
    arr[...] = np.moveaxis(q.reshape(others + (n_cols,)), -1, ca)
    return tensor


def delta_orthogonal_(tensor, gain=1.0, in_axis=-2, out_axis=-1, generator=None):
    r"""Fill the 3-, 4- or 5-D conv kernel with a delta-orthogonal kernel (Xiao et al. 2018).

    Every value is zero except at the spatial centre (index ``(k - 1) // 2`` of
    every kernel axis, as JAX), which holds ``gain`` times a Haar orthogonal
    ``(in, out)`` matrix with orthonormal rows (``in <= out``): a convolution
    with it maps each input pixel's channel vector :math:`x` to :math:`M^T x`,
    so :math:`\lVert y\rVert = \text{gain}\,\lVert x\rVert` -- the dynamical
    isometry of Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington,
    "Dynamical Isometry and a Mean Field Theory of CNNs: How to Train
    10,000-Layer Vanilla Convolutional Neural Networks" (ICML 2018).
    ``jax.nn.initializers.delta_orthogonal`` with ``scale = gain``.

    Args:
        tensor: a writable 3-, 4- or 5-dimensional float array
        gain: the multiplicative factor (default 1.0)
        in_axis: the input-channel axis (default -2: the JAX layout ``(*kernel, in, out)``;
            torch's ``[out, in, *kernel]`` is ``in_axis=1, out_axis=0``)
        out_axis: the output-channel axis (default -1)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.delta_orthogonal_(np.empty((3, 3, 16, 32)), generator=0)
        >>> bool(np.allclose(w[1, 1] @ w[1, 1].T, np.eye(16))), float(np.abs(w[0]).max())
        (True, 0.0)
    """
    fname = "delta_orthogonal_"
    gain = _finite(gain, fname, "gain")
    arr = _core._check(tensor, fname)
    if arr.ndim not in (3, 4, 5):
        raise ValueError(f"{fname}: delta orthogonal initializer requires a 3D, 4D or 5D "
                         f"shape, got shape {arr.shape}")
    ia = _rules._axes(arr.shape, _int(in_axis, fname, "in_axis"), fname, "in_axis")[0]
    oa = _rules._axes(arr.shape, _int(out_axis, fname, "out_axis"), fname, "out_axis")[0]
    if ia == oa:
        raise ValueError(f"{fname}: in_axis and out_axis must differ, got {in_axis} and {out_axis}")
    n_in, n_out = arr.shape[ia], arr.shape[oa]
    if n_in > n_out:
        raise ValueError(f"{fname}: the input size ({n_in}) must be less than or equal to the "
                         f"output size ({n_out})")
    if _empty(arr):
        return tensor
    m = _orthogonal_matrix(arr.dtype, n_in, n_out, gain, generator)
    idx = tuple((s - 1) // 2 if i not in (ia, oa) else slice(None) for i, s in enumerate(arr.shape))
    arr[...] = 0
    arr[idx] = m if ia < oa else m.T
    return tensor


def identity_(tensor, gain=1.0):
    r"""Fill the 2-D array with ``gain`` times the identity matrix (Keras's ``Identity``).

    ``W[i, i] = gain`` for ``i < min(rows, cols)``, every other value 0 (torch's
    :func:`wcinit.eye_` with a gain).

    Args:
        tensor: a writable 2-dimensional float array
        gain: the multiplicative factor (default 1.0)

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.identity_(np.empty((2, 3)), gain=0.5)
        array([[0.5, 0. , 0. ],
               [0. , 0.5, 0. ]])
    """
    fname = "identity_"
    gain = _finite(gain, fname, "gain")
    arr = _core._check(tensor, fname)
    if arr.ndim != 2:
        raise ValueError(f"{fname}: identity matrix initializer can only be used for 2D "
                         f"matrices, got shape {arr.shape}")
    if abs(gain) > _fmax(arr.dtype):
        raise ValueError(f"{fname}: gain {gain:g} is not representable in {arr.dtype}")
    arr[...] = 0
    k = min(arr.shape)
    arr[np.arange(k), np.arange(k)] = gain
    return tensor


# ---- MXNet ------------------------------------------------------------------------------

_FACTOR_TYPES = ("avg", "in", "out")


@_elementwise
def mxnet_xavier_(tensor, rnd_type="uniform", factor_type="avg", magnitude=3.0, generator=None,
                  _fname="xavier_"):
    r"""MXNet's ``Xavier(rnd_type, factor_type, magnitude)``, in MXNet's layout ``[out, in, *kernel]``.

    .. math::
        c = \sqrt{\frac{\text{magnitude}}{n}},\qquad n = \begin{cases}
        (\text{fan\_in} + \text{fan\_out})/2 & \texttt{avg}\\ \text{fan\_in} & \texttt{in}\\
        \text{fan\_out} & \texttt{out}\end{cases}

    ``uniform``: :math:`\mathcal{U}(-c, c)`; ``gaussian``: :math:`\mathcal{N}(0, c^2)`.
    ``fan_in = shape[1]·prod(shape[2:])``, ``fan_out = shape[0]·prod(shape[2:])``
    (mxnet/initializer.py ``Xavier._init_weight``).  Glorot & Bengio (2010).

    Args:
        tensor: a writable float array with at least 2 dimensions
        rnd_type: ``'uniform'`` (default) or ``'gaussian'``
        factor_type: ``'avg'`` (default), ``'in'`` or ``'out'``
        magnitude: the variance scale (default 3)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.mxnet.xavier_(np.empty((64, 32, 3, 3), np.float32), generator=0)
        >>> bool(np.abs(w).max() <= np.sqrt(3 / ((288 + 576) / 2)))
        True
    """
    fname = _fname
    if rnd_type not in ("uniform", "gaussian"):
        raise ValueError(f"{fname}: rnd_type must be 'uniform' or 'gaussian', got {rnd_type!r}")
    if factor_type not in _FACTOR_TYPES:
        raise ValueError(f"{fname}: factor_type must be 'avg', 'in' or 'out', got {factor_type!r}")
    magnitude = _positive(magnitude, fname, "magnitude", allow_zero=True)
    arr = _core._check(tensor, fname)
    if arr.ndim < 2:
        raise ValueError(f"{fname}: Xavier initializer cannot be applied to vector of shape "
                         f"{arr.shape}. It requires at least 2D.")
    fan_in, fan_out = torch_fans(arr.shape)
    if _empty(arr):
        return tensor
    c = _mxnet_xavier_scale(factor_type, magnitude, fan_in, fan_out)
    if rnd_type == "uniform":
        _fill(arr, fname, "uniform", -c, c, generator)
    else:
        _fill(arr, fname, "normal", 0.0, c, generator)
    return tensor


def _mxnet_xavier_scale(factor_type, magnitude, fan_in, fan_out):
    factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[factor_type]
    return math.sqrt(magnitude / factor)


@_elementwise
def mxnet_msra_prelu_(tensor, factor_type="avg", slope=0.25, generator=None):
    r"""MXNet's ``MSRAPrelu(factor_type, slope)``: ``Xavier('gaussian', factor_type, 2 / (1 + slope^2))``.

    .. math::
        \mathcal{N}\!\left(0, \frac{2}{(1 + \text{slope}^2)\, n}\right)

    with ``n`` as in :func:`wcinit.mxnet.xavier_` (default ``avg``: the mean of
    the fans, MXNet's choice; He et al. use fan_in).  From He et al., "Delving
    deep into rectifiers" (2015), for PReLU with initial slope ``slope``.

    Args:
        tensor: a writable float array with at least 2 dimensions
        factor_type: ``'avg'`` (default), ``'in'`` or ``'out'``
        slope: the initial negative slope of the PReLU (default 0.25)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.mxnet.msra_prelu_(np.empty((256, 256)), factor_type="in", generator=0)
        >>> round(float(w.std()), 3)     # sqrt(2 / 1.0625 / 256) = 0.0857
        0.086
    """
    slope = _finite(slope, "msra_prelu_", "slope")
    return mxnet_xavier_(tensor, "gaussian", factor_type, 2.0 / (1 + slope ** 2), generator,
                         _fname="msra_prelu_")


@_elementwise
def mxnet_uniform_(tensor, scale=0.07, generator=None):
    r"""MXNet's ``Uniform(scale)``: :math:`\mathcal{U}(-\text{scale}, \text{scale})`.

    MXNet Gluon's default initializer (``net.initialize()``): every Dense/Conv
    weight without its own initializer gets U(-0.07, 0.07).

    Args:
        tensor: a writable float array
        scale: the bound (default 0.07)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.mxnet.uniform_(np.empty((8, 4)), generator=0)
        >>> bool(np.abs(w).max() <= 0.07)
        True
    """
    fname = "uniform_"
    scale = _positive(scale, fname, "scale", allow_zero=True)
    arr = _core._check(tensor, fname)
    if _empty(arr):
        return tensor
    _fill(arr, fname, "uniform", -scale, scale, generator)
    return tensor


def _centered_normal(tensor, std, argname, generator):
    """N(0, std^2) into tensor for the frameworks' ``normal`` (std named argname)."""
    fname = "normal_"
    std = _positive(std, fname, argname, allow_zero=True)
    arr = _core._check(tensor, fname)
    if _empty(arr):
        return tensor
    _fill(arr, fname, "normal", 0.0, std, generator)
    return tensor


@_elementwise
def mxnet_normal_(tensor, sigma=0.01, generator=None):
    r"""MXNet's ``Normal(sigma)``: :math:`\mathcal{N}(0, \sigma^2)`.

    Args:
        tensor: a writable float array
        sigma: the standard deviation (default 0.01)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.mxnet.normal_(np.empty((8, 4)), sigma=0.02, generator=0)
    """
    return _centered_normal(tensor, sigma, "sigma", generator)


def mxnet_orthogonal_(tensor, scale=1.414, rand_type="uniform", generator=None):
    r"""MXNet's ``Orthogonal(scale, rand_type)``: ``scale`` times a factor of the SVD of a random matrix.

    The array is viewed as ``(shape[0], prod(shape[1:]))``; a matrix of that
    shape is drawn from U(-1, 1) (``rand_type='uniform'``, MXNet's default) or
    N(0, 1) (``'normal'``), its thin SVD ``U S V`` taken, and ``U`` (if it has
    the matrix's shape) or else ``V`` kept: orthonormal rows or columns,
    whichever side is smaller (mxnet/initializer.py ``Orthogonal``; Saxe et al.
    2013).  Unlike :func:`wcinit.orthogonal_`'s QR with sign correction, the
    result is not Haar-distributed; this is MXNet's definition.

    Args:
        tensor: a writable float array with at least 2 dimensions
        scale: the multiplicative factor (default 1.414)
        rand_type: ``'uniform'`` (default) or ``'normal'``
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.mxnet.orthogonal_(np.empty((4, 6)), scale=1.0, generator=0)
        >>> bool(np.allclose(w @ w.T, np.eye(4)))
        True
    """
    fname = "orthogonal_"
    scale = _finite(scale, fname, "scale")
    if rand_type not in ("uniform", "normal"):
        raise ValueError(f"{fname}: rand_type must be 'uniform' or 'normal', got {rand_type!r}")
    arr = _core._check(tensor, fname)
    if arr.ndim < 2:
        raise ValueError(f"{fname}: requires at least a 2D shape, got shape {arr.shape}")
    if _empty(arr):
        return tensor
    nout = arr.shape[0]
    nin = arr.size // nout
    tmp = np.empty((nout, nin), np.float64)
    if rand_type == "uniform":
        _core_fill(tmp, fname, _KIND["uniform"], -1.0, 1.0, 0.0, 0.0, generator)
    else:
        _core_fill(tmp, fname, _KIND["normal"], 0.0, 1.0, 0.0, 0.0, generator)
    u, _, v = np.linalg.svd(tmp, full_matrices=False)
    res = u if u.shape == tmp.shape else v
    arr[...] = (scale * res).reshape(arr.shape)
    return tensor


def _bilinear_kernel(shape):
    f = math.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    x = np.arange(shape[3], dtype=np.float64)
    y = np.arange(shape[2], dtype=np.float64)
    k = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c))
    return np.broadcast_to(k, shape)


def bilinear_(tensor):
    r"""Fill the 4-D transposed-convolution kernel with bilinear upsampling weights (MXNet's ``Bilinear``).

    For a kernel ``[C, 1, kh, kw]`` and ``f = ceil(kw / 2)``, ``c = (2f - 1 - f mod 2) / (2f)``:

    .. math::
        W[\cdot, \cdot, y, x] = \left(1 - \left|\tfrac{x}{f} - c\right|\right)
                               \left(1 - \left|\tfrac{y}{f} - c\right|\right)

    the same in every (out, in) slice (mxnet/initializer.py
    ``Initializer._init_bilinear``, the integer row index of MXNet >= 1.6;
    Long, Shelhamer & Darrell, "Fully Convolutional Networks", 2015).  A
    transposed convolution with stride ``f`` and this kernel upsamples
    bilinearly.  Computed in float64, rounded once.

    Args:
        tensor: a writable 4-dimensional float array

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.bilinear_(np.empty((1, 1, 4, 4)))[0, 0]
        array([[0.0625, 0.1875, 0.1875, 0.0625],
               [0.1875, 0.5625, 0.5625, 0.1875],
               [0.1875, 0.5625, 0.5625, 0.1875],
               [0.0625, 0.1875, 0.1875, 0.0625]])
    """
    fname = "bilinear_"
    arr = _core._check(tensor, fname)
    if arr.ndim != 4:
        raise ValueError(f"{fname}: requires a 4D shape [out, in, height, width], "
                         f"got shape {arr.shape}")
    if arr.size == 0:
        return tensor
    arr[...] = _bilinear_kernel(arr.shape)
    return tensor


def lstm_bias_(tensor, forget_bias=1.0):
    r"""Fill an LSTM bias with zeros except the forget gate's quarter, set to ``forget_bias``.

    For a bias of ``4·H`` values in the gate order (input, forget, cell,
    output) -- MXNet's ``LSTMBias(forget_bias)``, Keras's ``unit_forget_bias=True``
    and torch's own order -- values ``[H, 2H)`` are ``forget_bias``, the rest 0
    (Jozefowicz, Zaremba & Sutskever, "An Empirical Exploration of Recurrent
    Network Architectures", 2015).  Along axis 0.

    Args:
        tensor: a writable float array whose first dimension is 4·H
        forget_bias: the forget gate's bias (default 1.0)

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.lstm_bias_(np.empty(8))
        array([0., 0., 1., 1., 0., 0., 0., 0.])
    """
    fname = "lstm_bias_"
    forget_bias = _finite(forget_bias, fname, "forget_bias")
    arr = _core._check(tensor, fname)
    if arr.ndim < 1 or arr.shape[0] % 4:
        raise ValueError(f"{fname}: the first dimension must be 4 * hidden_size, got shape "
                         f"{arr.shape}")
    if abs(forget_bias) > _fmax(arr.dtype):
        raise ValueError(f"{fname}: forget_bias {forget_bias:g} is not representable in "
                         f"{arr.dtype}")
    h = arr.shape[0] // 4
    arr[...] = 0
    arr[h:2 * h] = forget_bias
    return tensor


def mxnet_constant_(tensor, value):
    """MXNet's ``Constant(value)`` (also Keras's ``Constant``, JAX's ``constant``): every value ``value``.

    Args:
        tensor: a writable float array
        value: the value

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.mxnet.constant_(np.empty(3), 0.5)
        array([0.5, 0.5, 0.5])
    """
    from ._api import constant_
    return constant_(tensor, value)


# ---- JAX's simple distributions ----------------------------------------------------------

@_elementwise
def jax_uniform_(tensor, scale=1e-2, generator=None):
    r"""JAX's ``uniform(scale)``: :math:`\mathcal{U}(0, \text{scale})`.

    Args:
        tensor: a writable float array
        scale: the upper bound (default 1e-2)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.jax.uniform_(np.empty((8, 4)), scale=10.0, generator=0)
        >>> bool(((0 <= w) & (w <= 10)).all())
        True
    """
    fname = "uniform_"
    scale = _finite(scale, fname, "scale")
    arr = _core._check(tensor, fname)
    if _empty(arr):
        return tensor
    lo, hi = min(0.0, scale), max(0.0, scale)
    _fill(arr, fname, "uniform", lo, hi, generator)
    return tensor


@_elementwise
def jax_normal_(tensor, stddev=1e-2, generator=None):
    r"""JAX's ``normal(stddev)``: :math:`\mathcal{N}(0, \text{stddev}^2)`.

    Args:
        tensor: a writable float array
        stddev: the standard deviation (default 1e-2)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.jax.normal_(np.empty((8, 4)), stddev=0.02, generator=0)
    """
    return _centered_normal(tensor, stddev, "stddev", generator)


# ---- Keras 3's distributions and variance scaling --------------------------------------

_KERAS_MODES = ("fan_in", "fan_out", "fan_avg")


@_elementwise
def keras_variance_scaling_(tensor, scale=1.0, mode="fan_in", distribution="truncated_normal",
                            input_axes=None, output_axes=None, generator=None,
                            _fname="variance_scaling_"):
    r"""Keras 3's ``VarianceScaling``, with Keras's names and fans.

    As :func:`wcinit.variance_scaling_` with Keras's conventions
    (keras/src/initializers/random_initializers.py): ``n = max(1, fan)``;
    modes ``fan_in``, ``fan_out``, ``fan_avg``; ``distribution='normal'`` means
    **truncated** normal (Keras maps it to ``truncated_normal``; the untruncated
    one is ``'untruncated_normal'``); fans by Keras's ``compute_fans``
    (``(*kernel, in, out)``; a vector has fans (n, n); with ``input_axes`` and
    ``output_axes`` both given, the products of those axes alone).

    Args:
        tensor: a writable float array (or a torch CPU tensor)
        scale: a positive float (default 1.0)
        mode: ``'fan_in'`` (default), ``'fan_out'`` or ``'fan_avg'``
        distribution: ``'truncated_normal'`` (default), ``'normal'`` (truncated),
            ``'untruncated_normal'`` or ``'uniform'``
        input_axes: the axes of the input units (default None: Keras's rule)
        output_axes: the axes of the output units (default None)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.keras.variance_scaling_(np.empty((784, 512)), 2.0, distribution="uniform",
        ...                                    generator=0)
        >>> bool(np.abs(w).max() <= np.sqrt(6 / 784))
        True
    """
    fname = _fname
    scale = check_scale(scale, fname)
    check_mode(mode, fname, _KERAS_MODES)
    if not isinstance(distribution, str):
        raise TypeError(f"{fname}: distribution must be a str, got {type(distribution).__name__}")
    dist = distribution.lower()
    if dist == "normal":
        dist = "truncated_normal"
    check_distribution(dist, fname, ("uniform", "truncated_normal", "untruncated_normal"))
    arr = _core._check(tensor, fname)
    fan_in, fan_out = keras_fans(arr.shape, input_axes, output_axes)
    if _empty(arr):
        return tensor
    family, p0, p1 = _keras_params(scale, mode, dist, fan_in, fan_out)
    _fill(arr, fname, family, p0, p1, generator)
    return tensor


def _keras_params(scale, mode, dist, fan_in, fan_out):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    scale = scale / max(1.0, n)
    if dist == "truncated_normal":
        return "trunc_normal", 0.0, math.sqrt(scale) / _rules.TRUNCATED_NORMAL_2_STD
    if dist == "untruncated_normal":
        return "normal", 0.0, math.sqrt(scale)
    limit = math.sqrt(3.0 * scale)
    return "uniform", -limit, limit


def _make_keras_named(name):
    scale, mode, dist = VARIANCE_SCALING_SPECS[name]
    fname = name + "_"

    def init(tensor, input_axes=None, output_axes=None, generator=None):
        return keras_variance_scaling_(tensor, scale, mode, dist, input_axes, output_axes,
                                       generator, _fname=fname)

    init.__name__ = init.__qualname__ = fname
    init.__module__ = __name__
    init.__doc__ = (
        f"Keras 3's ``{_VS_TEXT[name][2]}``: ``wcinit.keras.variance_scaling_(tensor, {scale}, "
        f"'{mode}', '{dist}', input_axes, output_axes)``:\n\n"
        f"    {_VS_TEXT[name][1]}.\n\n"
        f"    The same values as :func:`wcinit.{fname}` for arrays of 2 or more dimensions;\n"
        "    Keras's fans for vectors and explicit ``input_axes``/``output_axes``.\n"
        f"    From {_VS_TEXT[name][3]}.\n\n"
        "    Args:\n"
        "        tensor: a writable float array (or a torch CPU tensor)\n"
        "        input_axes: the axes of the input units (default None)\n"
        "        output_axes: the axes of the output units (default None)\n"
        "        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None\n\n"
        "    Examples:\n"
        "        >>> import numpy as np, wcinit\n"
        f"        >>> w = wcinit.keras.{fname}(np.empty((3, 3, 64, 128), np.float32),\n"
        "        ...                           generator=0)\n")
    init.keras_spec = (scale, mode, dist)
    return _elementwise(init)


keras_lecun_uniform_ = _make_keras_named("lecun_uniform")
keras_lecun_normal_ = _make_keras_named("lecun_normal")
keras_glorot_uniform_ = _make_keras_named("glorot_uniform")
keras_glorot_normal_ = _make_keras_named("glorot_normal")
keras_he_uniform_ = _make_keras_named("he_uniform")
keras_he_normal_ = _make_keras_named("he_normal")


@_elementwise
def keras_random_normal_(tensor, mean=0.0, stddev=0.05, generator=None):
    r"""Keras's ``RandomNormal(mean, stddev)``: :math:`\mathcal{N}(\text{mean}, \text{stddev}^2)`.

    Args:
        tensor: a writable float array
        mean: the mean (default 0.0)
        stddev: the standard deviation (default 0.05)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.keras.random_normal_(np.empty((8, 4)), generator=0)
    """
    fname = "random_normal_"
    mean = _finite(mean, fname, "mean")
    stddev = _positive(stddev, fname, "stddev", allow_zero=True)
    arr = _core._check(tensor, fname)
    if _empty(arr):
        return tensor
    _check_fill(arr, fname, "uniform", mean + 2 * stddev, mean - 2 * stddev)
    _core_fill(arr, fname, _KIND["normal"], mean, stddev, 0.0, 0.0, generator)
    return tensor


@_elementwise
def keras_random_uniform_(tensor, minval=-0.05, maxval=0.05, generator=None):
    r"""Keras's ``RandomUniform(minval, maxval)``: :math:`\mathcal{U}(\text{minval}, \text{maxval})`.

    Keras's ``Embedding`` default (``'uniform'``) is this with ±0.05.

    Args:
        tensor: a writable float array
        minval: the lower bound (default -0.05)
        maxval: the upper bound (default 0.05)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.keras.random_uniform_(np.empty((8, 4)), generator=0)
        >>> bool(np.abs(w).max() <= 0.05)
        True
    """
    fname = "random_uniform_"
    minval = _finite(minval, fname, "minval")
    maxval = _finite(maxval, fname, "maxval")
    if minval > maxval:
        raise ValueError(f"{fname}: minval must be <= maxval, got minval={minval}, maxval={maxval}")
    arr = _core._check(tensor, fname)
    if _empty(arr):
        return tensor
    _fill(arr, fname, "uniform", minval, maxval, generator)
    return tensor


@_elementwise
def keras_truncated_normal_(tensor, mean=0.0, stddev=0.05, generator=None):
    r"""Keras's ``TruncatedNormal(mean, stddev)``: N(mean, stddev²) restricted to mean ± 2·stddev.

    Values farther than two standard deviations from the mean are redrawn in
    Keras; here the truncated CDF is inverted exactly (the same distribution).
    ``stddev`` is the std before truncation (no correction, as Keras).

    Args:
        tensor: a writable float array
        mean: the mean (default 0.0)
        stddev: the standard deviation of the untruncated normal (default 0.05)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.keras.truncated_normal_(np.empty((8, 4)), generator=0)
        >>> bool((np.abs(w) <= 0.1).all())
        True
    """
    fname = "truncated_normal_"
    mean = _finite(mean, fname, "mean")
    stddev = _positive(stddev, fname, "stddev")
    arr = _core._check(tensor, fname)
    a, b = mean - 2 * stddev, mean + 2 * stddev
    _check_fill(arr, fname, "uniform", a, b)
    if _empty(arr):
        return tensor
    _core_fill(arr, fname, _KIND["trunc_normal"], mean, stddev, a, b, generator)
    return tensor


def keras_orthogonal_(tensor, gain=1.0, generator=None):
    r"""Keras's ``Orthogonal(gain)``: Haar (semi-)orthogonal ``(prod(shape[:-1]), shape[-1])``, times gain.

    The same as ``wcinit.jax.orthogonal_(tensor, scale=gain, column_axis=-1)``
    (keras/src/initializers/random_initializers.py ``Orthogonal``; Saxe et al. 2013).
    Keras's LSTM/GRU/SimpleRNN default for the recurrent kernel.

    Args:
        tensor: a writable float array with at least 2 dimensions
        gain: the multiplicative factor (default 1.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.keras.orthogonal_(np.empty((16, 64)), generator=0)   # LSTM (units, 4 units)
        >>> bool(np.allclose(w @ w.T, np.eye(16)))
        True
    """
    return orthogonal_columns_(tensor, gain, -1, generator)


def keras_stft_(tensor, side="real", window="hann", scaling="density", periodic=False):
    r"""Keras's ``STFT`` initializer: a Conv1D kernel ``(T, 1, F)`` of windowed Fourier bases.

    .. math::
        W[t, 0, k] = \frac{w[t]}{s}\,\begin{cases}\cos\\ \sin\end{cases}\!\left(-2\pi
        \frac{t\,k}{2(F - 1)}\right)

    (``side='real'``: cos, ``'imag'``: sin) with ``w`` the window
    (``scipy.signal.get_window(window, T, fftbins=periodic)``, or an array, or
    None) and ``s`` its L2 (``'density'``) or L1 (``'spectrum'``) norm, or 1
    (keras/src/initializers/constant_initializers.py ``STFT``).  Computed in
    float64 and rounded once.  Needs SciPy for named windows.

    Args:
        tensor: a writable 3-D float array ``(frame_length, channels, fft_length // 2 + 1)``
        side: ``'real'`` (default) or ``'imag'``
        window: a ``scipy.signal.windows`` name (default ``'hann'``), an array of
            ``frame_length`` values, or None
        scaling: ``'density'`` (default), ``'spectrum'`` or None
        periodic: whether the window is periodic (default False)

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.keras.stft_(np.empty((8, 1, 5)), window=None, scaling=None)
        >>> w[:, 0, 0]
        array([1., 1., 1., 1., 1., 1., 1., 1.])
    """
    fname = "stft_"
    if side not in ("real", "imag"):
        raise ValueError(f"{fname}: side should be 'real' or 'imag', not {side!r}")
    if scaling is not None and scaling not in ("density", "spectrum"):
        raise ValueError(f"{fname}: scaling must be None, 'density' or 'spectrum', got {scaling!r}")
    arr = _core._check(tensor, fname)
    if arr.ndim != 3:
        raise ValueError(f"{fname}: requires a 3D shape (frame_length, channels, fft_bins), "
                         f"got shape {arr.shape}")
    kernel = _stft_kernel(arr.shape, side, window, scaling, periodic, fname)
    arr[...] = kernel
    return tensor


def _stft_kernel(shape, side, window, scaling, periodic, fname="stft_"):
    frame_length, _, fft_length = shape
    win = None
    s = 1.0
    if window is not None:
        if isinstance(window, str):
            import scipy.signal
            win = np.asarray(scipy.signal.get_window(window, frame_length, periodic), np.float64)
        else:
            win = np.asarray(window, np.float64)
        if win.shape != (frame_length,):
            raise ValueError(f"{fname}: the window must have shape ({frame_length},), "
                             f"got {win.shape}")
        if scaling == "density":
            s = math.sqrt(float(np.sum(win * win)))
        elif scaling == "spectrum":
            s = float(np.sum(np.abs(win)))
    n_fft = (fft_length - 1) * 2
    t = np.arange(frame_length, dtype=np.float64).reshape(-1, 1, 1)
    k = np.arange(fft_length, dtype=np.float64).reshape(1, 1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        args = -2 * t * (k / n_fft) * math.pi if n_fft else np.zeros((frame_length, 1, fft_length))
    kern = np.cos(args) if side == "real" else np.sin(args)
    if win is not None:
        kern = kern * win.reshape(-1, 1, 1) / s
    return np.broadcast_to(kern, shape)


# ---- torch layer-default helpers (used by the presets) -----------------------------------

def _plan_fan_in_uniform(kwargs):
    fan_in = _int(kwargs["fan_in"], "fan_in_uniform_", "fan_in")
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0  # as fan_in_uniform_
    return "uniform", {"a": -bound, "b": bound}


def _plan_embedding_normal(kwargs):
    if kwargs.get("padding_idx") is not None:
        return None  # the zero row: not element-wise
    return "normal", {"mean": 0.0, "std": 1.0}


def fan_in_uniform_(tensor, fan_in, generator=None):
    r"""Fill with :math:`\mathcal{U}(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})`, torch's bias default.

    torch's ``Linear`` / ``Conv*`` ``reset_parameters`` fill the bias with this
    bound, ``fan_in`` being the fan_in of the layer's *weight*
    (``_calculate_fan_in_and_fan_out(weight)[0]``; bound 0 if fan_in is 0);
    ``RNN``/``LSTM``/``GRU`` fill every parameter with it, ``fan_in`` being the
    hidden size.

    Args:
        tensor: a writable float array
        fan_in: the fan of the bound (an int >= 0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> b = wcinit.presets.fan_in_uniform_(np.empty(64), fan_in=128, generator=0)
        >>> bool(np.abs(b).max() <= 1 / np.sqrt(128))
        True
    """
    fname = "fan_in_uniform_"
    fan_in = _int(fan_in, fname, "fan_in")
    if fan_in < 0:
        raise ValueError(f"{fname}: fan_in must be >= 0, got {fan_in}")
    from ._api import uniform_
    arr = _core._check(tensor, fname)
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    if arr.size == 0:
        return tensor
    uniform_(arr, -bound, bound, generator=generator)
    return tensor


def embedding_normal_(tensor, padding_idx=None, generator=None):
    r"""torch's ``Embedding`` default: :math:`\mathcal{N}(0, 1)`, the ``padding_idx`` row zero.

    (torch/nn/modules/sparse.py ``Embedding.reset_parameters``: ``normal_`` then
    ``_fill_padding_idx_with_zero``.)  A negative ``padding_idx`` counts from the end.

    Args:
        tensor: a writable 2-D float array ``(num_embeddings, embedding_dim)``
        padding_idx: the row to zero, or None (default)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> e = wcinit.presets.embedding_normal_(np.empty((10, 4)), padding_idx=0, generator=0)
        >>> float(np.abs(e[0]).max())
        0.0
    """
    fname = "embedding_normal_"
    from ._api import normal_
    arr = _core._check(tensor, fname)
    if padding_idx is not None:
        padding_idx = _int(padding_idx, fname, "padding_idx")
        n = arr.shape[0] if arr.ndim else 0
        if not -n <= padding_idx < n:
            raise ValueError(f"{fname}: padding_idx must be within num_embeddings ({n}), "
                             f"got {padding_idx}")
    if arr.size == 0:
        return tensor
    normal_(arr, 0.0, 1.0, generator=generator)
    if padding_idx is not None:
        arr[padding_idx] = 0
    return tensor


# ---- what each promises (used by wcinit.expected) ------------------------------------------

def _vs_expect(name, shape, scale, mode, dist, fans, layout):
    family, p0, p1 = variance_scaling_params(scale, mode, dist, fans[0], fans[1], name)
    extra = dict(scale=scale, mode=mode, distribution=dist)
    if family == "uniform":
        return uniform_expectation(name, p0, p1, fans, layout, **extra)
    if family == "normal":
        return normal_expectation(name, 0.0, p1, fans, layout, **extra)
    return trunc_expectation(name, 0.0, p1, -2 * p1, 2 * p1, fans, layout, **extra)


def _spec_vs(shape, dtype, k):
    fans = compute_fans(shape, k["in_axis"], k["out_axis"], k["batch_axis"], "variance_scaling_")
    return _vs_expect("variance_scaling_", shape, check_scale(k["scale"], "variance_scaling_"),
                      k["mode"], k["distribution"], fans, "jax")


def _spec_named(fn):
    scale, mode, dist = fn.vs_spec

    def spec(shape, dtype, k):
        fans = compute_fans(shape, k["in_axis"], k["out_axis"], k["batch_axis"], fn.__name__)
        return _vs_expect(fn.__name__, shape, scale, mode, dist, fans, "jax")
    return spec


def _keras_expect(name, shape, scale, mode, dist, k):
    dist = dist.lower()
    dist = "truncated_normal" if dist == "normal" else dist
    fans = keras_fans(shape, k.get("input_axes"), k.get("output_axes"))
    family, p0, p1 = _keras_params(scale, mode, dist, *fans)
    extra = dict(scale=scale, mode=mode, distribution=dist)
    if family == "uniform":
        return uniform_expectation(name, p0, p1, fans, "keras", **extra)
    if family == "normal":
        return normal_expectation(name, 0.0, p1, fans, "keras", **extra)
    return trunc_expectation(name, 0.0, p1, -2 * p1, 2 * p1, fans, "keras", **extra)


def _spec_keras_named(fn):
    scale, mode, dist = fn.keras_spec
    return lambda shape, dtype, k: _keras_expect(fn.__name__, shape, scale, mode, dist, k)


def _spec_orth_cols(shape, dtype, k):
    ca = _column_axis(shape, k["column_axis"], "orthogonal_")
    cols = shape[ca]
    rows = math.prod(shape) // cols if cols else 0
    return orthogonal_expectation("orthogonal_", rows, cols, k["scale"], layout="jax",
                                  column_axis=k["column_axis"])


def _spec_delta(shape, dtype, k):
    nd = len(shape)
    ia, oa = k["in_axis"] % nd, k["out_axis"] % nd
    n_in, n_out = shape[ia], shape[oa]
    gain = float(k["gain"])
    size = math.prod(shape)
    rms = abs(gain) * math.sqrt(n_in / size) if size else 0.0
    return Expectation("delta_orthogonal_", "delta_orthogonal", 0.0, rms, -abs(gain), abs(gain),
                       None, None, dict(gain=gain, rows=n_in, cols=n_out,
                                        centre=tuple((s - 1) // 2 for i, s in enumerate(shape)
                                                     if i not in (ia, oa))), "jax")


def _spec_deterministic(name, family, make):
    def spec(shape, dtype, k):
        v = np.asarray(make(shape, k), np.float64)
        if v.size == 0:
            return Expectation(name, family, 0.0, 0.0, 0.0, 0.0, None, None, dict(k), None)
        return Expectation(name, family, float(v.mean()), float(v.std()), float(v.min()),
                           float(v.max()), None, None, dict(k), None)
    return spec


def _make_lstm_bias(shape, k):
    v = np.zeros(shape)
    h = shape[0] // 4
    v[h:2 * h] = float(k["forget_bias"])
    return v


def _mx_xavier_expect(name, shape, rnd_type, factor_type, magnitude):
    fi, fo = torch_fans(shape)
    c = _mxnet_xavier_scale(factor_type, float(magnitude), fi, fo)
    extra = dict(rnd_type=rnd_type, factor_type=factor_type, magnitude=float(magnitude))
    if rnd_type == "uniform":
        return uniform_expectation(name, -c, c, (fi, fo), "mxnet", **extra)
    return normal_expectation(name, 0.0, c, (fi, fo), "mxnet", **extra)


def _spec_embedding(shape, dtype, k):
    n = shape[0] if shape else 0
    std = 1.0 if k["padding_idx"] is None or n == 0 else math.sqrt((n - 1) / n)
    e = normal_expectation("embedding_normal_", 0.0, 1.0, layout="torch",
                           padding_idx=k["padding_idx"])
    return Expectation(e.name, e.family, 0.0, std, e.low, e.high, None, None, e.params, "torch")


def _spec_fan_in_uniform(shape, dtype, k):
    if k["fan_in"] is None:
        raise ValueError("expected(fan_in_uniform_): give fan_in (the fan_in of the layer's "
                         "weight, or the RNN's hidden size)")
    f = int(k["fan_in"])
    bound = 1 / math.sqrt(f) if f > 0 else 0.0
    return uniform_expectation("fan_in_uniform_", -bound, bound, (f, None), "torch", fan=f)


def _register():
    register_spec(variance_scaling_, _spec_vs)
    for fn in (lecun_uniform_, lecun_normal_, glorot_uniform_, glorot_normal_, he_uniform_,
               he_normal_):
        register_spec(fn, _spec_named(fn))
    for fn in (keras_lecun_uniform_, keras_lecun_normal_, keras_glorot_uniform_,
               keras_glorot_normal_, keras_he_uniform_, keras_he_normal_):
        register_spec(fn, _spec_keras_named(fn))
    register_spec(keras_variance_scaling_, lambda s, d, k: _keras_expect(
        "variance_scaling_", s, check_scale(k["scale"], "variance_scaling_"), k["mode"],
        k["distribution"], k))
    register_spec(truncated_normal_, lambda s, d, k: trunc_expectation(
        "truncated_normal_", 0.0, float(k["stddev"]), k["lower"] * k["stddev"],
        k["upper"] * k["stddev"], layout=None))
    register_spec(keras_truncated_normal_, lambda s, d, k: trunc_expectation(
        "truncated_normal_", float(k["mean"]), float(k["stddev"]),
        k["mean"] - 2 * k["stddev"], k["mean"] + 2 * k["stddev"]))
    register_spec(keras_random_normal_, lambda s, d, k: normal_expectation(
        "random_normal_", float(k["mean"]), float(k["stddev"])))
    register_spec(keras_random_uniform_, lambda s, d, k: uniform_expectation(
        "random_uniform_", float(k["minval"]), float(k["maxval"])))
    register_spec(jax_uniform_, lambda s, d, k: uniform_expectation(
        "uniform_", min(0.0, float(k["scale"])), max(0.0, float(k["scale"]))))
    register_spec(jax_normal_, lambda s, d, k: normal_expectation(
        "normal_", 0.0, float(k["stddev"])))
    register_spec(mxnet_uniform_, lambda s, d, k: uniform_expectation(
        "uniform_", -float(k["scale"]), float(k["scale"]), layout="mxnet"))
    register_spec(mxnet_normal_, lambda s, d, k: normal_expectation(
        "normal_", 0.0, float(k["sigma"]), layout="mxnet"))
    register_spec(mxnet_xavier_, lambda s, d, k: _mx_xavier_expect(
        "xavier_", s, k["rnd_type"], k["factor_type"], k["magnitude"]))
    register_spec(mxnet_msra_prelu_, lambda s, d, k: _mx_xavier_expect(
        "msra_prelu_", s, "gaussian", k["factor_type"], 2.0 / (1 + float(k["slope"]) ** 2)))
    register_spec(mxnet_orthogonal_, lambda s, d, k: orthogonal_expectation(
        "orthogonal_", s[0], math.prod(s) // s[0] if s and s[0] else 0, k["scale"],
        layout="mxnet", rand_type=k["rand_type"]))
    register_spec(mxnet_constant_, lambda s, d, k: constant_expectation("constant_", k["value"]))
    register_spec(orthogonal_columns_, _spec_orth_cols)
    register_spec(keras_orthogonal_, lambda s, d, k: _spec_orth_cols(
        s, d, dict(scale=k["gain"], column_axis=-1)))
    register_spec(delta_orthogonal_, _spec_delta)
    register_spec(identity_, lambda s, d, k: ones_count_expectation(
        "identity_", "identity", min(s), math.prod(s), float(k["gain"]), gain=float(k["gain"])))
    register_spec(bilinear_, _spec_deterministic("bilinear_", "bilinear",
                                                 lambda s, k: _bilinear_kernel(s)))
    register_spec(lstm_bias_, _spec_deterministic("lstm_bias_", "lstm_bias", _make_lstm_bias))
    register_spec(keras_stft_, _spec_deterministic(
        "stft_", "stft", lambda s, k: _stft_kernel(s, k["side"], k["window"], k["scaling"],
                                                   k["periodic"])))
    register_spec(fan_in_uniform_, _spec_fan_in_uniform)
    register_spec(embedding_normal_, _spec_embedding)


_register()


# plans by formula (see _plan.init_plan): the torch-named fill each one makes
fan_in_uniform_._wcinit_plan_as = _plan_fan_in_uniform
embedding_normal_._wcinit_plan_as = _plan_embedding_normal

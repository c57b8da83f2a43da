"""The one rule layer: fans for any kernel layout, the variance-scaling rule,
and what every initializer promises (:func:`expected`).

Every named initializer in wcinit -- torch's, JAX's, Keras's, MXNet's -- is a
spec over three things kept here:

* a fan computation that knows the layout: :func:`torch_fans` (torch and MXNet,
  ``[out, in, *kernel]``), :func:`compute_fans` (JAX/Flax/Keras,
  ``in_axis``/``out_axis``/``batch_axis``, every other axis the receptive
  field) and :func:`keras_fans` (Keras's own ``input_axes``/``output_axes``);
* a scale rule: :func:`variance_scaling_params` (JAX's ``variance_scaling``:
  ``scale / n`` with ``n`` the fan_in, fan_out, their mean or geometric mean);
* a distribution: uniform, normal or truncated normal, filled by the C core.

:func:`expected` tells, for any wcinit initializer (or ``functools.partial`` of
one, or a preset rule), the distribution it promises on a shape.
"""
import dataclasses
import functools
import inspect
import math
import numbers

import numpy as np

__all__ = [
    "compute_fans", "torch_fans", "keras_fans", "variance_scaling_params",
    "truncated_normal_moments", "TRUNCATED_NORMAL_2_STD", "Expectation", "expected",
    "register_spec", "VARIANCE_SCALING_SPECS",
]

# Standard deviation of N(0, 1) truncated to [-2, 2]:
#   Var = 1 - 2*2*phi(2) / (Phi(2) - Phi(-2)),  phi(2) = exp(-2)/sqrt(2*pi),
#   Phi(2) - Phi(-2) = erf(sqrt(2)),
# so sqrt(1 - 4*exp(-2)/(sqrt(2*pi)*erf(sqrt(2)))) = 0.87962566103423978...
# The literal is the one jax/_src/nn/initializers.py and
# keras/src/initializers/random_initializers.py divide by, so std/limit round
# identically; tests/test_frameworks.py derives it (math and scipy.stats.truncnorm).
TRUNCATED_NORMAL_2_STD = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")

# JAX's named initializers, each one line over variance scaling:
# name -> (scale, mode, distribution)   (jax/_src/nn/initializers.py)
VARIANCE_SCALING_SPECS = {
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
}


# ---- fans ------------------------------------------------------------------

def torch_fans(shape):
    """torch's ``_calculate_fan_in_and_fan_out`` for a shape ``[out, in, *kernel]``.

    ``fan_in = shape[1] * prod(shape[2:])``, ``fan_out = shape[0] * prod(shape[2:])``
    (MXNet's Xavier uses the same layout).  Returns two ints; raises
    ``ValueError`` (torch's message) for fewer than 2 dimensions.

    Examples:
        >>> from wcinit._rules import torch_fans
        >>> torch_fans((128, 64, 3, 3))
        (576, 1152)
    """
    from . import _core
    return _core._fans(tuple(int(s) for s in shape))


def _axes(shape, axis, fname, argname):
    """Normalize an int or a sequence of ints to a tuple of non-negative axes."""
    nd = len(shape)
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        axis = (int(axis),)
    else:
        try:
            axis = tuple(axis)
        except TypeError:
            raise TypeError(f"{fname}: {argname} must be an int or a sequence of ints, "
                            f"got {type(axis).__name__}") from None
        for a in axis:
            if not isinstance(a, numbers.Integral) or isinstance(a, bool):
                raise TypeError(f"{fname}: {argname} must be an int or a sequence of ints, "
                                f"got {axis!r}")
    out = []
    for a in axis:
        if not -nd <= a < nd:
            raise ValueError(f"{fname}: {argname}={a} is out of range for a "
                             f"{nd}-dimensional array of shape {tuple(shape)}")
        out.append(int(a) % nd)
    return tuple(out)


def compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=(), fname="compute_fans"):
    """Fans of a kernel in any layout, with JAX's semantics (``jax.nn.initializers._compute_fans``).

    ``in_axis`` / ``out_axis`` / ``batch_axis`` (an int or a sequence of ints)
    name the input, output and batch dimensions; every other axis is the
    receptive field:

    .. math::
        \\text{rf} = \\frac{\\prod \\text{shape}}{n_\\text{in}\\, n_\\text{out}\\, n_\\text{batch}},\\quad
        \\text{fan\\_in} = n_\\text{in}\\,\\text{rf},\\quad \\text{fan\\_out} = n_\\text{out}\\,\\text{rf}

    The defaults are the JAX/Flax/Keras layout ``(*kernel, in, out)``: a Dense
    kernel ``(in, out)``, an HWIO conv kernel.  As in JAX, axes may overlap
    (Flax's ``Embed`` uses ``in_axis=-2, out_axis=0`` on ``(vocab, features)``,
    so fan_in = features).  Returns two floats (JAX's are floats too).

    Examples:
        >>> from wcinit._rules import compute_fans
        >>> compute_fans((3, 3, 64, 128))          # HWIO
        (576.0, 1152.0)
        >>> compute_fans((128, 64, 3, 3), in_axis=1, out_axis=0)   # OIHW
        (576.0, 1152.0)
    """
    shape = tuple(int(s) for s in shape)
    if isinstance(in_axis, numbers.Integral) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(
            f"{fname}: can't compute input and output sizes of a {len(shape)}-dimensional "
            "weights array with the default in_axis; it must be at least 2-D, or name "
            "in_axis explicitly")
    ia = _axes(shape, in_axis, fname, "in_axis")
    oa = _axes(shape, out_axis, fname, "out_axis")
    ba = _axes(shape, batch_axis, fname, "batch_axis")
    n_in = math.prod(shape[a] for a in ia)
    n_out = math.prod(shape[a] for a in oa)
    n_batch = math.prod(shape[a] for a in ba)
    total = math.prod(shape)
    # fan_in = n_in * total / n_in / n_out / n_batch, written with one division
    # (exact for ints below 2**53; JAX's three divisions agree to rounding)
    fan_in = total / (n_out * n_batch) if n_out * n_batch else 0.0
    fan_out = total / (n_in * n_batch) if n_in * n_batch else 0.0
    return float(fan_in), float(fan_out)


def keras_fans(shape, input_axes=None, output_axes=None):
    """Keras 3's ``compute_fans`` (keras/src/initializers/random_initializers.py).

    With ``input_axes`` and ``output_axes`` both given, the fans are the
    products of those axes alone (no receptive field).  Otherwise: a scalar has
    fans (1, 1), a vector (n, n), a matrix ``(in, out)``, and a kernel
    ``(*kernel, in, out)`` multiplies both by the receptive field.  Returns two ints.

    Examples:
        >>> from wcinit._rules import keras_fans
        >>> keras_fans((3, 3, 64, 128)), keras_fans((10,))
        ((576, 1152), (10, 10))
    """
    shape = tuple(int(s) for s in shape)
    if input_axes is not None and output_axes is not None:
        ia = _axes(shape, input_axes, "keras_fans", "input_axes")
        oa = _axes(shape, output_axes, "keras_fans", "output_axes")
        return math.prod(shape[a] for a in ia), math.prod(shape[a] for a in oa)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    rf = math.prod(shape[:-2])
    return shape[-2] * rf, shape[-1] * rf


# ---- the scale rule --------------------------------------------------------

def check_mode(mode, fname, modes=_MODES):
    if mode not in modes:
        raise ValueError(f"{fname}: mode must be one of {', '.join(map(repr, modes))}, "
                         f"got {mode!r}")


def check_distribution(distribution, fname, distributions=_DISTRIBUTIONS):
    if distribution not in distributions:
        raise ValueError(f"{fname}: distribution must be one of "
                         f"{', '.join(map(repr, distributions))}, got {distribution!r}")


def variance_scaling_params(scale, mode, distribution, fan_in, fan_out, fname="variance_scaling_"):
    """The distribution JAX's ``variance_scaling`` draws from, in float64.

    ``variance = scale / n`` with ``n`` = fan_in, fan_out, (fan_in + fan_out)/2
    or sqrt(fan_in * fan_out) for mode ``fan_in``, ``fan_out``, ``fan_avg``,
    ``fan_geo_avg``.  Returns ``(family, p0, p1)``:

    * ``('uniform', -limit, limit)`` with ``limit = sqrt(3 * variance)``;
    * ``('normal', 0, std)`` with ``std = sqrt(variance)`` (``normal`` and
      Keras's ``untruncated_normal``);
    * ``('trunc_normal', 0, s)``: N(0, s^2) truncated to [-2s, 2s] with
      ``s = sqrt(variance) / 0.87962566103423978``, so the std after
      truncation is ``sqrt(variance)``.

    Examples:
        >>> from wcinit._rules import variance_scaling_params
        >>> variance_scaling_params(2.0, "fan_in", "normal", 576, 1152)
        ('normal', 0.0, 0.05892556509887896)
    """
    check_mode(mode, fname)
    check_distribution(distribution, fname)
    if mode == "fan_in":
        denominator = fan_in
    elif mode == "fan_out":
        denominator = fan_out
    elif mode == "fan_avg":
        denominator = (fan_in + fan_out) / 2
    else:
        denominator = (fan_in * fan_out) ** 0.5
    if not denominator > 0:
        raise ValueError(f"{fname}: the {mode} of this shape is {denominator}; it must be positive")
    variance = scale / denominator
    if distribution == "uniform":
        limit = math.sqrt(3 * variance)
        return "uniform", -limit, limit
    if distribution == "truncated_normal":
        return "trunc_normal", 0.0, math.sqrt(variance) / TRUNCATED_NORMAL_2_STD
    return "normal", 0.0, math.sqrt(variance)


def check_scale(scale, fname, name="scale"):
    """A positive finite float (JAX's and Keras's variance scaling require scale > 0)."""
    if not isinstance(scale, numbers.Real) or isinstance(scale, (bool, np.bool_)):
        raise TypeError(f"{fname}(): argument '{name}' must be float, not {type(scale).__name__}")
    scale = float(scale)
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"{fname}: {name} must be a positive finite float, got {scale}")
    return scale


# ---- truncated normal moments ------------------------------------------------

def _phi(x):
    return 0.0 if math.isinf(x) else math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _mass(alpha, beta):
    """Phi(beta) - Phi(alpha), accurately in either tail."""
    if alpha >= 0:
        return 0.5 * (math.erfc(alpha / math.sqrt(2)) - math.erfc(beta / math.sqrt(2)))
    if beta <= 0:
        return 0.5 * (math.erfc(-beta / math.sqrt(2)) - math.erfc(-alpha / math.sqrt(2)))
    return 1.0 - 0.5 * (math.erfc(-alpha / math.sqrt(2)) + math.erfc(beta / math.sqrt(2)))


def truncated_normal_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) truncated to [a, b].

    With alpha = (a - mean)/std, beta = (b - mean)/std, Z = Phi(beta) - Phi(alpha):
    mean + std (phi(alpha) - phi(beta))/Z and
    std^2 [1 + (alpha phi(alpha) - beta phi(beta))/Z - ((phi(alpha) - phi(beta))/Z)^2].

    Examples:
        >>> from wcinit._rules import truncated_normal_moments
        >>> m, s = truncated_normal_moments(0.0, 1.0, -2.0, 2.0)
        >>> round(s, 14)
        0.87962566103424
    """
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _mass(alpha, beta)
    pa, pb = _phi(alpha), _phi(beta)
    ta = 0.0 if math.isinf(alpha) else alpha * pa
    tb = 0.0 if math.isinf(beta) else beta * pb
    d = (pa - pb) / z
    var = 1.0 + (ta - tb) / z - d * d
    return mean + std * d, std * math.sqrt(max(var, 0.0))


# ---- what an initializer promises --------------------------------------------

@dataclasses.dataclass(frozen=True)
class Expectation:
    """The distribution an initializer promises on one shape.

    Attributes:
        name: the initializer's name (e.g. ``'kaiming_uniform_'``, ``'he_normal_'``)
        family: ``'uniform'``, ``'normal'``, ``'trunc_normal'``, ``'orthogonal'``,
            ``'constant'``, ``'sparse'``, ``'eye'``, ``'dirac'``,
            ``'delta_orthogonal'``, ``'identity'``, ``'bilinear'``, ``'lstm_bias'``,
            ``'stft'`` or ``'embedding_normal'``
        mean, std: the mean and standard deviation of the array's values (for
            deterministic and structured families, of the values the array will
            hold; for ``orthogonal`` std is the root mean square gain/sqrt(max(r, c)))
        low, high: the closed interval every value lies in (``-inf``/``inf`` for
            the normal)
        fan_in, fan_out: the fans the rule used (``None`` where it uses none)
        params: the distribution's own parameters (``a``/``b`` for uniform,
            ``mean``/``std`` for normal, ``mean``/``std``/``a``/``b`` of the
            untruncated normal for trunc_normal, ``gain``/``rows``/``cols`` for
            orthogonal, ...)
        layout: ``'torch'`` (``[out, in, *k]``), ``'jax'`` (axes named by
            in_axis/out_axis), ``'keras'``, ``'mxnet'`` or ``None``
    """
    name: str
    family: str
    mean: float
    std: float
    low: float
    high: float
    fan_in: object = None
    fan_out: object = None
    params: dict = dataclasses.field(default_factory=dict)
    layout: object = None


_SPECS = {}          # function -> spec(shape, dtype, kwargs) -> Expectation
_TORCH_LOADED = []


def register_spec(func, spec):
    """Register ``spec(shape, dtype, kwargs) -> Expectation`` for ``func``.

    ``kwargs`` are ``func``'s bound arguments with defaults applied, without
    the array and the generator."""
    _SPECS[func] = spec
    return func


def uniform_expectation(name, a, b, fans=(None, None), layout=None, **params):
    return Expectation(name, "uniform", (a + b) / 2, (b - a) / math.sqrt(12), a, b,
                       fans[0], fans[1], dict(a=a, b=b, **params), layout)


def normal_expectation(name, mean, std, fans=(None, None), layout=None, **params):
    return Expectation(name, "normal", mean, std, -math.inf, math.inf, fans[0], fans[1],
                       dict(mean=mean, std=std, **params), layout)


def trunc_expectation(name, mean, std, a, b, fans=(None, None), layout=None, **params):
    m, s = truncated_normal_moments(mean, std, a, b)
    return Expectation(name, "trunc_normal", m, s, a, b, fans[0], fans[1],
                       dict(mean=mean, std=std, a=a, b=b, **params), layout)


def constant_expectation(name, val, layout=None, **params):
    val = float(val)
    return Expectation(name, "constant", val, 0.0, val, val, None, None,
                       dict(val=val, **params), layout)


def ones_count_expectation(name, family, ones, size, value=1.0, layout=None, **params):
    """An array of ``size`` values, ``ones`` of them equal to ``value`` and the rest 0."""
    p = ones / size if size else 0.0
    mean = value * p
    std = abs(value) * math.sqrt(max(p - p * p, 0.0))
    lo, hi = (min(0.0, value), max(0.0, value)) if 0 < ones < size else (
        (value, value) if ones == size and size else (0.0, 0.0))
    return Expectation(name, family, mean, std, lo, hi, None, None,
                       dict(ones=ones, value=value, **params), layout)


def orthogonal_expectation(name, rows, cols, gain, family="orthogonal", layout=None, **params):
    gain = float(gain)
    std = abs(gain) / math.sqrt(max(rows, cols)) if rows and cols else 0.0
    return Expectation(name, family, 0.0, std, -abs(gain), abs(gain), None, None,
                       dict(gain=gain, rows=rows, cols=cols, **params), layout)


def _load_torch_specs():
    """The torch names' promises, registered on first use (``_api`` may import
    this module, so it is not imported at module level)."""
    if _TORCH_LOADED:
        return
    _TORCH_LOADED.append(True)
    from . import _api, _core

    def fans_or_none(shape):
        return torch_fans(shape) if len(shape) >= 2 else (None, None)

    def s_uniform(shape, dtype, k):
        return uniform_expectation("uniform_", float(k["a"]), float(k["b"]), layout="torch")

    def s_normal(shape, dtype, k):
        return normal_expectation("normal_", float(k["mean"]), float(k["std"]), layout="torch")

    def s_trunc(shape, dtype, k):
        return trunc_expectation("trunc_normal_", float(k["mean"]), float(k["std"]),
                                 float(k["a"]), float(k["b"]), layout="torch")

    def s_constant(shape, dtype, k):
        return constant_expectation("constant_", k["val"], layout="torch")

    def s_eye(shape, dtype, k):
        if len(shape) != 2:
            raise ValueError("expected(eye_): only shapes with 2 dimensions are supported")
        return ones_count_expectation("eye_", "eye", min(shape), math.prod(shape), layout="torch")

    def s_dirac(shape, dtype, k):
        if len(shape) not in (3, 4, 5):
            raise ValueError("expected(dirac_): only shapes with 3, 4, or 5 dimensions "
                             "are supported")
        g = int(k["groups"])
        if g <= 0 or shape[0] % g:
            raise ValueError(f"expected(dirac_): dim 0 must be divisible by groups={g}")
        ones = g * min(shape[0] // g, shape[1])
        return ones_count_expectation("dirac_", "dirac", ones, math.prod(shape), layout="torch",
                                      groups=g)

    def s_xavier(name, normal):
        def spec(shape, dtype, k):
            fi, fo = torch_fans(shape)
            std = _core._std("xavier", float(k["gain"]), fi, fo)
            if normal:
                return normal_expectation(name, 0.0, std, (fi, fo), "torch", gain=float(k["gain"]))
            bound = _core._bound(std)
            return uniform_expectation(name, -bound, bound, (fi, fo), "torch",
                                       gain=float(k["gain"]))
        return spec

    def s_kaiming(name, normal):
        def spec(shape, dtype, k):
            mode = k["mode"]
            if mode not in ("fan_in", "fan_out"):
                raise ValueError(f"Mode {mode} not supported, please use one of "
                                 "['fan_in', 'fan_out']")
            fi, fo = torch_fans(shape)
            gain = _api.calculate_gain(k["nonlinearity"], k["a"])
            std = _core._std("kaiming", gain, fi if mode == "fan_in" else fo)
            extra = dict(gain=gain, negative_slope=k["a"], mode=mode,
                         nonlinearity=k["nonlinearity"])
            if normal:
                return normal_expectation(name, 0.0, std, (fi, fo), "torch", **extra)
            bound = _core._bound(std)
            return uniform_expectation(name, -bound, bound, (fi, fo), "torch", **extra)
        return spec

    def s_orthogonal(shape, dtype, k):
        if len(shape) < 2:
            raise ValueError("expected(orthogonal_): only shapes with 2 or more dimensions "
                             "are supported")
        rows = shape[0]
        cols = math.prod(shape) // rows if rows else 0
        return orthogonal_expectation("orthogonal_", rows, cols, k["gain"], layout="torch")

    def s_sparse(shape, dtype, k):
        if len(shape) != 2:
            raise ValueError("expected(sparse_): only shapes with 2 dimensions are supported")
        rows = shape[0]
        nz = math.ceil(float(k["sparsity"]) * rows)
        std = float(k["std"])
        keep = (rows - nz) / rows if rows else 0.0
        return Expectation("sparse_", "sparse", 0.0, std * math.sqrt(keep), -math.inf, math.inf,
                           None, None, dict(std=std, sparsity=float(k["sparsity"]),
                                            zeros_per_column=nz), "torch")

    table = {
        "uniform_": s_uniform, "normal_": s_normal, "trunc_normal_": s_trunc,
        "constant_": s_constant,
        "ones_": lambda s, d, k: constant_expectation("ones_", 1.0, layout="torch"),
        "zeros_": lambda s, d, k: constant_expectation("zeros_", 0.0, layout="torch"),
        "eye_": s_eye, "dirac_": s_dirac,
        "xavier_uniform_": s_xavier("xavier_uniform_", False),
        "xavier_normal_": s_xavier("xavier_normal_", True),
        "kaiming_uniform_": s_kaiming("kaiming_uniform_", False),
        "kaiming_normal_": s_kaiming("kaiming_normal_", True),
        "orthogonal_": s_orthogonal, "sparse_": s_sparse,
    }
    for name, spec in table.items():
        fn = getattr(_api, name)
        register_spec(fn, spec)
        old = getattr(_api, name[:-1], None)   # torch's deprecated alias (uniform, normal, ...)
        if old is not None and old is not fn:
            register_spec(old, _alias_spec(fn, spec))


def _alias_spec(fn, spec):
    """A deprecated alias takes fn's arguments: bind them against fn."""
    def aliased(shape, dtype, kwargs):
        return spec(shape, dtype, kwargs)
    aliased.signature_of = fn
    return aliased


def _bound_kwargs(func, args, kwargs, signature_of=None):
    sig = inspect.signature(signature_of or func)
    params = list(sig.parameters)
    try:
        ba = sig.bind(None, *args, **kwargs)   # the array is the first parameter
    except TypeError as e:
        raise TypeError(f"expected: the arguments do not fit {getattr(func, '__name__', func)}: "
                        f"{e}") from None
    ba.apply_defaults()
    out = dict(ba.arguments)
    out.pop(params[0], None)
    out.pop("generator", None)
    return out


def expected(initializer, shape, dtype=None, fan_in=None):
    """The distribution ``initializer`` promises on an array of ``shape``.

    Args:
        initializer: a wcinit initializer function (torch names such as
            ``kaiming_uniform_``, the JAX/Keras/MXNet names, the
            ``wcinit.jax``/``keras``/``mxnet`` aliases), a ``functools.partial``
            of one with its keyword (or positional, after the array) arguments,
            or a preset rule (:class:`wcinit.presets.Rule`)
        shape: the array's shape
        dtype: the array's dtype (optional; the promise is the same for every
            dtype up to the final rounding)
        fan_in: for rules that take their fan from elsewhere (torch's bias rule
            U(+-1/sqrt(fan_in)) of its weight's fan_in, or the hidden size of a
            torch RNN): that number

    Returns:
        an :class:`Expectation` (family, mean, std, low, high, fan_in, fan_out,
        params, layout)

    Raises:
        TypeError: for a callable wcinit does not know.

    Examples:
        >>> import functools, wcinit
        >>> relu = functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")
        >>> e = wcinit.expected(relu, (512, 784))
        >>> e.family, round(e.std, 6), e.fan_in
        ('normal', 0.050508, 784)
        >>> round(wcinit.expected(wcinit.he_normal_, (3, 3, 64, 128)).std, 6)
        0.058926
    """
    _load_torch_specs()
    from . import _frameworks  # noqa: F401  (registers the JAX/Keras/MXNet names)
    shape = tuple(int(s) for s in shape)
    describe = getattr(initializer, "expected", None)
    if describe is not None and callable(describe) and not isinstance(initializer, type):
        # a preset rule knows its own function, arguments and fan source
        return describe(shape, dtype=dtype, fan_in=fan_in)
    func, args, kwargs = initializer, (), {}
    while isinstance(func, functools.partial):
        args = func.args + args
        kwargs = {**func.keywords, **kwargs}
        func = func.func
    spec = _SPECS.get(func)
    if spec is None:
        raise TypeError(f"expected: {getattr(func, '__qualname__', func)!r} is not a wcinit "
                        "initializer (nor a functools.partial of one, nor a preset rule)")
    if args and _is_array_like(args[0]):
        args = args[1:]       # partial(f, array, ...): the shape given here wins
    bound = _bound_kwargs(func, args, kwargs, getattr(spec, "signature_of", None))
    if "fan_in" in bound and bound["fan_in"] is None:
        bound["fan_in"] = fan_in
    return spec(shape, None if dtype is None else np.dtype(dtype), bound)


def _is_array_like(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")

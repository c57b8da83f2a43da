"""The torch.nn.init API on NumPy arrays.

Every function has torch.nn.init's name, parameter names, order and defaults,
fills the array in place and returns it.  Where torch raises, the same
exception type is raised with torch's message, before anything is written.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable, Optional, ParamSpec, Sequence, Tuple, TypeVar, Union

import numpy as np

from . import _core, _dists
from ._core import Generator
from ._dists import as_float as _float
from ._typing import FanMode, GeneratorLike, HasShape, NonlinearityType, TensorT

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = [
    "calculate_gain", "calculate_fan_in_and_fan_out", "uniform_", "normal_", "trunc_normal_",
    "constant_", "ones_",
    "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_", "orthogonal_", "sparse_",
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
]

_UNIFORM, _NORMAL, _TRUNC = _dists.UNIFORM, _dists.NORMAL, _dists.TRUNC_NORMAL
# bound once: an attribute lookup and a tuple unpacking per call cost 0.15 us of 0.6
_check_uniform, _UNIFORM_CODE = _UNIFORM.check_args, _UNIFORM.code
_check_normal_args, _NORMAL_CODE = _NORMAL.check_args, _NORMAL.code
_check_trunc_args, _TRUNC_CODE = _TRUNC.check_args, _TRUNC.code
_ZERO_ELEMENT_WARNING = "Initializing zero-element tensors is a no-op"


def _warn_zero(stacklevel=3):
    warnings.warn(_ZERO_ELEMENT_WARNING, stacklevel=stacklevel)


def _generator(generator, fname):
    """Resolve generator= once (composite initializers use it twice)."""
    if generator is None or isinstance(generator, Generator):
        return generator
    from ._coerce import coerce_generator
    return coerce_generator(generator, fname)


# The 0.1 check of normal parameters, as a thin call of the table: _models.py still calls it.
def _check_normal(fname, mean, std):
    _NORMAL.check_args(np.dtype(np.float64), fname, mean, std)


def _fans(arr):
    return _core._fans(arr.shape)


def calculate_fan_in_and_fan_out(
        array_or_shape: Union[HasShape, Sequence[int]]) -> Tuple[int, int]:
    r"""Return ``(fan_in, fan_out)`` of a weight, in torch's layout.

    .. math::
        \text{fan\_in} = \text{size}(1) \prod_{d \ge 2} \text{size}(d), \qquad
        \text{fan\_out} = \text{size}(0) \prod_{d \ge 2} \text{size}(d)

    A Linear weight is ``[out, in]``, a convolution's ``[out, in / groups, *kernel]``
    (torch's convention; the fans the xavier/kaiming initializers use).

    Args:
        array_or_shape: an array (anything with a ``shape``: an ndarray, a torch
            tensor) or a shape (a sequence of non-negative ints), of 2 or more
            dimensions

    Raises:
        ValueError: fewer than 2 dimensions (torch's message)

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.calculate_fan_in_and_fan_out((64, 3, 3, 3))  # Conv2d(3, 64, 3)
        (27, 576)
        >>> wcinit.calculate_fan_in_and_fan_out(np.empty((512, 1024)))  # Linear(1024, 512)
        (1024, 512)
    """
    if isinstance(array_or_shape, np.ndarray):
        return _core._fans(array_or_shape.shape)
    shape: Any = getattr(array_or_shape, "shape", array_or_shape)
    fname = "calculate_fan_in_and_fan_out"
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"{fname}(): argument 'array_or_shape' must be an array or a shape (a "
                        f"sequence of ints), not {type(array_or_shape).__name__}") from None
    for d in dims:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (numbers.Integral, np.integer)):
            raise TypeError(f"{fname}(): a shape holds ints, got {d!r} in {shape!r}")
        if d < 0:
            raise ValueError(f"{fname}: a shape holds non-negative ints, got {d} in {shape!r}")
    return _core._fans(dims)


def _calculate_fan_in_and_fan_out(tensor: Union[HasShape, Sequence[int]]) -> Tuple[int, int]:
    """torch.nn.init's private name of :func:`calculate_fan_in_and_fan_out` (third-party
    code calls it)."""
    return calculate_fan_in_and_fan_out(tensor)


def _calculate_correct_fan(tensor: Union[HasShape, Sequence[int]], mode: FanMode) -> int:
    """The fan ``mode`` names (``'fan_in'`` or ``'fan_out'``, any case), as torch.nn.init's
    private function of that name: the same checks in the same order, the same errors."""
    mode = _fan_mode(mode)
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fan_mode(mode):
    """``mode`` lowered and checked, as torch's _calculate_correct_fan does it."""
    mode = mode.lower()  # as torch: a non-string raises its AttributeError
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    return mode


def calculate_gain(nonlinearity: NonlinearityType,
                   param: Optional[Union[int, float]] = None) -> float:
    r"""Return the recommended gain value for the given nonlinearity function.

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    Linear / Identity :math:`1`
    Conv{1,2,3}D      :math:`1`
    Sigmoid           :math:`1`
    Tanh              :math:`\frac{5}{3}`
    ReLU              :math:`\sqrt{2}`
    Leaky Relu        :math:`\sqrt{\frac{2}{1 + \text{negative\_slope}^2}}`
    SELU              :math:`\frac{3}{4}`
    ================= ====================================================

    The SELU value is torch's empirical choice (pytorch/pytorch#50664); for
    self-normalizing networks use ``nonlinearity='linear'`` (variance 1/N).

    Args:
        nonlinearity: the non-linear function (``nn.functional`` name)
        param: optional parameter for the non-linear function (leaky_relu's
            negative slope, default 0.01)

    Examples:
        >>> import wcinit
        >>> round(wcinit.calculate_gain("leaky_relu", 0.2), 6)
        1.38675
    """
    code = _core.NONLINEARITIES.get(nonlinearity) if isinstance(nonlinearity, str) else None
    if code is None:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    slope = 0.0
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
    return _core._gain(code, float(slope))


def uniform_(tensor: TensorT, a: float = 0.0, b: float = 1.0,
             generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values drawn from the uniform distribution :math:`\mathcal{U}(a, b)`.

    Every value lies in the closed interval [a, b] in every dtype: values are
    computed in float32 (float64 for float64 arrays), rounded once and clamped
    to [a, b] rounded inward to the dtype's values.  float16/bfloat16 values
    come from all 32 bits of the word, so no binade has a tie-to-even bias.

    Args:
        tensor: a writable n-dimensional float array (or a torch CPU tensor)
        a: the lower bound of the uniform distribution (default 0.0)
        b: the upper bound of the uniform distribution (default 1.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator,
            or None for the default generator

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.uniform_(np.empty((3, 5), np.float32), generator=0)
        >>> bool(((0.0 <= w) & (w <= 1.0)).all())
        True
    """
    arr = _core._check(tensor, "uniform_")
    p0, p1, p2, p3 = _check_uniform(arr.dtype, "uniform_", a, b)
    if arr.size == 0:
        _warn_zero()
        return tensor
    _core._fill(arr, "uniform_", _UNIFORM_CODE, p0, p1, p2, p3, generator)
    return tensor


def normal_(tensor: TensorT, mean: float = 0.0, std: float = 1.0, generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values drawn from the normal distribution :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    Values come from the Box-Muller transform of counter-based uniforms: the
    element at index i and its partner in the same 64-element (float32) or
    32-element (float64) tile share one radius and one angle, so every value
    depends only on the seed and its own index.

    Args:
        tensor: a writable n-dimensional float array (or a torch CPU tensor)
        mean: the mean of the normal distribution (default 0.0)
        std: the standard deviation of the normal distribution (default 1.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.normal_(np.empty((3, 5)), std=0.02, generator=1)
    """
    arr = _core._check(tensor, "normal_")
    p0, p1, p2, p3 = _check_normal_args(arr.dtype, "normal_", mean, std)
    if arr.size == 0:
        _warn_zero()
        return tensor
    _core._fill(arr, "normal_", _NORMAL_CODE, p0, p1, p2, p3, generator)
    return tensor


def trunc_normal_(tensor: TensorT, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values drawn from a truncated normal distribution.

    The values are effectively drawn from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`
    restricted to the absolute bounds :math:`[a, b]`, by exact inversion of the
    truncated CDF in one pass: :math:`x = \text{mean} + \text{std}\,\Phi^{-1}(\Phi(\alpha) + u\,(\Phi(\beta) - \Phi(\alpha)))`
    with :math:`\alpha = (a-\text{mean})/\text{std}`, :math:`\beta = (b-\text{mean})/\text{std}`,
    computed in float64 for every dtype (in log space for intervals deep in a
    tail; the inverse CDF is Wichura's AS 241, PPND16 for float64 arrays and
    PPND7, 1.2e-7 relative, for the float32 and narrower ones: a float32 value
    is within 1/2 ulp + 2 ulp(x - mean) of the exact one, 1.93 ulp measured at
    most, and not always correctly rounded).  Unlike torch <= 2.11 there is no pile-up at the bounds in float16 /
    bfloat16 and no outlier at tiny ``std``; every value lies in [a, b].

    Bounds beyond the dtype's range, infinite ones included, are allowed: the
    interval sampled is :math:`[a, b]` within the dtype's finite range
    (:math:`[-65504, 65504]` for float16), so every value is finite.  torch 2.13
    accepts such bounds on its inverse-CDF path (``a=-1e6`` in float16) but
    refuses them with ``uniform_``'s "from is out of bounds" where it samples by
    rejection (``a=7e4, b=8e4``); here an interval with no finite value of the
    dtype raises ``ValueError``.  ``a > b`` raises ``RuntimeError`` (torch's type)
    naming ``trunc_normal_``.

    Args:
        tensor: a writable n-dimensional float array (or a torch CPU tensor)
        mean: the mean of the normal distribution (default 0.0)
        std: the standard deviation of the normal distribution (default 1.0)
        a: the minimum cutoff value (default -2.0)
        b: the maximum cutoff value (default 2.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.trunc_normal_(np.empty((3, 5)), std=0.02, a=-0.04, b=0.04, generator=2)
        >>> bool((np.abs(w) <= 0.04).all())
        True
    """
    arr = _core._check(tensor, "trunc_normal_")
    p0, p1, p2, p3 = _check_trunc_args(arr.dtype, "trunc_normal_", mean, std, a, b)
    if arr.size == 0:
        _warn_zero()
        return tensor
    _core._fill(arr, "trunc_normal_", _TRUNC_CODE, p0, p1, p2, p3, generator)
    return tensor


def constant_(tensor: TensorT, val: float) -> TensorT:
    r"""Fill the array with the value :math:`\text{val}`.

    A finite value beyond the dtype's largest finite value raises torch's
    ``RuntimeError`` ("value cannot be converted to type c10::Half without
    overflow") before anything is written, as do ints outside torch's
    [-2**63, 2**64) (``OverflowError``); ``inf`` and ``nan`` are written as given.

    Args:
        tensor: a writable n-dimensional float array (or a torch CPU tensor)
        val: the value to fill the array with

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.constant_(np.empty((2, 2)), 0.3)
        array([[0.3, 0.3],
               [0.3, 0.3]])
        >>> wcinit.constant_(np.empty(2, np.float16), 65520.0)
        Traceback (most recent call last):
        ...
        RuntimeError: value cannot be converted to type c10::Half without overflow
    """
    if not isinstance(val, numbers.Number) or isinstance(val, complex):
        raise TypeError(f"constant_(): argument 'val' must be a number, not {type(val).__name__}")
    arr = _core._check(tensor, "constant_")
    if _check_fits(arr.dtype, val) >= 2**63:  # beyond int64, which ml_dtypes' fill refuses
        val = float(val)
    arr.fill(val)
    return tensor


def _check_fits(dtype, val):
    """torch's checked conversion of a fill value (c10's overflows<T>): a finite value
    beyond the dtype's largest finite value overflows; inf and nan pass.  An int is first
    read as torch reads it, as an int64 or a uint64."""
    if isinstance(val, numbers.Integral) and not isinstance(val, (bool, np.bool_)):
        x = int(val)
        if x >= 2**64:
            raise OverflowError("int too big to convert")
        if x < -2**63:
            raise OverflowError("can't convert negative int to unsigned")
    elif isinstance(val, numbers.Real) or not isinstance(val, numbers.Complex):
        x = float(val)
    else:  # a NumPy complex scalar: fill writes its real part, as torch's fill_ does
        x = float(val.real)
    fmax, tname = _dists.limits(dtype, "constant_")
    if (x > fmax or x < -fmax) and not (isinstance(x, float) and math.isinf(x)):
        raise RuntimeError(f"value cannot be converted to type {tname} without overflow")
    return x


def ones_(tensor: TensorT) -> TensorT:
    r"""Fill the array with the scalar value `1`.

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.ones_(np.empty(3))
        array([1., 1., 1.])
    """
    _core._check(tensor, "ones_").fill(1.0)
    return tensor


def zeros_(tensor: TensorT) -> TensorT:
    r"""Fill the array with the scalar value `0`.

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.zeros_(np.empty(3))
        array([0., 0., 0.])
    """
    _core._check(tensor, "zeros_").fill(0.0)
    return tensor


def eye_(tensor: TensorT) -> TensorT:
    r"""Fill the 2-dimensional array with the identity matrix.

    Preserves the identity of the inputs in Linear layers, where as many
    inputs are preserved as possible (the leading min(rows, cols) diagonal).

    Args:
        tensor: a writable 2-dimensional float array

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.eye_(np.empty((2, 3)))
        array([[1., 0., 0.],
               [0., 1., 0.]])
    """
    arr = _core._check(tensor, "eye_")
    if arr.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    arr.fill(0.0)
    k = min(arr.shape)
    if k:
        idx = np.arange(k)
        arr[idx, idx] = 1.0
    return tensor


def dirac_(tensor: TensorT, groups: int = 1) -> TensorT:
    r"""Fill the {3, 4, 5}-dimensional array with the Dirac delta function.

    Preserves the identity of the inputs in convolutional layers, where as many
    input channels are preserved as possible.  With ``groups > 1`` each group
    of output channels preserves the identity.

    Args:
        tensor: a writable {3, 4, 5}-dimensional float array
        groups: number of groups in the conv layer (default 1)

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.dirac_(np.empty((3, 16, 5, 5)))
        >>> w = wcinit.dirac_(np.empty((3, 24, 5, 5)), 3)
    """
    arr = _core._check(tensor, "dirac_")
    if arr.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = arr.shape
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool):
        raise TypeError(f"dirac_(): argument 'groups' must be int, not {type(groups).__name__}")
    if sizes[0] % groups != 0:  # groups == 0: ZeroDivisionError, as torch
        raise ValueError("dim 0 must be divisible by groups")
    if groups < 0:
        raise ValueError(f"dirac_: groups must be positive, got {groups}")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    arr.fill(0.0)
    if min_dim and groups:
        g, d = np.meshgrid(np.arange(groups), np.arange(min_dim), indexing="ij")
        rows, cols = (g * out_per_group + d).ravel(), d.ravel()
        centre = tuple(s // 2 for s in sizes[2:])
        arr[(rows, cols) + centre] = 1.0
    return tensor


def xavier_uniform_(tensor: TensorT, gain: float = 1.0,
                    generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values from :math:`\mathcal{U}(-a, a)`, Glorot/Xavier uniform.

    .. math::
        a = \text{gain} \times \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    From Glorot & Bengio, "Understanding the difficulty of training deep
    feedforward neural networks" (2010).  ``fan_in = size(1) * prod(size[2:])``,
    ``fan_out = size(0) * prod(size[2:])``.

    Args:
        tensor: a writable n-dimensional float array, n >= 2
        gain: an optional scaling factor (default 1.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.xavier_uniform_(np.empty((512, 1024), np.float32), gain=wcinit.calculate_gain("relu"))
        >>> bool(np.abs(w).max() <= np.sqrt(2) * np.sqrt(6 / 1536))
        True
    """
    gain = _float(gain, "xavier_uniform_", "gain")
    arr = _core._check(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(arr)
    if arr.size == 0:
        _warn_zero()
        return tensor
    bound = _core._bound(_core._std("xavier", gain, fan_in, fan_out))
    p0, p1, p2, p3 = _check_uniform(arr.dtype, "xavier_uniform_", -bound, bound)
    _core._fill(arr, "xavier_uniform_", _UNIFORM_CODE, p0, p1, p2, p3, generator)
    return tensor


def xavier_normal_(tensor: TensorT, gain: float = 1.0, generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values from :math:`\mathcal{N}(0, \text{std}^2)`, Glorot/Xavier normal.

    .. math::
        \text{std} = \text{gain} \times \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}

    From Glorot & Bengio (2010).

    Args:
        tensor: a writable n-dimensional float array, n >= 2
        gain: an optional scaling factor (default 1.0)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.xavier_normal_(np.empty((3, 5)), generator=0)
    """
    gain = _float(gain, "xavier_normal_", "gain")
    arr = _core._check(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(arr)
    if arr.size == 0:
        _warn_zero()
        return tensor
    std = _core._std("xavier", gain, fan_in, fan_out)
    p0, p1, p2, p3 = _check_normal_args(arr.dtype, "xavier_normal_", 0.0, std)
    _core._fill(arr, "xavier_normal_", _NORMAL_CODE, p0, p1, p2, p3, generator)
    return tensor


def _kaiming_std(arr, a, mode, nonlinearity):
    mode = _fan_mode(mode)
    fan_in, fan_out = _fans(arr)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a)
    return _core._std("kaiming", gain, fan)


def kaiming_uniform_(tensor: TensorT, a: float = 0, mode: FanMode = "fan_in",
                     nonlinearity: NonlinearityType = "leaky_relu",
                     generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values from :math:`\mathcal{U}(-\text{bound}, \text{bound})`, He/Kaiming uniform.

    .. math::
        \text{bound} = \text{gain} \times \sqrt{\frac{3}{\text{fan\_mode}}}

    From He et al., "Delving deep into rectifiers" (2015).

    Args:
        tensor: a writable n-dimensional float array, n >= 2
        a: the negative slope of the rectifier used after this layer (only
            used with ``'leaky_relu'``)
        mode: either ``'fan_in'`` (default) or ``'fan_out'`` (any case, as
            torch). ``'fan_in'`` preserves the variance of the weights in the
            forward pass, ``'fan_out'`` in the backward pass.
        nonlinearity: the non-linear function (``nn.functional`` name),
            recommended only with ``'relu'`` or ``'leaky_relu'`` (default).
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Note: fans assume the weight is used transposed (``x @ w.T``, ``w.shape =
    [fan_out, fan_in]``), as in torch's Linear.

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.kaiming_uniform_(np.empty((3, 5)), mode="fan_in", nonlinearity="relu")
    """
    arr = _core._check(tensor, "kaiming_uniform_")
    if 0 in arr.shape:
        _warn_zero()
        return tensor
    bound = _core._bound(_kaiming_std(arr, a, mode, nonlinearity))
    p0, p1, p2, p3 = _check_uniform(arr.dtype, "kaiming_uniform_", -bound, bound)
    _core._fill(arr, "kaiming_uniform_", _UNIFORM_CODE, p0, p1, p2, p3, generator)
    return tensor


def kaiming_normal_(tensor: TensorT, a: float = 0, mode: FanMode = "fan_in",
                    nonlinearity: NonlinearityType = "leaky_relu",
                    generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with values from :math:`\mathcal{N}(0, \text{std}^2)`, He/Kaiming normal.

    .. math::
        \text{std} = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}}

    From He et al., "Delving deep into rectifiers" (2015).

    Args:
        tensor: a writable n-dimensional float array, n >= 2
        a: the negative slope of the rectifier used after this layer (only
            used with ``'leaky_relu'``)
        mode: either ``'fan_in'`` (default) or ``'fan_out'`` (any case, as torch)
        nonlinearity: the non-linear function (``nn.functional`` name),
            recommended only with ``'relu'`` or ``'leaky_relu'`` (default).
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.kaiming_normal_(np.empty((3, 5)), mode="fan_out", nonlinearity="relu")
    """
    arr = _core._check(tensor, "kaiming_normal_")
    if 0 in arr.shape:
        _warn_zero()
        return tensor
    std = _kaiming_std(arr, a, mode, nonlinearity)
    p0, p1, p2, p3 = _check_normal_args(arr.dtype, "kaiming_normal_", 0.0, std)
    _core._fill(arr, "kaiming_normal_", _NORMAL_CODE, p0, p1, p2, p3, generator)
    return tensor


def _orthogonal_q(a):
    """Q * sign(diag(R)) of the reduced QR of the tall work matrix ``a`` (ours
    to overwrite): CholeskyQR2 on SciPy's BLAS/LAPACK with wcinit's thread
    count (wcinit/_linalg.py); NumPy's Householder QR without SciPy."""
    from . import _linalg
    q = _linalg.orthogonal_q(a, _core.get_num_threads())
    if q is None:
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diagonal(r))
    return q


def orthogonal_(tensor: TensorT, gain: float = 1, generator: GeneratorLike = None) -> TensorT:
    r"""Fill the array with a (semi) orthogonal matrix, scaled by ``gain``.

    As in Saxe et al., "Exact solutions to the nonlinear dynamics of learning
    in deep linear neural networks" (2013).  The array is viewed as
    ``(size(0), numel // size(0))``; a standard normal matrix of that shape
    (the wider side transposed) is factored by QR and Q's columns are
    multiplied by ``sign(diag(R))``, which makes Q Haar-distributed
    (Mezzadri 2007).  Computed in float64 for float64 arrays, float32 otherwise.
    With SciPy installed, Q comes from CholeskyQR2 (Yamamoto et al. 2015: two
    rounds of Gram matrix, Cholesky and triangular solve, all BLAS-3; a shifted
    round when the Gram matrix is too ill-conditioned, Householder QR as the
    last resort; near-square float64 matrices, longer side < 1.5 x the shorter,
    use Householder QR, faster there), the same Q as Householder QR with the
    sign fix up to rounding, with the BLAS on :func:`get_num_threads` threads during the call
    (via threadpoolctl when it is installed); without SciPy, NumPy's
    Householder QR.  The normal matrix is element-addressed like every fill; Q
    is bit-for-bit reproducible given the same BLAS/LAPACK build and thread count.

    Args:
        tensor: a writable n-dimensional float array, n >= 2
        gain: optional scaling factor (default 1)
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.orthogonal_(np.empty((3, 5)), generator=0)
        >>> bool(np.allclose(w @ w.T, np.eye(3)))
        True
    """
    gain = _float(gain, "orthogonal_", "gain")
    arr = _core._check(tensor, "orthogonal_")
    if arr.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if arr.size == 0:
        _warn_zero()
        return tensor
    rows = arr.shape[0]
    cols = arr.size // rows
    work = np.float64 if arr.dtype == np.float64 else np.float32
    flattened = np.empty((rows, cols), dtype=work)
    _core._fill(flattened, "orthogonal_", _NORMAL_CODE, 0.0, 1.0, 0.0, 0.0, generator)
    if rows < cols:
        flattened = flattened.T
    q = _orthogonal_q(flattened)
    if rows < cols:
        q = q.T
    if gain != 1.0:
        q *= gain
    arr[...] = q.reshape(arr.shape)
    return tensor


def sparse_(tensor: TensorT, sparsity: float, std: float = 0.01,
            generator: GeneratorLike = None) -> TensorT:
    r"""Fill the 2-dimensional array as a sparse matrix.

    Non-zero values are drawn from :math:`\mathcal{N}(0, \text{std}^2)`; in
    every column exactly ``ceil(sparsity * rows)`` entries, chosen uniformly at
    random, are set to zero (Martens, "Deep learning via Hessian-free
    optimization", 2010).  Unlike torch, the choice of zeros also comes from
    ``generator``, so the whole result is reproducible.

    Args:
        tensor: a writable 2-dimensional float array
        sparsity: the fraction of elements in each column to be set to zero, in [0, 1]
        std: the standard deviation of the normal distribution of the non-zero values
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> w = wcinit.sparse_(np.empty((10, 5)), sparsity=0.1, generator=0)
        >>> [int((w[:, j] == 0).sum()) for j in range(5)]
        [1, 1, 1, 1, 1]
    """
    sparsity = _float(sparsity, "sparse_", "sparsity")
    std = _float(std, "sparse_", "std")
    arr = _core._check(tensor, "sparse_")
    if arr.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparse_: sparsity must be in [0, 1], got {sparsity}")
    p0, p1, p2, p3 = _check_normal_args(arr.dtype, "sparse_", 0.0, std)
    generator = _generator(generator, "sparse_")
    if arr.size == 0:
        _warn_zero()
        return tensor
    rows = arr.shape[0]
    num_zeros = math.ceil(sparsity * rows)
    _core._fill(arr, "sparse_", _NORMAL_CODE, p0, p1, p2, p3, generator)
    _core._sparse_zero(arr, num_zeros, generator)
    return tensor


# ---- deprecated aliases, as torch.nn.init keeps them --------------------------

def _make_deprecate(meth: Callable[_P, _R]) -> Callable[_P, _R]:
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        warnings.warn(
            f"`wcinit.{old_name}` is now deprecated in favor of `wcinit.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"""
    {old_name}(...)

    .. warning::
        This method is now deprecated in favor of :func:`wcinit.{new_name}`.

    See :func:`wcinit.{new_name}` for details."""
    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

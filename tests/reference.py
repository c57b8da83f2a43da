"""A small pure-NumPy/`math` reference of the initialization rules.

Written from the papers and torch.nn.init's documentation, independently of
the C core (csrc/rules.c), so that the tests hold the library against it
(STYLE.md item 5).  Nothing here imports wcinit.

    fans       fan_in  = size(1) * prod(size[2:]),  fan_out = size(0) * prod(size[2:])
    gains      linear/conv*/sigmoid 1, tanh 5/3, relu sqrt(2),
               leaky_relu sqrt(2 / (1 + slope^2)) (slope 0.01 by default), selu 3/4
    xavier     std = gain * sqrt(2 / (fan_in + fan_out)),  bound = gain * sqrt(6 / (fan_in + fan_out))
    kaiming    std = gain / sqrt(fan),                      bound = gain * sqrt(3 / fan)
    uniform    U(a, b): mean (a+b)/2, var (b-a)^2/12, 4th central moment (b-a)^4/80
    normal     N(m, s^2): 4th central moment 3 s^4
    truncated  N(m, s^2) restricted to [a, b]: closed forms with phi and Phi below
"""
import math

import numpy as np

NONLINEARITIES = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
)


# ---- rules ------------------------------------------------------------------

def fans(shape):
    """(fan_in, fan_out) of a weight of this shape (ndim >= 2)."""
    shape = tuple(int(s) for s in shape)
    if len(shape) < 2:
        raise ValueError("fans need at least 2 dimensions")
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def gain(nonlinearity, param=None):
    """The recommended gain (torch.nn.init.calculate_gain's table)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(nonlinearity)


def xavier_std(shape, gain_=1.0):
    fan_in, fan_out = fans(shape)
    return gain_ * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_bound(shape, gain_=1.0):
    fan_in, fan_out = fans(shape)
    return gain_ * math.sqrt(6.0 / (fan_in + fan_out))


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_bound(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return gain(nonlinearity, a) * math.sqrt(3.0 / fan)


# ---- moments: (mean, variance, 4th central moment) ----------------------------

def uniform_moments(a, b):
    w = b - a
    return (a + b) / 2.0, w * w / 12.0, w ** 4 / 80.0


def normal_moments(mean, std):
    return mean, std * std, 3.0 * std ** 4


def phi(x):
    """Standard normal density (0 at +-inf)."""
    if math.isinf(x):
        return 0.0
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def Phi(x):
    """Standard normal CDF, accurate in both tails (erfc)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _trunc_mass(alpha, beta):
    """Z = Phi(beta) - Phi(alpha), written without cancellation in either tail."""
    if alpha > 0:
        return Phi(-alpha) - Phi(-beta)
    if beta < 0:
        return Phi(beta) - Phi(alpha)
    return 1.0 - Phi(alpha) - Phi(-beta)


def trunc_normal_moments(mean, std, a, b):
    """Mean, variance and 4th central moment of N(mean, std^2) restricted to [a, b].

    With alpha = (a - mean)/std, beta = (b - mean)/std, Z = Phi(beta) - Phi(alpha):
        E[X]   = mean + std * (phi(alpha) - phi(beta)) / Z
        Var[X] = std^2 * [1 + (alpha phi(alpha) - beta phi(beta)) / Z
                            - ((phi(alpha) - phi(beta)) / Z)^2]
    (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions, vol. 1, 13.10.)
    For intervals deep in a tail phi and Z underflow together, so the ratios
    are formed after factoring out exp(-c^2/2), c the point of [alpha, beta]
    nearest 0.  The 4th central moment (used only for standard errors) is
    computed by quadrature of the density on a fine grid.
    """
    alpha, beta = (a - mean) / std, (b - mean) / std
    if beta <= 0:  # reflect an interval below the mean to the upper side
        m, v, m4 = trunc_normal_moments(0.0, 1.0, -beta, -alpha)
        return mean - std * m, std * std * v, std ** 4 * m4
    c = max(alpha, 0.0)
    # scaled quantities: phi_s(x) = phi(x) * exp(c^2/2), Z_s = Z * exp(c^2/2)
    def phi_s(x):
        return 0.0 if math.isinf(x) else math.exp(-0.5 * (x * x - c * c)) / math.sqrt(2 * math.pi)

    if c > 0:
        z_s = _mills_mass(alpha, beta)
    else:
        z_s = _trunc_mass(alpha, beta)
    pa, pb = phi_s(alpha), phi_s(beta)
    xa = 0.0 if math.isinf(alpha) else alpha * pa
    xb = 0.0 if math.isinf(beta) else beta * pb
    lam = (pa - pb) / z_s
    m = lam
    v = 1.0 + (xa - xb) / z_s - lam * lam
    m4 = _quad_central4(alpha, beta, m)
    return mean + std * m, std * std * v, std ** 4 * m4


def _mills_mass(alpha, beta):
    """(Phi(-alpha) - Phi(-beta)) * exp(alpha^2/2) for alpha > 0, without underflow.

    Phi(-x) = phi(x) R(x) with the Mills ratio R(x) = (1 - Phi(x)) / phi(x),
    evaluated for x >= 5 by Laplace's continued fraction
    R(x) = 1/(x + 1/(x + 2/(x + 3/(x + ...)))).
    """
    def mills(x):
        if x < 5.0:
            return Phi(-x) / phi(x)
        f = x
        for k in range(200, 0, -1):
            f = x + k / f
        return 1.0 / f

    ra = mills(alpha) / math.sqrt(2 * math.pi)
    if math.isinf(beta):
        return ra
    rb = mills(beta) / math.sqrt(2 * math.pi) * math.exp(-0.5 * (beta * beta - alpha * alpha))
    return ra - rb


def _quad_central4(alpha, beta, m):
    """E[(Z - m)^4] for the standard normal truncated to [alpha, beta], by
    the trapezoid rule on the density exp(-(x^2 - c^2)/2) (c = nearest point to 0)."""
    c = min(max(0.0, alpha), beta)
    lo = max(alpha, -40.0)
    hi = min(beta, max(lo, c) + 40.0)
    x = np.linspace(lo, hi, 400001)
    w = np.exp(-0.5 * (x * x - c * c))
    dx = np.diff(x)  # the trapezoid rule, written out (np.trapezoid is NumPy >= 2.0)
    y = w * (x - m) ** 4
    return float(np.sum((y[1:] + y[:-1]) * dx) / np.sum((w[1:] + w[:-1]) * dx))


# ---- deterministic initializers ------------------------------------------------

def eye(shape):
    """The expected output of eye_ for a 2-D shape."""
    out = np.zeros(shape, dtype=np.float64)
    for i in range(min(shape)):
        out[i, i] = 1.0
    return out


def dirac(shape, groups=1):
    """The expected output of dirac_ for a 3-, 4- or 5-D shape, written as loops."""
    out = np.zeros(shape, dtype=np.float64)
    out_per_group = shape[0] // groups
    min_dim = min(out_per_group, shape[1])
    centre = tuple(s // 2 for s in shape[2:])
    for g in range(groups):
        for d in range(min_dim):
            out[(g * out_per_group + d, d) + centre] = 1.0
    return out


# ---- floating-point helpers ------------------------------------------------------

# significand precision p (bits, including the implicit one) and the smallest
# normal exponent of each float format
_FORMATS = {
    "float16": (11, -14),
    "bfloat16": (8, -126),
    "float32": (24, -126),
    "float64": (53, -1022),
}


def ulp(dtype_name, x):
    """The spacing of the format at |x| (the gap above the power of two below |x|)."""
    p, emin = _FORMATS[dtype_name]
    x = abs(float(x))
    e = emin if x == 0 else max(math.frexp(x)[1] - 1, emin)
    return 2.0 ** (e - p + 1)

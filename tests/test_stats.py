"""Statistical tests: every random initializer against its ANALYTICAL law.

Conventions used throughout (STYLE.md item 9):

* Seeds are fixed, so every test is deterministic; the tolerances are
  nevertheless derived from the standard error (SE) of the statistic so that
  they hold for any seed.  K = 6 standard errors: a correct sampler fails one
  such check with probability ~2e-9.
    - sample mean of n iid values of variance s2:   SE = sqrt(s2 / n)
    - sample variance (ddof=0):                      SE = sqrt((mu4 - s2^2) / n),
      mu4 the analytical 4th central moment (uniform U(a,b): (b-a)^4/80,
      i.e. b^4/5 for U(-b,b); normal: 3 s^4; truncated normal: reference.py);
      its bias -s2/n is added to the tolerance.
    - a count of n Bernoulli(p) events:              SE = sqrt(n p (1-p))
* Kolmogorov-Smirnov tests use a p-value threshold of 1e-4: under H0 the
  p-value is uniform on (0, 1), so a correct sampler fails with probability
  1e-4 for a random seed -- and, with the seed fixed, deterministically never.
* Stored values are not the exact-arithmetic samples: float16/bfloat16 values
  are computed in float32 and rounded once, and float32 computation itself
  errs by a few ulps.  Each element therefore differs from its exact value by
  at most h = ulp_dtype(M)/2 + 8 ulp_f32(M) (M = the largest magnitude), so
  the sample mean moves by <= h and the sample std by <= h (centering is a
  projection); tolerances add that.
"""
import math

import numpy as np
import pytest
import scipy.stats as st

import reference as R
import wcinit
from conftest import NARROW_DTYPES, as_f64

K = 6.0  # standard errors
KS_P = 1e-4  # KS p-value threshold (see module docstring)

SHAPES = [(64, 3, 3, 3), (16, 8, 5), (4, 4, 3, 3, 3), (1024, 512), (300, 200)]
SHAPE_IDS = ["conv2d", "conv1d", "conv3d", "linear1024x512", "linear300x200"]


# ---- helpers ------------------------------------------------------------------

def draw(fn, shape, dtype, seed, n_min=200_000, **kw):
    """At least n_min values of fn on arrays of `shape` (repeated fills of the
    same shape from one generator, so the law is the one for that shape)."""
    g = wcinit.Generator(seed)
    size = math.prod(shape)
    reps = max(1, -(-n_min // size))
    return np.concatenate([as_f64(fn(np.empty(shape, dtype), generator=g, **kw)).ravel()
                           for _ in range(reps)])


def rounding_bound(dtype, m):
    """Max |stored - exact| of one element of magnitude <= m (module docstring)."""
    name = np.dtype(dtype).name
    if name == "float64":
        return 8 * R.ulp("float64", m)
    h = 8 * R.ulp("float32", m)
    if name != "float32":
        h += R.ulp(name, m) / 2
    return h


def check_mean_var(x, mean, var, mu4, h, label=""):
    """Sample mean and variance against the analytical values (K SE + rounding)."""
    n = x.size
    m = x.mean()
    tol_m = K * math.sqrt(var / n) + h
    assert abs(m - mean) <= tol_m, f"{label}: mean {m} vs {mean} (tol {tol_m})"
    s2 = x.var()
    se_v = math.sqrt(max(mu4 - var * var, 0.0) / n)
    # rounding: |s_r - s| <= h, so |s_r^2 - s^2| <= h (2 s + h), s <= sqrt(var + K se)
    tol_v = K * se_v + var / n + h * (2 * math.sqrt(var + K * se_v) + h)
    assert abs(s2 - var) <= tol_v, f"{label}: var {s2} vs {var} (tol {tol_v})"


def in_dtype(v, dtype):
    """The bound v as the array stores it: rounded to float32 first (the
    compute type), then to a 16-bit dtype; exact for float64."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return float(v)
    return float(np.asarray(np.float32(v)).astype(dtype).astype(np.float64))


def law_moments(law):
    kind, p = law
    if kind == "uniform":
        return R.uniform_moments(*p)
    if kind == "normal":
        return R.normal_moments(*p)
    return R.trunc_normal_moments(*p)


def law_cdf(law):
    kind, p = law
    if kind == "uniform":
        return st.uniform(loc=p[0], scale=p[1] - p[0]).cdf
    if kind == "normal":
        return st.norm(loc=p[0], scale=p[1]).cdf
    mean, std, a, b = p
    return st.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std).cdf


# Each case: id, function, kwargs, law(shape) -> (kind, params) from reference.py.
TANH = R.gain("tanh")
CASES = [
    ("uniform_default", wcinit.uniform_, {}, lambda s: ("uniform", (0.0, 1.0))),
    ("uniform_ab", wcinit.uniform_, dict(a=-0.3, b=0.7), lambda s: ("uniform", (-0.3, 0.7))),
    ("normal_default", wcinit.normal_, {}, lambda s: ("normal", (0.0, 1.0))),
    ("normal_ms", wcinit.normal_, dict(mean=0.5, std=2.0), lambda s: ("normal", (0.5, 2.0))),
    ("trunc_default", wcinit.trunc_normal_, {}, lambda s: ("trunc", (0.0, 1.0, -2.0, 2.0))),
    ("trunc_asym", wcinit.trunc_normal_, dict(mean=0.1, std=0.5, a=-0.4, b=0.9),
     lambda s: ("trunc", (0.1, 0.5, -0.4, 0.9))),
    ("trunc_vit", wcinit.trunc_normal_, dict(std=0.02, a=-0.04, b=0.04),
     lambda s: ("trunc", (0.0, 0.02, -0.04, 0.04))),
    ("trunc_tail", wcinit.trunc_normal_, dict(a=1.0, b=3.0), lambda s: ("trunc", (0.0, 1.0, 1.0, 3.0))),
    ("xavier_uniform", wcinit.xavier_uniform_, {},
     lambda s: ("uniform", (-R.xavier_bound(s), R.xavier_bound(s)))),
    ("xavier_uniform_tanh", wcinit.xavier_uniform_, dict(gain=TANH),
     lambda s: ("uniform", (-R.xavier_bound(s, TANH), R.xavier_bound(s, TANH)))),
    ("xavier_normal", wcinit.xavier_normal_, {}, lambda s: ("normal", (0.0, R.xavier_std(s)))),
    ("xavier_normal_tanh", wcinit.xavier_normal_, dict(gain=TANH),
     lambda s: ("normal", (0.0, R.xavier_std(s, TANH)))),
    ("kaiming_uniform", wcinit.kaiming_uniform_, {},
     lambda s: ("uniform", (-R.kaiming_bound(s), R.kaiming_bound(s)))),
    ("kaiming_uniform_linear_default", wcinit.kaiming_uniform_, dict(a=math.sqrt(5)),
     lambda s: ("uniform", (-R.kaiming_bound(s, math.sqrt(5)), R.kaiming_bound(s, math.sqrt(5))))),
    ("kaiming_uniform_fanout_relu", wcinit.kaiming_uniform_, dict(mode="fan_out", nonlinearity="relu"),
     lambda s: ("uniform", (-R.kaiming_bound(s, 0, "fan_out", "relu"),
                            R.kaiming_bound(s, 0, "fan_out", "relu")))),
    ("kaiming_normal", wcinit.kaiming_normal_, {}, lambda s: ("normal", (0.0, R.kaiming_std(s)))),
    ("kaiming_normal_fanout_relu", wcinit.kaiming_normal_, dict(mode="fan_out", nonlinearity="relu"),
     lambda s: ("normal", (0.0, R.kaiming_std(s, 0, "fan_out", "relu")))),
    ("kaiming_normal_leaky02", wcinit.kaiming_normal_, dict(a=0.2),
     lambda s: ("normal", (0.0, R.kaiming_std(s, 0.2)))),
]
CASE_IDS = [c[0] for c in CASES]


# ---- moments and bounds, every initializer x shape x dtype ----------------------

@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_moments_and_bounds(case, shape, float_dtype):
    """Sample mean and variance of every initializer against the analytical law
    (mean/variance formulas in reference.py); for bounded laws every value also
    lies within [a, b] (the bound as stored in the dtype)."""
    name, fn, kw, law_of = case
    law = law_of(shape)
    mean, var, mu4 = law_moments(law)
    seed = 1000 + CASE_IDS.index(name)
    x = draw(fn, shape, float_dtype, seed, **kw)
    assert np.isfinite(x).all()
    h = rounding_bound(float_dtype, max(np.abs(x).max(), abs(mean)))
    check_mean_var(x, mean, var, mu4, h, f"{name} {shape} {float_dtype}")
    kind, p = law
    if kind != "normal":
        lo, hi = (p[0], p[1]) if kind == "uniform" else (p[2], p[3])
        assert x.min() >= in_dtype(lo, float_dtype)
        assert x.max() <= in_dtype(hi, float_dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_ks_exact_distribution(case, dtype):
    """KS test of ~1e5 values against the exact CDF (uniform, normal or
    truncated normal with the analytical parameters); p >= 1e-4."""
    name, fn, kw, law_of = case
    shape = (400, 250)
    x = as_f64(fn(np.empty(shape, dtype), generator=77 + CASE_IDS.index(name), **kw)).ravel()
    p = st.kstest(x, law_cdf(law_of(shape))).pvalue
    assert p >= KS_P, f"{name}: KS p-value {p}"


def test_uniform_f64_bounds_exact():
    """float64: U(a, b) values lie in [a, b] exactly, also for bounds that are
    not round numbers, and both ends are approached (n = 2^20: the gap to the
    ends is < 20/n of the width with probability 1 - 2e-9)."""
    a, b = -0.1234567, 0.7654321
    x = wcinit.uniform_(np.empty(1 << 20), a, b, generator=3)
    assert a <= x.min() and x.max() <= b
    assert x.min() - a < 20 / x.size * (b - a) and b - x.max() < 20 / x.size * (b - a)


# ---- truncated normal: tails, tiny std, no pile-up ------------------------------

TRUNC_INTERVALS = [  # (mean, std, a, b)
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 1.0, 1.0, 3.0),      # upper tail, moderate
    (0.0, 1.0, -3.0, -1.0),    # lower tail (reflected internally)
    (0.0, 1.0, -0.5, 3.0),     # asymmetric around the mean
    (0.0, 1.0, 5.0, 6.0),
    (0.0, 1.0, 8.0, 9.0),      # deep tail
    (0.0, 1.0, -9.0, -8.0),
    (0.0, 1.0, 30.0, 31.0),    # log-space branch (depth >= 21)
    (0.0, 1.0, 21.5, math.inf),
    (2.0, 0.5, 2.5, math.inf),  # half-infinite, shifted and scaled
]
TRUNC_IDS = [f"m{m}_s{s}_[{a},{b}]" for m, s, a, b in TRUNC_INTERVALS]


@pytest.mark.parametrize("params", TRUNC_INTERVALS, ids=TRUNC_IDS)
def test_trunc_normal_moments_and_support(params, float_dtype):
    """Mean and variance of the truncated normal (closed forms with phi/Phi in
    reference.trunc_normal_moments), and every value in [a, b]."""
    mean, std, a, b = params
    x = as_f64(wcinit.trunc_normal_(np.empty(1 << 18, float_dtype), mean, std, a, b,
                                    generator=11))
    assert np.isfinite(x).all()
    assert x.min() >= in_dtype(a, float_dtype) and x.max() <= in_dtype(b, float_dtype)
    m, v, mu4 = R.trunc_normal_moments(mean, std, a, b)
    h = rounding_bound(float_dtype, np.abs(x).max())
    check_mean_var(x, m, v, mu4, h, str(params))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("params", TRUNC_INTERVALS, ids=TRUNC_IDS)
def test_trunc_normal_ks(params, dtype):
    """KS test against scipy.stats.truncnorm (the exact law), 1e5 values."""
    mean, std, a, b = params
    x = as_f64(wcinit.trunc_normal_(np.empty(100_000, dtype), mean, std, a, b, generator=12))
    d = st.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    p = st.kstest(x, d.cdf).pvalue
    assert p >= KS_P, f"KS p-value {p}"


def test_trunc_deep_tail_ks_float64():
    """The brief's deep-tail case: float64, N(0,1) on [5, 6], KS p >= 1e-4,
    mean and all values in [5, 6]."""
    x = wcinit.trunc_normal_(np.empty(100_000), 0.0, 1.0, 5.0, 6.0, generator=13)
    assert 5.0 <= x.min() and x.max() <= 6.0
    d = st.truncnorm(5.0, 6.0)
    assert st.kstest(x, d.cdf).pvalue >= KS_P
    m, v, _ = R.trunc_normal_moments(0.0, 1.0, 5.0, 6.0)
    assert abs(x.mean() - m) <= K * math.sqrt(v / x.size)


def test_trunc_tiny_std_no_outliers(float_dtype):
    """std = 1e-3 on [-2, 2]: no outlier at the bounds (older torch put values
    at +-2 from erfinv's clamp).  With n = 2^20, P(max |z| > 7) <=
    n * 2 Phi(-7) = 2.7e-6, so every |x| <= 7 std (+ rounding)."""
    std = 1e-3
    x = as_f64(wcinit.trunc_normal_(np.empty(1 << 20, float_dtype), 0.0, std, -2.0, 2.0,
                                    generator=14))
    assert np.abs(x).max() <= 7 * std + rounding_bound(float_dtype, 7 * std)
    # and it is N(0, std^2) for all practical purposes (the bounds are 2000 std away)
    check_mean_var(x, 0.0, std * std, 3 * std ** 4,
                   rounding_bound(float_dtype, np.abs(x).max()), "tiny std")


def _gap_up(dtype_name, a):
    """Distance from the representable value a to the next one above it."""
    if a >= 0:
        return R.ulp(dtype_name, a)
    m, _ = math.frexp(-a)
    u = R.ulp(dtype_name, -a)
    return u / 2 if m == 0.5 else u  # just below a power of two the spacing halves


NARROW_INTERVALS = [(-2.0, 2.0), (1.0, 3.0), (8.0, 9.0), (-9.0, -8.0), (5.0, 6.0)]


@pytest.mark.parametrize("dtype", NARROW_DTYPES, ids=[d.name for d in NARROW_DTYPES])
@pytest.mark.parametrize("ab", NARROW_INTERVALS, ids=[str(i) for i in NARROW_INTERVALS])
def test_trunc_no_pileup_at_bounds_16bit(ab, dtype):
    """float16/bfloat16: the fraction of values exactly equal to a (or b) is the
    probability mass of the rounding cell at that bound, not a pile-up
    (pytorch/pytorch#145498, #155588 report values piling up at the bounds).

    A value rounds to a iff its exact value lies in [a, a + gap/2), gap = the
    spacing above a in the dtype (the double rounding f64 -> f32 -> 16 bit
    moves that edge by at most ulp_f32/2).  The count is Binomial(n, p):
    within K sqrt(n p (1-p)) (+1 for discreteness) of n p."""
    a, b = ab
    n = 1 << 20
    x = as_f64(wcinit.trunc_normal_(np.empty(n, dtype), 0.0, 1.0, a, b, generator=15))
    d = st.truncnorm(a, b)
    name = np.dtype(dtype).name
    for bound, sign in ((a, +1), (b, -1)):
        gap = _gap_up(name, bound) if sign > 0 else _gap_up(name, -bound)
        e32 = R.ulp("float32", abs(bound)) / 2
        edges = [bound + sign * (gap / 2 - e32), bound + sign * (gap / 2 + e32)]
        masses = sorted(abs(d.cdf(e) - d.cdf(bound)) for e in edges)
        count = int((x == bound).sum())
        lo = n * masses[0] - K * math.sqrt(n * masses[0] * (1 - masses[0])) - 1
        hi = n * masses[1] + K * math.sqrt(n * masses[1] * (1 - masses[1])) + 1
        assert lo <= count <= hi, f"{count} values at {bound}, expected in [{lo:.1f}, {hi:.1f}]"


# ---- normal tails ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_normal_tails(dtype):
    """Fraction of |z| > t for t = 3, 4, 5 against 2 Phi(-t) (count within K
    binomial SE), and the shape of the tail: given |z| > 3, |z| follows
    N(0,1) truncated to [3, inf) (KS)."""
    n = 1 << 22
    z = as_f64(wcinit.normal_(np.empty(n, dtype), generator=16))
    for t in (3.0, 4.0, 5.0):
        p = 2 * R.Phi(-t)
        count = int((np.abs(z) > t).sum())
        assert abs(count - n * p) <= K * math.sqrt(n * p * (1 - p)) + 1, (t, count, n * p)
    tail = np.abs(z[np.abs(z) > 3.0])
    assert st.kstest(tail, st.truncnorm(3.0, np.inf).cdf).pvalue >= KS_P
    # symmetry: the signs of the tail values are fair coins
    k = int((z[np.abs(z) > 3.0] > 0).sum())
    assert abs(k - tail.size / 2) <= K * math.sqrt(tail.size / 4)


# ---- textbook worked numbers ------------------------------------------------------

def test_worked_linear_1024_to_512():
    """nn.Linear(1024, 512): weight (512, 1024).  Xavier bound sqrt(6/1536) =
    1/16 = 0.0625: every |w| <= 0.0625 and max |w| > 0.0625 (1 - 40/n)
    (P(max |w| < B(1-t)) = (1-t)^n = e^-40 for t = 40/n).  He (kaiming_normal_,
    relu) variance 2/1024: sample variance within K SE (SE = sqrt(2/n) var)."""
    shape = (512, 1024)
    assert R.xavier_bound(shape) == 0.0625
    w = wcinit.xavier_uniform_(np.empty(shape, np.float32), generator=17)
    n = w.size
    assert np.abs(w).max() <= 0.0625
    assert np.abs(w).max() > 0.0625 * (1 - 40 / n)
    for fn, kw in ((wcinit.kaiming_normal_, dict(nonlinearity="relu")),
                   (wcinit.kaiming_uniform_, dict(nonlinearity="relu"))):
        w = as_f64(fn(np.empty(shape, np.float64), generator=18, **kw))
        var = 2 / 1024
        mu4 = 3 * var ** 2 if fn is wcinit.kaiming_normal_ else (2 * math.sqrt(3 * var)) ** 4 / 80
        assert abs(w.var() - var) <= K * math.sqrt((mu4 - var ** 2) / n) + var / n


def test_worked_conv2d_3_64_3():
    """nn.Conv2d(3, 64, 3): weight (64, 3, 3, 3): fan_in 3*9 = 27, fan_out 64*9 = 576."""
    assert R.fans((64, 3, 3, 3)) == (27, 576)
    assert wcinit._core._fans((64, 3, 3, 3)) == (27, 576)
    x = draw(wcinit.kaiming_normal_, (64, 3, 3, 3), np.float64, 19, nonlinearity="relu")
    var = 2 / 27
    assert abs(x.var() - var) <= K * math.sqrt(2 / x.size) * var + var / x.size


# ---- orthogonal_: Haar measure ------------------------------------------------------

@pytest.mark.parametrize("shape", [(5, 5), (6, 4), (4, 6), (4, 2, 3), (3, 2, 2, 2)],
                         ids=["square", "tall", "wide", "conv1d_wide", "conv2d_wide"])
def test_orthogonal_haar(shape):
    """For Haar-distributed Q on the flattened (rows, cols) view, every column
    (tall) or row (wide) is uniform on the sphere S^{d-1}, d = max(rows, cols),
    so each entry q satisfies (q+1)/2 ~ Beta((d-1)/2, (d-1)/2): E q = 0,
    E q^2 = 1/d, E q^4 = 3/(d(d+2)).  Over N independent draws we test q[0,0]
    and q[-1,-1] (one entry per draw, so the draws are iid): KS against that
    Beta law, mean within K sqrt(1/(d N)), mean square within
    K sqrt((3/(d(d+2)) - 1/d^2)/N).  Without the sign fix of QR, q[0,0] would
    always be negative (LAPACK's Householder R has diag(R) of fixed sign)."""
    rows = shape[0]
    cols = math.prod(shape) // rows
    d = max(rows, cols)
    N = 3000
    g = wcinit.Generator(20)
    qs = np.stack([wcinit.orthogonal_(np.empty(shape), generator=g).reshape(rows, cols)
                   for _ in range(N)])
    beta = st.beta((d - 1) / 2, (d - 1) / 2, loc=-1, scale=2)
    for q in (qs[:, 0, 0], qs[:, -1, -1]):
        assert st.kstest(q, beta.cdf).pvalue >= KS_P
        assert abs(q.mean()) <= K * math.sqrt(1 / (d * N))
        var_q2 = 3 / (d * (d + 2)) - 1 / d ** 2
        assert abs((q * q).mean() - 1 / d) <= K * math.sqrt(var_q2 / N)


# ---- sparse_ ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_sparse_nonzero_values_normal(dtype):
    """The non-zero values of sparse_ are N(0, std^2): mean within K std/sqrt(m),
    variance within K sqrt(2/m) std^2, and KS against N(0, std^2)."""
    std = 0.05
    w = as_f64(wcinit.sparse_(np.empty((500, 800), dtype), 0.3, std=std, generator=22))
    nz = w[w != 0]
    assert nz.size == 800 * (500 - math.ceil(0.3 * 500))
    check_mean_var(nz, 0.0, std * std, 3 * std ** 4, rounding_bound(dtype, np.abs(nz).max()))
    assert st.kstest(nz[:100_000], st.norm(scale=std).cdf).pvalue >= KS_P


@pytest.mark.parametrize("rows,sparsity", [(10, 0.1), (37, 0.5), (64, 0.9)])
def test_sparse_rows_uniform_chi2(rows, sparsity):
    """Every row is equally likely to be zeroed.  Each column zeroes k =
    ceil(sparsity rows) distinct rows chosen uniformly, so over C columns the
    per-row counts O have mean E = C p (p = k/rows) and covariance
    C p (1-p) rows/(rows-1) (I - 11^T/rows) (multivariate hypergeometric per
    column); hence T = sum (O - E)^2 (rows-1) / (C p (1-p) rows) ~ chi2(rows-1)
    and its p-value must be >= 1e-4.  Also the first zeroed row of a column is
    independent of the column index parity (a second chi-square, 2 x rows)."""
    C = 20_000
    k = math.ceil(sparsity * rows)
    w = wcinit.sparse_(np.empty((rows, C), np.float64), sparsity, generator=23)
    z = w == 0
    assert (z.sum(axis=0) == k).all()
    p = k / rows
    O = z.sum(axis=1)
    E = C * p
    T = ((O - E) ** 2).sum() * (rows - 1) / (C * p * (1 - p) * rows)
    assert st.chi2.sf(T, rows - 1) >= KS_P, (T, rows - 1)
    # pairs of rows: zeroed together as often as k(k-1)/(rows(rows-1)) says
    if k >= 2:
        both = int((z[0] & z[1]).sum())
        q = k * (k - 1) / (rows * (rows - 1))
        assert abs(both - C * q) <= K * math.sqrt(C * q * (1 - q)) + 1


# ---- the reference itself ---------------------------------------------------------------

@pytest.mark.parametrize("params", TRUNC_INTERVALS + [(0.1, 0.5, -0.4, 0.9), (0.0, 1e-3, -2.0, 2.0)])
def test_reference_trunc_moments_match_scipy(params):
    """reference.trunc_normal_moments (closed forms) agrees with scipy's truncnorm
    (mean, variance to 1e-7 relative; the 4th moment, only used for SEs, to 1%)."""
    mean, std, a, b = params
    d = st.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    m, v, k = d.stats("mvk")
    m_r, v_r, mu4_r = R.trunc_normal_moments(mean, std, a, b)
    assert m_r == pytest.approx(float(m), rel=1e-9, abs=1e-12 * std)
    assert v_r == pytest.approx(float(v), rel=1e-6)
    assert mu4_r == pytest.approx(float((k + 3) * v * v), rel=1e-2)

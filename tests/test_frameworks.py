"""The JAX/Keras/MXNet initializers and the rule layer under them (issue 8).

* fans: wcinit's compute_fans/keras_fans/torch_fans against the frameworks' own
  fan functions on a grid of layouts;
* variance scaling: every mode x distribution, the std/limit against JAX's and
  Keras's own (moments of large samples drawn by the framework) and KS of
  wcinit's samples against the framework's;
* the truncated-normal constant 0.87962566103423978 derived (closed form and
  scipy.stats.truncnorm);
* analytical moments (5-6 standard errors) and exact supports for every new
  function in every dtype; errors name the function and argument and leave the
  array untouched;
* delta_orthogonal_: zeros off-centre, an orthogonal centre, a NumPy
  convolution that preserves the norm; SELU through 32 layers.
"""
import functools
import inspect
import math
import os

import numpy as np
import pytest

import wcinit
from wcinit import _rules

from conftest import FLOAT_DTYPES, FLOAT_IDS, as_f64

os.environ.setdefault("KERAS_BACKEND", "jax")


def _jax():
    return pytest.importorskip("jax", reason="jax not installed (CI installs jax==0.10.2)")


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras", reason="keras not installed (CI installs keras==3.15.1)")
    if keras.backend.backend() != "jax":
        pytest.skip("keras was imported with another backend first")
    return keras


# shape, in_axis, out_axis, batch_axis -- Dense, conv 1/2/3-D in the JAX layout
# (*k, in, out), torch's OIHW, channels-first IOHW, and batch axes
FAN_GRID = [
    ((784, 512), -2, -1, ()),
    ((3, 3, 64, 128), -2, -1, ()),
    ((5, 16, 32), -2, -1, ()),
    ((3, 3, 3, 8, 16), -2, -1, ()),
    ((128, 64, 3, 3), 1, 0, ()),
    ((32, 16, 5), 1, 0, ()),
    ((16, 8, 3, 3, 3), 1, 0, ()),
    ((64, 128, 3, 3), 0, 1, ()),
    ((4, 3, 3, 16, 32), -2, -1, 0),
    ((2, 5, 7, 11), (1, 2), -1, 0),
    ((6, 10, 20), 1, 2, (0,)),
    ((100, 16), -2, 0, ()),          # Flax Embed: in_axis and out_axis overlap
]


# ---- fans ----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,ia,oa,ba", FAN_GRID)
def test_compute_fans_equals_jax(shape, ia, oa, ba):
    _jax()
    from jax._src.nn.initializers import _compute_fans
    assert _rules.compute_fans(shape, ia, oa, ba) == pytest.approx(
        _compute_fans(shape, ia, oa, ba), rel=1e-15)


@pytest.mark.parametrize("shape", [(), (7,), (784, 512), (3, 3, 64, 128), (5, 4, 3, 2, 6)])
def test_keras_fans_equals_keras(shape):
    _keras()
    from keras.src.initializers.random_initializers import compute_fans
    assert _rules.keras_fans(shape) == compute_fans(shape)
    if len(shape) >= 2:
        assert _rules.keras_fans(shape, [0], [1]) == compute_fans(shape, [0], [1])


def test_torch_fans_equals_torch(torch):
    from torch.nn.init import _calculate_fan_in_and_fan_out
    for shape in [(64, 128), (128, 64, 3, 3), (8, 4, 5), (3, 2, 2, 2, 2)]:
        assert _rules.torch_fans(shape) == _calculate_fan_in_and_fan_out(torch.empty(shape))


def test_worked_examples_of_the_issue():
    """HWIO (3,3,64,128) he_normal std sqrt(2/576); Dense (784,512) sqrt(2/784);
    torch's kaiming_normal_ on the same shapes reads them as [out, in, *k]."""
    e = wcinit.expected(wcinit.he_normal_, (3, 3, 64, 128))
    assert e.fan_in == 576 and e.std == pytest.approx(math.sqrt(2 / 576), rel=1e-15)
    e = wcinit.expected(wcinit.he_normal_, (784, 512))
    assert e.std == pytest.approx(math.sqrt(2 / 784), rel=1e-15)
    t = wcinit.expected(functools.partial(wcinit.kaiming_normal_, nonlinearity="relu"),
                        (3, 3, 64, 128))
    assert t.fan_in == 3 * 64 * 128 and t.layout == "torch"
    for shape, std in [((3, 3, 64, 128), math.sqrt(2 / 576)), ((784, 512), math.sqrt(2 / 784))]:
        w = wcinit.he_normal_(np.empty(shape, np.float64), generator=8)
        n = w.size
        # std of the sample std ~ std * sqrt((kurtosis - 1) / (4n)); kurtosis < 3: 6 * std / sqrt(2n)
        assert abs(w.std() - std) < 6 * std / math.sqrt(2 * n)


def test_compute_fans_errors():
    with pytest.raises(ValueError, match="compute_fans.*1-dimensional"):
        _rules.compute_fans((5,))
    with pytest.raises(ValueError, match="in_axis=4 is out of range"):
        _rules.compute_fans((2, 3), in_axis=4)
    with pytest.raises(TypeError, match="out_axis"):
        _rules.compute_fans((2, 3), out_axis=1.5)
    assert _rules.compute_fans((5,), in_axis=0, out_axis=0) == (1.0, 1.0)


# ---- the truncated-normal constant -------------------------------------------------------------

def test_truncated_normal_constant_derived():
    """Var of N(0,1) on [-2, 2] = 1 - 2*2*phi(2)/(Phi(2) - Phi(-2)); scipy agrees."""
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    closed = math.sqrt(1 - 4 * phi2 / math.erf(math.sqrt(2)))
    assert closed == pytest.approx(_rules.TRUNCATED_NORMAL_2_STD, rel=1e-15)
    stats = pytest.importorskip("scipy.stats")
    assert stats.truncnorm(-2, 2).std() == pytest.approx(_rules.TRUNCATED_NORMAL_2_STD, rel=1e-14)
    m, s = _rules.truncated_normal_moments(0.0, 1.0, -2.0, 2.0)
    assert m == 0.0 and s == pytest.approx(_rules.TRUNCATED_NORMAL_2_STD, rel=1e-15)
    for a, b in [(-1.0, 3.0), (0.5, 4.0), (-8.0, -6.0), (-math.inf, 1.0)]:
        ref = stats.truncnorm(a, b)
        m, s = _rules.truncated_normal_moments(0.0, 1.0, a, b)
        assert m == pytest.approx(ref.mean(), rel=1e-9) and s == pytest.approx(ref.std(), rel=1e-8)


# ---- expected(): the promises other layers read ----------------------------------------------

def test_expected_torch_names():
    e = wcinit.expected(wcinit.kaiming_uniform_, (64, 128))   # a=0, leaky_relu: gain sqrt(2)
    assert e.family == "uniform" and e.high == pytest.approx(math.sqrt(6 / 128), rel=1e-15)
    e = wcinit.expected(functools.partial(wcinit.kaiming_uniform_, a=math.sqrt(5)), (64, 128))
    assert e.high == pytest.approx(1 / math.sqrt(128), rel=1e-14)
    e = wcinit.expected(functools.partial(wcinit.kaiming_normal_, mode="fan_out"), (64, 128, 3))
    assert e.fan_out == 192 and e.std == pytest.approx(math.sqrt(2 / 192), rel=1e-15)
    e = wcinit.expected(functools.partial(wcinit.xavier_normal_, gain=2.0), (30, 10))
    assert e.std == pytest.approx(2 * math.sqrt(2 / 40), rel=1e-15)
    e = wcinit.expected(functools.partial(wcinit.trunc_normal_, std=0.02, a=-0.04, b=0.04), (9,))
    assert e.family == "trunc_normal" and e.std == pytest.approx(0.02 * 0.87962566103423978)
    assert wcinit.expected(wcinit.zeros_, (3,)).family == "constant"
    assert wcinit.expected(functools.partial(wcinit.constant_, val=0.3), (3,)).mean == 0.3
    e = wcinit.expected(wcinit.eye_, (2, 4))
    assert e.mean == 2 / 8 and e.family == "eye"
    e = wcinit.expected(functools.partial(wcinit.dirac_, groups=2), (4, 3, 3))
    assert e.params["ones"] == 4 and e.mean == pytest.approx(4 / 36)
    e = wcinit.expected(functools.partial(wcinit.orthogonal_, gain=2.0), (10, 40))
    assert e.family == "orthogonal" and e.std == pytest.approx(2 / math.sqrt(40))
    e = wcinit.expected(functools.partial(wcinit.sparse_, sparsity=0.5, std=0.1), (10, 4))
    assert e.family == "sparse" and e.std == pytest.approx(0.1 * math.sqrt(0.5))
    e = wcinit.expected(functools.partial(wcinit.uniform_, a=-1.0, b=3.0), (5,))
    assert (e.mean, e.low, e.high) == (1.0, -1.0, 3.0)
    assert e.std == pytest.approx(4 / math.sqrt(12))
    e = wcinit.expected(functools.partial(wcinit.normal_, std=0.02), (5,))
    assert (e.mean, e.std, e.low, e.high) == (0.0, 0.02, -math.inf, math.inf)
    # positional arguments after the array, as partial(f, array, ...) too
    e = wcinit.expected(functools.partial(wcinit.normal_, np.empty(3), 1.0, 2.0), (5,))
    assert (e.mean, e.std) == (1.0, 2.0)


def test_expected_matches_the_orthogonal_rms():
    w = wcinit.orthogonal_(np.empty((10, 40)), gain=2.0, generator=1)
    assert np.sqrt(np.mean(w ** 2)) == pytest.approx(
        wcinit.expected(functools.partial(wcinit.orthogonal_, gain=2.0), (10, 40)).std, rel=1e-12)


def test_expected_refuses_unknown_callables():
    with pytest.raises(TypeError, match="not a wcinit initializer"):
        wcinit.expected(np.zeros, (3,))
    with pytest.raises(TypeError, match="not a wcinit initializer"):
        wcinit.expected(lambda t: t, (3,))
    with pytest.raises(TypeError, match="do not fit"):
        wcinit.expected(functools.partial(wcinit.normal_, bogus=1), (3,))


# ---- cross-checks against JAX and Keras themselves ------------------------------------------

MODES = ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
DISTS = ["truncated_normal", "normal", "uniform"]


class _Ones:
    """Stands in for a framework's random module: every draw is 1 (or the upper
    bound), so the initializer's output is exactly the scale it applies."""

    def __init__(self, jnp_or_np, keras=False):
        self.xp, self.keras = jnp_or_np, keras

    def _ones(self, shape, dtype, value=1.0):
        return self.xp.full(tuple(shape), value, dtype=dtype or "float32")

    def normal(self, *a, **k):
        if self.keras:   # keras.random.normal(shape, mean, stddev, dtype, seed)
            return self._ones(a[0], k.get("dtype"), k["stddev"])
        return self._ones(a[1], a[2])

    truncated_normal = normal

    def uniform(self, *a, **k):
        if self.keras:   # keras.random.uniform(shape, minval, maxval, dtype, seed)
            return self._ones(a[0], k.get("dtype"), k["maxval"])
        return self._ones(a[1], a[2])


def _jax_applied_scale(monkeypatch, init, shape):
    """The limit (uniform), std (normal) or untruncated std (truncated normal)
    jax.nn.initializers applies on shape, through its own fans and formula: its
    random module is replaced by ones, so every output value is that scale."""
    import jax
    import jax.numpy as jnp
    from jax._src.nn import initializers as M
    real_truncated = M.random.truncated_normal

    def truncated(key, lower, upper, shape, dtype, **kw):
        assert (lower, upper) == (-2, 2)
        return jnp.ones(shape, dtype)
    fake = _Ones(jnp)
    fake.truncated_normal = truncated
    with monkeypatch.context() as m:
        m.setattr(M, "random", fake)
        out = np.asarray(init(jax.random.key(0), shape, jnp.float32), np.float64)
    assert M.random.truncated_normal is real_truncated
    assert (out == out.flat[0]).all()
    return float(out.flat[0])


def _keras_applied_scale(monkeypatch, init, shape):
    """The same for keras.initializers (keras/src/initializers/random_initializers.py)."""
    from keras.src.initializers import random_initializers as M
    with monkeypatch.context() as m:
        m.setattr(M, "random", _Ones(np, keras=True))
        out = np.asarray(init(shape, dtype="float32"), np.float64)
    assert (out == out.flat[0]).all()
    return float(out.flat[0])


def _jax_sample(jax, init, shape):
    import jax.numpy as jnp
    return np.asarray(init(jax.random.key(3), shape, jnp.float32))


def _wc_scale(e):
    """The same scale from wcinit's promise: the uniform's limit, the normal's std,
    the truncated normal's untruncated std."""
    return e.high if e.family == "uniform" else e.params["std"]


@pytest.mark.parametrize("shape,ia,oa,ba", FAN_GRID)
def test_variance_scaling_scale_equals_jax(shape, ia, oa, ba, monkeypatch):
    """Every mode x distribution: the limit/std JAX applies on this shape (read from
    its output, its random draws replaced by ones) equals wcinit's, to float32 rounding."""
    _jax()
    from jax.nn import initializers as I
    for mode in MODES:
        for dist in DISTS:
            got = _jax_applied_scale(monkeypatch, I.variance_scaling(1.7, mode, dist, ia, oa, ba),
                                     shape)
            e = wcinit.expected(functools.partial(wcinit.variance_scaling_, scale=1.7, mode=mode,
                                                  distribution=dist, in_axis=ia, out_axis=oa,
                                                  batch_axis=ba), shape)
            assert _wc_scale(e) == pytest.approx(got, rel=3e-6), (shape, mode, dist)


@pytest.mark.parametrize("name", sorted(_rules.VARIANCE_SCALING_SPECS))
@pytest.mark.parametrize("shape", [(784, 512), (3, 3, 64, 128), (5, 16, 32), (3, 3, 3, 8, 16)])
def test_named_scale_equals_jax(name, shape, monkeypatch):
    _jax()
    from jax.nn import initializers as I
    got = _jax_applied_scale(monkeypatch, getattr(I, name)(), shape)
    assert _wc_scale(wcinit.expected(getattr(wcinit, name + "_"), shape)) == pytest.approx(
        got, rel=3e-6)
    assert getattr(wcinit.jax, name + "_") is getattr(wcinit, name + "_")


KS_P = 1e-4


@pytest.mark.parametrize("dist", DISTS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,ia,oa,ba", [FAN_GRID[1], FAN_GRID[4]])
def test_variance_scaling_ks_against_jax(shape, ia, oa, ba, mode, dist):
    """Two-sample KS of wcinit's values against JAX's on the same shape; p >= 1e-4."""
    jax = _jax()
    st = pytest.importorskip("scipy.stats")
    from jax.nn import initializers as I
    theirs = _jax_sample(jax, I.variance_scaling(2.0, mode, dist, ia, oa, ba), shape)
    ours = wcinit.variance_scaling_(np.empty(shape, np.float32), 2.0, mode, dist, ia, oa, ba,
                                    generator=11)
    assert st.ks_2samp(ours.ravel(), theirs.ravel()).pvalue >= KS_P


@pytest.mark.parametrize("shape", [(784, 512), (3, 3, 64, 128), (5, 16, 32), (3, 3, 3, 8, 16),
                                   (7,)])
def test_keras_variance_scaling_scale_equals_keras(shape, monkeypatch):
    """Keras modes x distributions (its 'normal' is truncated): std/limit equal
    Keras's, to float32 rounding; wcinit.variance_scaling_ agrees for >= 2-D."""
    keras = _keras()
    for mode in ["fan_in", "fan_out", "fan_avg"]:
        for dist in ["truncated_normal", "normal", "untruncated_normal", "uniform"]:
            init = keras.initializers.VarianceScaling(0.5, mode, dist, seed=5)
            got = _keras_applied_scale(monkeypatch, init, shape)
            e = wcinit.expected(functools.partial(wcinit.keras.variance_scaling_, scale=0.5,
                                                  mode=mode, distribution=dist), shape)
            assert _wc_scale(e) == pytest.approx(got, rel=3e-6), (shape, mode, dist)
            if len(shape) >= 2:
                jdist = "truncated_normal" if dist == "normal" else dist
                e2 = wcinit.expected(functools.partial(wcinit.variance_scaling_, scale=0.5,
                                                       mode=mode, distribution=jdist), shape)
                assert _wc_scale(e2) == pytest.approx(got, rel=3e-6)


@pytest.mark.parametrize("name,keras_name", [
    ("lecun_uniform", "LecunUniform"), ("lecun_normal", "LecunNormal"),
    ("glorot_uniform", "GlorotUniform"), ("glorot_normal", "GlorotNormal"),
    ("he_uniform", "HeUniform"), ("he_normal", "HeNormal")])
def test_named_equals_keras_scale_and_ks(name, keras_name, monkeypatch):
    keras = _keras()
    st = pytest.importorskip("scipy.stats")
    shape = (3, 3, 64, 128)
    init = getattr(keras.initializers, keras_name)(seed=5)
    got = _keras_applied_scale(monkeypatch, init, shape)
    theirs = np.asarray(init(shape, dtype="float32"))
    for fn in (getattr(wcinit, name + "_"), getattr(wcinit.keras, name + "_")):
        assert _wc_scale(wcinit.expected(fn, shape)) == pytest.approx(got, rel=3e-6)
    ours = getattr(wcinit.keras, name + "_")(np.empty(shape, np.float32), generator=4)
    assert st.ks_2samp(ours.ravel(), theirs.ravel()).pvalue >= KS_P


def test_keras_explicit_axes_equal_keras(monkeypatch):
    keras = _keras()
    shape = (4, 6, 10)
    init = keras.initializers.VarianceScaling(1.0, "fan_avg", "uniform", seed=5,
                                              input_axes=[0, 1], output_axes=[2])
    got = _keras_applied_scale(monkeypatch, init, shape)
    e = wcinit.expected(functools.partial(wcinit.keras.variance_scaling_, mode="fan_avg",
                                          distribution="uniform", input_axes=[0, 1],
                                          output_axes=[2]), shape)
    assert e.fan_in == 24 and e.fan_out == 10
    assert e.high == pytest.approx(got, rel=3e-6)


def test_truncated_normal_ks_against_jax():
    jax = _jax()
    st = pytest.importorskip("scipy.stats")
    import jax.numpy as jnp
    from jax.nn import initializers as I
    for lower, upper in [(-2.0, 2.0), (-1.0, 3.0)]:
        theirs = np.asarray(I.truncated_normal(0.3, lower=lower, upper=upper)(
            jax.random.key(1), (300, 300), jnp.float32)).ravel()
        ours = wcinit.truncated_normal_(np.empty((300, 300), np.float32), 0.3, lower, upper,
                                        generator=2).ravel()
        assert st.ks_2samp(ours, theirs).pvalue >= KS_P
        assert ours.min() >= np.float32(0.3 * lower) and ours.max() <= np.float32(0.3 * upper)


def test_keras_simple_distributions_ks_against_keras():
    keras = _keras()
    st = pytest.importorskip("scipy.stats")
    shape = (300, 300)
    for theirs_init, ours_fn in [
            (keras.initializers.RandomNormal(0.1, 0.2, seed=1), wcinit.keras.random_normal_),
            (keras.initializers.RandomUniform(seed=1), wcinit.keras.random_uniform_),
            (keras.initializers.TruncatedNormal(0.1, 0.2, seed=1), wcinit.keras.truncated_normal_)]:
        theirs = np.asarray(theirs_init(shape, dtype="float32")).ravel()
        kw = {"mean": 0.1, "stddev": 0.2} if "normal" in ours_fn.__name__ else {}
        ours = ours_fn(np.empty(shape, np.float32), generator=3, **kw).ravel()
        assert st.ks_2samp(ours, theirs).pvalue >= KS_P, ours_fn.__name__


def test_jax_simple_distributions_ks_against_jax():
    jax = _jax()
    st = pytest.importorskip("scipy.stats")
    import jax.numpy as jnp
    from jax.nn import initializers as I
    shape = (300, 300)
    for theirs_init, ours_fn, kw in [(I.uniform(0.5), wcinit.jax.uniform_, {"scale": 0.5}),
                                     (I.normal(0.3), wcinit.jax.normal_, {"stddev": 0.3})]:
        theirs = np.asarray(theirs_init(jax.random.key(0), shape, jnp.float32)).ravel()
        ours = ours_fn(np.empty(shape, np.float32), generator=4, **kw).ravel()
        assert st.ks_2samp(ours, theirs).pvalue >= KS_P


# ---- orthogonal with column_axis, delta orthogonal, identity ------------------------------------

def _orthonormal_columns_or_rows(m, gain=1.0):
    r, c = m.shape
    g = m.T @ m if r >= c else m @ m.T
    return np.allclose(g, gain * gain * np.eye(min(r, c)), atol=1e-5 * max(1, gain * gain))


@pytest.mark.parametrize("shape,ca", [((3, 3, 16, 32), -1), ((3, 3, 16, 32), 2), ((64, 16), 0),
                                      ((16, 64), -1), ((2, 5, 7), 1)])
def test_orthogonal_column_axis_matches_jax(shape, ca):
    """The matrix with columns along column_axis is (semi-)orthogonal, for wcinit's
    and for JAX's own output; entries have the same distribution (KS)."""
    jax = _jax()
    st = pytest.importorskip("scipy.stats")
    import jax.numpy as jnp
    from jax.nn import initializers as I
    ours = wcinit.jax.orthogonal_(np.empty(shape), scale=1.5, column_axis=ca, generator=1)
    theirs = np.asarray(I.orthogonal(1.5, column_axis=ca)(jax.random.key(0), shape, jnp.float32))
    for w in (ours, theirs):
        m = np.moveaxis(w, ca, -1).reshape(-1, shape[ca]).astype(np.float64)
        assert _orthonormal_columns_or_rows(m, 1.5)
    big = [wcinit.jax.orthogonal_(np.empty(shape), scale=1.5, column_axis=ca, generator=s).ravel()
           for s in range(20)]
    bigj = [np.asarray(I.orthogonal(1.5, column_axis=ca)(jax.random.key(s), shape,
                                                          jnp.float32)).ravel()
            for s in range(20)]
    assert st.ks_2samp(np.concatenate(big), np.concatenate(bigj)).pvalue >= KS_P


def test_keras_orthogonal_matches_keras():
    keras = _keras()
    shape = (16, 64)     # an LSTM recurrent kernel (units, 4 units)
    theirs = np.asarray(keras.initializers.Orthogonal(gain=2.0, seed=1)(shape))
    ours = wcinit.keras.orthogonal_(np.empty(shape), gain=2.0, generator=1)
    assert _orthonormal_columns_or_rows(theirs.astype(np.float64), 2.0)
    assert _orthonormal_columns_or_rows(ours, 2.0)
    w = wcinit.keras.orthogonal_(np.empty((3, 3, 8, 4)), generator=2).reshape(-1, 4)
    assert np.allclose(w.T @ w, np.eye(4))


def test_torch_orthogonal_unchanged_by_jax_name():
    """torch's orthogonal_ keeps its (size(0), rest) view and its bits."""
    a = wcinit.orthogonal_(np.empty((6, 4)), generator=9)
    b = wcinit.orthogonal_(np.empty((6, 4)), generator=9)
    assert np.array_equal(a, b) and np.allclose(a.T @ a, np.eye(4))
    c = wcinit.jax.orthogonal_(np.empty((6, 4)), column_axis=-1, generator=9)
    assert np.array_equal(a, c)   # 2-D with column_axis=-1 is the same matrix view


@pytest.mark.parametrize("shape,ia,oa", [((3, 16, 32), -2, -1), ((3, 3, 16, 32), -2, -1),
                                         ((3, 3, 3, 8, 8), -2, -1), ((32, 16, 3, 3), 1, 0),
                                         ((4, 4, 8, 8), -2, -1)])
def test_delta_orthogonal_structure(shape, ia, oa):
    """Zero except the centre (k-1)//2 of each kernel axis; the centre is
    gain x an (in, out) matrix with orthonormal rows."""
    w = wcinit.delta_orthogonal_(np.full(shape, np.nan), gain=1.3, in_axis=ia, out_axis=oa,
                                 generator=5)
    nd = len(shape)
    ia, oa = ia % nd, oa % nd
    centre = tuple((s - 1) // 2 if i not in (ia, oa) else slice(None) for i, s in enumerate(shape))
    m = w[centre]
    m = m if ia < oa else m.T
    assert np.allclose(m @ m.T, 1.3 ** 2 * np.eye(shape[ia]))
    rest = w.copy()
    rest[centre] = 0
    assert np.count_nonzero(rest) == 0


def test_delta_orthogonal_centre_matches_jax():
    jax = _jax()
    import jax.numpy as jnp
    from jax.nn import initializers as I
    for shape in [(4, 4, 8, 8), (3, 5, 4, 8), (2, 2, 2, 4, 4)]:
        theirs = np.asarray(I.delta_orthogonal()(jax.random.key(0), shape, jnp.float32))
        ours = wcinit.delta_orthogonal_(np.empty(shape, np.float32), generator=0)
        assert np.array_equal(theirs != 0, ours != 0)


def _conv_same(x, w):
    """NumPy 'same' 2-D convolution (cross-correlation) of x (H, W, in) with an
    HWIO kernel, zero padding, the kernel centred at (k - 1)//2."""
    kh, kw, cin, cout = w.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    xp = np.pad(x, ((ph, kh - 1 - ph), (pw, kw - 1 - pw), (0, 0)))
    y = np.zeros(x.shape[:2] + (cout,))
    for i in range(kh):
        for j in range(kw):
            y += xp[i:i + x.shape[0], j:j + x.shape[1]] @ w[i, j]
    return y


def test_delta_orthogonal_convolution_preserves_norm():
    w = wcinit.delta_orthogonal_(np.empty((3, 3, 16, 32)), generator=3)
    x = np.random.default_rng(0).standard_normal((10, 12, 16))
    y = _conv_same(x, w)
    assert np.linalg.norm(y) == pytest.approx(np.linalg.norm(x), rel=1e-12)
    # per pixel too: each channel vector keeps its length
    assert np.allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1))
    w2 = wcinit.delta_orthogonal_(np.empty((3, 3, 16, 32)), gain=2.0, generator=3)
    assert np.linalg.norm(_conv_same(x, w2)) == pytest.approx(2 * np.linalg.norm(x), rel=1e-12)


def test_identity_equals_keras():
    keras = _keras()
    for shape in [(3, 5), (5, 3), (4, 4)]:
        theirs = np.asarray(keras.initializers.Identity(gain=0.7)(shape))
        ours = wcinit.identity_(np.empty(shape, np.float32), gain=0.7)
        assert np.array_equal(theirs, ours)


def test_stft_equals_keras():
    keras = _keras()
    pytest.importorskip("scipy.signal")
    for kw in [dict(), dict(side="imag"), dict(window="hamming", scaling="spectrum", periodic=True),
               dict(window=None, scaling=None)]:
        shape = (16, 1, 9)
        theirs = np.asarray(keras.initializers.STFT(**kw)(shape, dtype="float32"))
        ours = wcinit.keras.stft_(np.empty(shape, np.float32), **kw)
        # Keras computes in float32 (the JAX backend without x64), wcinit in float64
        assert np.allclose(ours, theirs, rtol=0, atol=2e-6), kw


# ---- MXNet ----------------------------------------------------------------------------------

def _mxnet_bilinear_loop(shape):
    """MXNet's _init_bilinear, element by element (python/mxnet/initializer.py)."""
    weight = np.zeros(math.prod(shape), dtype="float32")
    f = np.ceil(shape[3] / 2.)
    c = (2 * f - 1 - f % 2) / (2. * f)
    for i in range(math.prod(shape)):
        x = i % shape[3]
        y = (i // shape[3]) % shape[2]
        weight[i] = (1 - abs(x / f - c)) * (1 - abs(y / f - c))
    return weight.reshape(shape)


@pytest.mark.parametrize("shape", [(1, 1, 4, 4), (3, 1, 3, 3), (2, 2, 5, 5), (1, 1, 6, 4)])
def test_bilinear_equals_mxnet_formula(shape):
    ref = _mxnet_bilinear_loop(shape)
    assert np.array_equal(wcinit.bilinear_(np.empty(shape, np.float32)), ref)
    assert np.allclose(wcinit.mxnet.bilinear_(np.empty(shape)), ref, rtol=1e-7)


def test_bilinear_upsamples_bilinearly():
    """A stride-2 transposed convolution with the (4, 4) kernel doubles a ramp
    linearly in the interior (Long et al. 2015)."""
    k = wcinit.bilinear_(np.empty((1, 1, 4, 4)))[0, 0]
    x = np.arange(6.0)
    out = np.zeros(2 * 6 + 2)
    for i, v in enumerate(x):      # 1-D transposed conv, stride 2, kernel = one row's profile
        out[2 * i:2 * i + 4] += v * k[1] / k[1].max() * 0.75
    interior = out[3:-3]
    assert np.allclose(np.diff(interior), np.diff(interior)[0])


def test_lstm_bias():
    b = wcinit.lstm_bias_(np.full(12, np.nan), forget_bias=2.5)
    assert b.tolist() == [0, 0, 0, 2.5, 2.5, 2.5, 0, 0, 0, 0, 0, 0]
    assert wcinit.mxnet.lstm_bias_ is wcinit.lstm_bias_


@pytest.mark.parametrize("rnd_type,factor_type,magnitude", [
    ("uniform", "avg", 3.0), ("uniform", "in", 2.0), ("gaussian", "out", 2.0),
    ("gaussian", "avg", 3.0)])
def test_mxnet_xavier_scale(rnd_type, factor_type, magnitude):
    """c = sqrt(magnitude / n): n = (fan_in + fan_out)/2, fan_in or fan_out with
    MXNet's [out, in, *k] fans."""
    shape = (64, 32, 3, 3)
    fan_in, fan_out = 32 * 9, 64 * 9
    n = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[factor_type]
    c = math.sqrt(magnitude / n)
    e = wcinit.expected(functools.partial(wcinit.mxnet.xavier_, rnd_type=rnd_type,
                                          factor_type=factor_type, magnitude=magnitude), shape)
    if rnd_type == "uniform":
        assert e.high == pytest.approx(c, rel=1e-15) and e.family == "uniform"
    else:
        assert e.std == pytest.approx(c, rel=1e-15) and e.family == "normal"


def test_mxnet_msra_prelu_and_orthogonal():
    e = wcinit.expected(functools.partial(wcinit.mxnet.msra_prelu_, factor_type="in", slope=0.25),
                        (256, 256))
    assert e.std == pytest.approx(math.sqrt(2 / (1 + 0.0625) / 256), rel=1e-15)
    for shape, rand_type in [((4, 6), "uniform"), ((6, 4), "normal"), ((8, 2, 3, 3), "uniform")]:
        w = wcinit.mxnet.orthogonal_(np.empty(shape), scale=1.414, rand_type=rand_type, generator=1)
        assert _orthonormal_columns_or_rows(w.reshape(shape[0], -1), 1.414)


# ---- analytical moments and exact supports, every new function x dtype ------------------------

import reference as R  # noqa: E402

K = 6.0                      # standard errors
S = (3, 3, 16, 32)           # HWIO: fan_in 144, fan_out 288
FI, FO = 144, 288
T2 = 0.87962566103423978     # std of N(0, 1) on [-2, 2] (derived above)


def _tn(var):
    s = math.sqrt(var) / T2
    return ("trunc", (0.0, s, -2 * s, 2 * s))


def _un(var):
    a = math.sqrt(3 * var)
    return ("uniform", (-a, a))


F = wcinit._frameworks
LAW_CASES = [
    ("vs_trunc_fan_in", wcinit.variance_scaling_,
     dict(scale=2.0, mode="fan_in", distribution="truncated_normal"), S, _tn(2 / FI)),
    ("vs_normal_fan_out", wcinit.variance_scaling_,
     dict(mode="fan_out", distribution="normal"), S, ("normal", (0.0, math.sqrt(1 / FO)))),
    ("vs_uniform_fan_avg", wcinit.variance_scaling_,
     dict(scale=0.5, mode="fan_avg", distribution="uniform"), S, _un(0.5 / ((FI + FO) / 2))),
    ("vs_untrunc_geo", wcinit.variance_scaling_,
     dict(mode="fan_geo_avg", distribution="untruncated_normal"), S,
     ("normal", (0.0, math.sqrt(1 / math.sqrt(FI * FO))))),
    ("vs_torch_layout", wcinit.variance_scaling_,
     dict(scale=2.0, distribution="uniform", in_axis=1, out_axis=0), (32, 16, 3, 3), _un(2 / FI)),
    ("lecun_uniform", wcinit.lecun_uniform_, {}, S, _un(1 / FI)),
    ("lecun_normal", wcinit.lecun_normal_, {}, S, _tn(1 / FI)),
    ("glorot_uniform", wcinit.glorot_uniform_, {}, S, _un(2 / (FI + FO))),
    ("glorot_normal", wcinit.glorot_normal_, {}, S, _tn(2 / (FI + FO))),
    ("he_uniform", wcinit.he_uniform_, {}, S, _un(2 / FI)),
    ("he_normal", wcinit.he_normal_, {}, S, _tn(2 / FI)),
    ("jax_truncated_normal", wcinit.truncated_normal_, dict(stddev=0.3, lower=-1.0, upper=3.0),
     (64, 64), ("trunc", (0.0, 0.3, -0.3, 0.9))),
    ("jax_uniform", wcinit.jax.uniform_, dict(scale=0.5), (64, 64), ("uniform", (0.0, 0.5))),
    ("jax_normal", wcinit.jax.normal_, dict(stddev=0.3), (64, 64), ("normal", (0.0, 0.3))),
    ("keras_random_normal", wcinit.keras.random_normal_, dict(mean=0.1, stddev=0.2), (64, 64),
     ("normal", (0.1, 0.2))),
    ("keras_random_uniform", wcinit.keras.random_uniform_, dict(minval=-0.3, maxval=0.1),
     (64, 64), ("uniform", (-0.3, 0.1))),
    ("keras_truncated_normal", wcinit.keras.truncated_normal_, dict(mean=0.1, stddev=0.2),
     (64, 64), ("trunc", (0.1, 0.2, -0.3, 0.5))),
    ("keras_vs_normal_is_truncated", wcinit.keras.variance_scaling_,
     dict(scale=2.0, distribution="normal"), S, _tn(2 / FI)),
    ("keras_he_uniform", wcinit.keras.he_uniform_, {}, S, _un(2 / FI)),
    ("keras_glorot_normal_vector", wcinit.keras.glorot_normal_, {}, (50,), _tn(1 / 50)),
    ("mxnet_uniform", wcinit.mxnet.uniform_, {}, (64, 64), ("uniform", (-0.07, 0.07))),
    ("mxnet_normal", wcinit.mxnet.normal_, {}, (64, 64), ("normal", (0.0, 0.01))),
    ("mxnet_xavier", wcinit.mxnet.xavier_, {}, (32, 16, 3, 3), _un(1 / ((FI + FO) / 2))),
    ("mxnet_xavier_gaussian_out", wcinit.mxnet.xavier_,
     dict(rnd_type="gaussian", factor_type="out", magnitude=2.0), (32, 16, 3, 3),
     ("normal", (0.0, math.sqrt(2 / FO)))),
    ("mxnet_msra_prelu", wcinit.mxnet.msra_prelu_, {}, (32, 16, 3, 3),
     ("normal", (0.0, math.sqrt(2 / (1 + 0.25 ** 2) / ((FI + FO) / 2))))),
    ("torch_bias", wcinit.presets.fan_in_uniform_, dict(fan_in=128), (64,),
     ("uniform", (-1 / math.sqrt(128), 1 / math.sqrt(128)))),
    ("torch_embedding", wcinit.presets.embedding_normal_, {}, (100, 16), ("normal", (0.0, 1.0))),
]
LAW_IDS = [c[0] for c in LAW_CASES]


def _moments(law):
    kind, p = law
    return {"uniform": R.uniform_moments, "normal": R.normal_moments,
            "trunc": R.trunc_normal_moments}[kind](*p)


def _rounding(dtype, m):
    """Max |stored - exact| of one value of magnitude <= m: computed in float32
    (float64 for float64 arrays) with a few ulps, then rounded once to 16 bits."""
    name = np.dtype(dtype).name
    if name == "float64":
        return 8 * R.ulp("float64", m)
    return 8 * R.ulp("float32", m) + (R.ulp(name, m) / 2 if name != "float32" else 0.0)


def _stored(v, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return float(v)
    return float(np.asarray(np.float32(v)).astype(dtype).astype(np.float64))


def _draw(fn, shape, dtype, seed, kw, n_min=200_000):
    g = wcinit.Generator(seed)
    reps = max(1, -(-n_min // math.prod(shape)))
    return np.concatenate([as_f64(fn(np.empty(shape, dtype), generator=g, **kw)).ravel()
                           for _ in range(reps)])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=FLOAT_IDS)
@pytest.mark.parametrize("case", LAW_CASES, ids=LAW_IDS)
def test_moments_and_support(case, dtype):
    """Sample mean within K SE = K sqrt(var/n) and sample variance within
    K sqrt((mu4 - var^2)/n) of the analytical law (plus rounding); bounded laws:
    every value within [a, b] as stored in the dtype."""
    name, fn, kw, shape, law = case
    mean, var, mu4 = _moments(law)
    x = _draw(fn, shape, dtype, 500 + LAW_IDS.index(name), kw)
    n = x.size
    assert np.isfinite(x).all()
    h = _rounding(dtype, max(np.abs(x).max(), abs(mean)))
    assert abs(x.mean() - mean) <= K * math.sqrt(var / n) + h, name
    se_v = math.sqrt((mu4 - var * var) / n)
    tol_v = K * se_v + var / n + h * (2 * math.sqrt(var + K * se_v) + h)
    assert abs(x.var() - var) <= tol_v, name
    kind, p = law
    if kind != "normal":
        lo, hi = (p[0], p[1]) if kind == "uniform" else (p[2], p[3])
        assert x.min() >= _stored(lo, dtype) and x.max() <= _stored(hi, dtype), name


@pytest.mark.parametrize("case", LAW_CASES, ids=LAW_IDS)
def test_ks_against_the_exact_law(case):
    st = pytest.importorskip("scipy.stats")
    name, fn, kw, shape, law = case
    x = _draw(fn, shape, np.float64, 900 + LAW_IDS.index(name), kw, n_min=100_000)
    kind, p = law
    cdf = {"uniform": lambda: st.uniform(loc=p[0], scale=p[1] - p[0]).cdf,
           "normal": lambda: st.norm(loc=p[0], scale=p[1]).cdf,
           "trunc": lambda: st.truncnorm((p[2] - p[0]) / p[1], (p[3] - p[0]) / p[1],
                                         loc=p[0], scale=p[1]).cdf}[kind]()
    assert st.kstest(x, cdf).pvalue >= KS_P, name


@pytest.mark.parametrize("case", LAW_CASES, ids=LAW_IDS)
def test_expected_states_the_same_law(case):
    """wcinit.expected tells the law the moments test checks."""
    name, fn, kw, shape, law = case
    e = wcinit.expected(functools.partial(fn, **kw), shape)
    mean, var, _ = _moments(law)
    assert e.mean == pytest.approx(mean, abs=1e-15) and e.std == pytest.approx(math.sqrt(var))
    kind, p = law
    assert e.family == {"uniform": "uniform", "normal": "normal", "trunc": "trunc_normal"}[kind]
    if kind == "uniform":
        assert (e.low, e.high) == pytest.approx(p)
    elif kind == "trunc":
        assert (e.low, e.high) == pytest.approx(p[2:])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=FLOAT_IDS)
def test_structured_initializers_every_dtype(dtype):
    """Exact values of the deterministic ones, orthogonality of the orthogonal
    ones, in every dtype (tolerance: the dtype's resolution)."""
    eps = float(np.finfo(np.float16).eps) if np.dtype(dtype).itemsize == 2 else 1e-6
    if np.dtype(dtype).name == "bfloat16":
        eps = 2.0 ** -7
    w = as_f64(wcinit.delta_orthogonal_(np.empty((3, 3, 8, 16), dtype), generator=1))
    assert np.allclose(w[1, 1] @ w[1, 1].T, np.eye(8), atol=8 * eps)
    assert np.count_nonzero(w) == np.count_nonzero(w[1, 1])
    w = as_f64(wcinit.jax.orthogonal_(np.empty((4, 4, 8), dtype), column_axis=0, generator=2))
    m = np.moveaxis(w, 0, -1).reshape(-1, 4)
    assert np.allclose(m.T @ m, np.eye(4), atol=8 * eps)
    assert np.array_equal(as_f64(wcinit.identity_(np.empty((3, 4), dtype), gain=0.5)),
                          0.5 * np.eye(3, 4))
    assert np.array_equal(as_f64(wcinit.lstm_bias_(np.empty(8, dtype))), [0, 0, 1, 1, 0, 0, 0, 0])
    ref = _mxnet_bilinear_loop((1, 1, 4, 4)).astype(np.float64)
    assert np.array_equal(as_f64(wcinit.bilinear_(np.empty((1, 1, 4, 4), dtype))),
                          ref.astype(dtype).astype(np.float64))
    w = as_f64(wcinit.mxnet.orthogonal_(np.empty((4, 8), dtype), scale=1.0, generator=3))
    assert np.allclose(w @ w.T, np.eye(4), atol=8 * eps)


def test_same_seed_same_bits_and_streams_shared_with_torch_names():
    """variance_scaling_ is the core's fill: he_uniform_ on (in, out) and
    kaiming_uniform_ on the transposed torch layout draw the same stream, and
    with the same bound the same bits."""
    a = wcinit.he_uniform_(np.empty((128, 64), np.float32), generator=42)
    b = wcinit.he_uniform_(np.empty((128, 64), np.float32), generator=42)
    assert np.array_equal(a, b)
    c = wcinit.uniform_(np.empty((128, 64), np.float32), -math.sqrt(6 / 128), math.sqrt(6 / 128),
                        generator=42)
    assert np.array_equal(a, c)


# ---- errors: named, raised before anything is written ------------------------------------------

ERROR_CASES = [
    (wcinit.variance_scaling_, (), dict(scale=0.0), ValueError, "variance_scaling_: scale"),
    (wcinit.variance_scaling_, (), dict(scale="a"), TypeError, "variance_scaling_.*'scale'"),
    (wcinit.variance_scaling_, (), dict(mode="fan"), ValueError, "variance_scaling_: mode"),
    (wcinit.variance_scaling_, (), dict(distribution="gamma"), ValueError,
     "variance_scaling_: distribution"),
    (wcinit.variance_scaling_, (), dict(in_axis=5), ValueError, "variance_scaling_: in_axis=5"),
    (wcinit.variance_scaling_, (), dict(batch_axis=1.0), TypeError,
     "variance_scaling_: batch_axis"),
    (wcinit.he_normal_, (), dict(out_axis=(0, 9)), ValueError, "he_normal_: out_axis=9"),
    (wcinit.truncated_normal_, (), dict(stddev=-1.0), ValueError, "truncated_normal_: stddev"),
    (wcinit.truncated_normal_, (), dict(lower=2.0, upper=1.0), ValueError,
     "truncated_normal_: lower"),
    (wcinit.delta_orthogonal_, (), dict(gain=math.nan), ValueError, "delta_orthogonal_: gain"),
    (wcinit.identity_, (), dict(gain=1e39), ValueError, "identity_: gain"),
    (wcinit.mxnet.xavier_, (), dict(rnd_type="normal"), ValueError, "xavier_: rnd_type"),
    (wcinit.mxnet.xavier_, (), dict(factor_type="fan_in"), ValueError, "xavier_: factor_type"),
    (wcinit.mxnet.msra_prelu_, (), dict(slope="x"), TypeError, "msra_prelu_.*'slope'"),
    (wcinit.mxnet.uniform_, (), dict(scale=-1.0), ValueError, "uniform_: scale"),
    (wcinit.mxnet.orthogonal_, (), dict(rand_type="haar"), ValueError, "orthogonal_: rand_type"),
    (wcinit.jax.orthogonal_, (), dict(column_axis=3), ValueError, "orthogonal_: column_axis=3"),
    (wcinit.keras.variance_scaling_, (), dict(mode="fan_geo_avg"), ValueError,
     "variance_scaling_: mode"),
    (wcinit.keras.random_uniform_, (), dict(minval=1.0, maxval=0.0), ValueError,
     "random_uniform_: minval"),
    (wcinit.keras.stft_, (), dict(side="both"), ValueError, "stft_: side"),
    (wcinit.lstm_bias_, (), dict(forget_bias=math.inf), ValueError, "lstm_bias_: forget_bias"),
    (wcinit.presets.fan_in_uniform_, (), dict(fan_in=-1), ValueError, "fan_in_uniform_: fan_in"),
    (wcinit.presets.embedding_normal_, (), dict(padding_idx=8), ValueError,
     "embedding_normal_: padding_idx"),
]


@pytest.mark.parametrize("fn,args,kw,exc,match", ERROR_CASES,
                         ids=[f"{c[0].__name__}-{sorted(c[2])[0]}" for c in ERROR_CASES])
def test_errors_name_function_and_argument_and_touch_nothing(fn, args, kw, exc, match):
    a = np.full((8, 8), 7.0, np.float32)
    g = wcinit.Generator(3)
    before = g.get_state().copy()
    if "generator" in inspect.signature(fn).parameters:
        kw = dict(kw, generator=g)
    with pytest.raises(exc, match=match):
        fn(a, *args, **kw)
    assert (a == 7.0).all()
    assert np.array_equal(g.get_state(), before)


@pytest.mark.parametrize("fn,shape,match", [
    (wcinit.delta_orthogonal_, (8, 8), "delta_orthogonal_: .*3D, 4D or 5D"),
    (wcinit.delta_orthogonal_, (3, 3, 16, 8), "delta_orthogonal_: the input size"),
    (wcinit.identity_, (2, 2, 2), "identity_: .*2D"),
    (wcinit.bilinear_, (4, 4), "bilinear_: requires a 4D"),
    (wcinit.lstm_bias_, (6,), "lstm_bias_: the first dimension"),
    (wcinit.mxnet.xavier_, (6,), "xavier_: .*at least 2D"),
    (wcinit.lecun_normal_, (6,), "lecun_normal_: can't compute"),
    (wcinit.jax.orthogonal_, (6,), "orthogonal_: .*at least a 2D"),
])
def test_shape_errors_touch_nothing(fn, shape, match):
    a = np.full(shape, 7.0)
    with pytest.raises(ValueError, match=match):
        fn(a)
    assert (a == 7.0).all()


def test_not_representable_limit_refused():
    """A limit the dtype cannot hold is refused before writing (float16 max 65504)."""
    a = np.full((2, 1), 7.0, np.float16)
    with pytest.raises(ValueError, match="variance_scaling_: the limit"):
        wcinit.variance_scaling_(a, scale=1e10, distribution="uniform", in_axis=0, out_axis=1)
    assert (a == 7.0).all()


def test_zero_element_arrays_are_a_no_op_with_torchs_warning():
    for fn in (wcinit.variance_scaling_, wcinit.he_normal_, wcinit.mxnet.xavier_,
               wcinit.jax.orthogonal_):
        with pytest.warns(UserWarning, match="zero-element"):
            fn(np.empty((0, 4)))


def test_torch_tensors_in_place(torch):
    t = torch.empty(64, 32)
    out = wcinit.he_uniform_(t, generator=1)
    assert out is t and float(t.abs().max()) <= math.sqrt(6 / 64)


# ---- SELU: self-normalizing through 32 layers -------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def _selu(x):
    return SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def _selu_forward(init, width=512, depth=32, batch=4096, seed=0):
    x = np.random.default_rng(seed).standard_normal((batch, width))
    g = wcinit.Generator(seed)
    stats = []
    for _ in range(depth):
        w = init(np.empty((width, width)), generator=g)     # (in, out): x @ w
        x = _selu(x @ w)
        stats.append((x.mean(), x.var()))
    return np.array(stats)


def test_selu_keeps_mean_0_var_1_with_lecun_normal():
    """Klambauer et al. (2017): with Var(w) = 1/fan_in, (mean, var) = (0, 1) is the
    attracting fixed point of SELU layers.  Through 32 layers of width 512 each
    layer's activations keep |mean| < 0.1 and |var - 1| < 0.1 (the fixed point
    plus the O(1/sqrt(width)) fluctuation of one random layer); the same network
    with a 1.2x larger std drifts off (var > 1.3), so the test can fail."""
    stats = _selu_forward(wcinit.lecun_normal_)
    assert np.abs(stats[:, 0]).max() < 0.1, stats
    assert np.abs(stats[:, 1] - 1).max() < 0.1, stats
    wide = _selu_forward(lambda a, generator: wcinit.variance_scaling_(
        a, scale=1.44, generator=generator))
    assert wide[-1, 1] > 1.3


# ---- none missing: every framework initializer has a wcinit name ------------------------------

MXNET_INITIALIZERS = {  # python/mxnet/initializer.py, the value initializers (not Load/Mixed/FusedRNN)
    "Zero": "zero_", "One": "one_", "Constant": "constant_", "Uniform": "uniform_",
    "Normal": "normal_", "Orthogonal": "orthogonal_", "Xavier": "xavier_",
    "MSRAPrelu": "msra_prelu_", "Bilinear": "bilinear_", "LSTMBias": "lstm_bias_",
}


def test_every_jax_and_flax_initializer_has_a_name():
    _jax()
    import jax.nn.initializers as I
    names = [n for n in dir(I) if not n.startswith("_") and n != "Initializer"]
    assert len(names) >= 19
    for n in names:
        assert callable(getattr(wcinit.jax, n + "_")), n
    flax_init = pytest.importorskip("flax.linen.initializers")
    for n in dir(flax_init):
        if not n.startswith("_") and n != "Initializer":
            assert callable(getattr(wcinit.flax, n + "_")), n


def test_every_keras_initializer_has_a_name():
    keras = _keras()
    names = [n for n in dir(keras.initializers) if not n.startswith("_") and n.islower()
             and n not in ("get", "serialize", "deserialize")]
    assert len(names) >= 16
    for n in names:
        assert callable(getattr(wcinit.keras, n + "_")), n


def test_every_mxnet_initializer_has_a_name():
    for cls, name in MXNET_INITIALIZERS.items():
        assert callable(getattr(wcinit.mxnet, name)), cls
    assert sorted(wcinit.mxnet.__all__) == sorted(MXNET_INITIALIZERS.values())

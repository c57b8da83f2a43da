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

"""wcinit.diagnostics: statistics against the rules, signal propagation, plots.

Statistical tests state the analytical value they check and derive their
tolerance from its standard error:

* sample mean of n i.i.d. values: standard error sigma / sqrt(n);
* sample variance: sigma^2 sqrt(2/(n-1) + kappa/n), kappa the excess kurtosis
  (0 normal, -6/5 uniform, from the moments for a truncated normal);
* ReLU layer with Var W = c / n on a fixed input: given the previous layer's
  activations, the n output units are i.i.d. and E[relu(z)^2] = c q / 2 exactly,
  with relative variance at most 5 / n (E relu(z)^4 / (E relu(z)^2)^2 - 1 = 5),
  so the mean of L successive layer ratios has standard error at most
  (c/2) sqrt(5 / (n L)) (Hanin & Rolnick 2018 for the 5).
"""
import functools
import html.parser
import math
import subprocess
import sys

import numpy as np
import pytest

import wcinit
from wcinit import diagnostics as D

HE = functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")


class _Checker(html.parser.HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""
    VOID = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def assert_valid_html(text, must=("table", "tr", "td", "th")):
    p = _Checker()
    p.feed(text)
    p.close()
    assert not p.errors, p.errors
    assert not p.stack, f"unclosed: {p.stack}"
    assert set(must) <= p.tags


# ---- stats: correct parameters pass ------------------------------------------------------

CORRECT = [
    ("kaiming_normal", HE, (512, 1024)),
    ("kaiming_uniform", wcinit.kaiming_uniform_, (256, 128, 3, 3)),
    ("xavier_uniform", wcinit.xavier_uniform_, (1024, 512)),
    ("xavier_normal", functools.partial(wcinit.xavier_normal_, gain=5 / 3), (300, 700)),
    ("normal", functools.partial(wcinit.normal_, mean=0.5, std=0.02), (100000,)),
    ("uniform", functools.partial(wcinit.uniform_, a=-3.0, b=1.0), (50000,)),
    ("trunc_normal", functools.partial(wcinit.trunc_normal_, std=0.02, a=-0.04, b=0.04), (768, 768)),
    ("orthogonal", functools.partial(wcinit.orthogonal_, gain=math.sqrt(2)), (384, 256)),
    ("sparse", functools.partial(wcinit.sparse_, sparsity=0.3, std=0.05), (400, 300)),
    ("zeros", wcinit.zeros_, (64,)),
    ("constant", functools.partial(wcinit.constant_, val=0.25), (7, 9)),
    ("eye", wcinit.eye_, (20, 30)),
    ("dirac", wcinit.dirac_, (16, 8, 3, 3)),
]


@pytest.mark.parametrize("label,rule,shape", CORRECT, ids=[c[0] for c in CORRECT])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_correct_parameters_pass(label, rule, shape, dtype):
    w = np.empty(shape, dtype)
    D._apply_init(rule, w, wcinit.Generator(11))
    rep = D.stats({label: w}, {label: rule})
    row = rep[label]
    assert row["flags"] == [], (row, str(rep))
    assert rep.ok and rep.flagged == []
    assert row["shape"] == shape and row["dtype"] == np.dtype(dtype).name


def test_single_array_and_single_rule():
    w = wcinit.xavier_uniform_(np.empty((64, 32)), generator=0)
    rep = D.stats(w, wcinit.xavier_uniform_)
    assert [r["name"] for r in rep.rows()] == ["tensor"] and rep.ok
    bound = math.sqrt(6 / 96)
    row = rep["tensor"]
    assert (row["fan_in"], row["fan_out"]) == (32, 64)
    assert row["expected_low"] == pytest.approx(-bound) and row["expected_high"] == pytest.approx(bound)
    assert row["expected_std"] == pytest.approx(bound / math.sqrt(3))


# ---- stats: mistakes are flagged ---------------------------------------------------------

def test_wrong_scale_is_flagged():
    """std 5% too large on n = 524288: the variance is off by 10.25%, and the
    sample variance's standard error is sqrt(2/n) = 0.2% -- about 50 SE."""
    w = wcinit.normal_(np.empty((512, 1024)), std=1.05 * math.sqrt(2 / 1024), generator=3)
    row = D.stats({"w": w}, {"w": HE})["w"]
    assert "std" in row["flags"] and row["z_var"] > 40
    assert "transposed" not in row["flags"]          # square fans would not explain it


def test_shifted_mean_is_flagged():
    """A mean of 10 standard errors (sigma/sqrt(n)) is flagged, the variance is not."""
    sigma, n = math.sqrt(2 / 1024), 512 * 1024
    w = wcinit.normal_(np.empty((512, 1024)), mean=10 * sigma / math.sqrt(n), std=sigma, generator=3)
    row = D.stats({"w": w}, {"w": HE})["w"]
    assert row["flags"] == ["mean"] and 9 < row["z_mean"] < 11


def test_transposed_weight_is_flagged():
    """He with fan_in = 1024 stored as [in, out]: the rule then expects
    std sqrt(2/256), twice what the array has, and the swapped shape explains it."""
    w = HE(np.empty((256, 1024), np.float32), generator=5)
    rep = D.stats({"fc.weight": w.T, "ok.weight": w}, {"*.weight": HE})
    assert rep["fc.weight"]["flags"] == ["std", "transposed"]
    assert rep["ok.weight"]["flags"] == []
    assert rep.flagged == ["fc.weight"] and not rep.ok


def test_transposed_conv_kernel_is_flagged():
    w = wcinit.kaiming_uniform_(np.empty((256, 32, 3, 3), np.float32), generator=1)
    swapped = np.ascontiguousarray(w.transpose(1, 0, 2, 3))   # [in, out, kh, kw]
    rep = D.stats({"c": swapped}, {"c": wcinit.kaiming_uniform_})
    assert {"std", "transposed"} <= set(rep["c"]["flags"])


def test_forgotten_init_is_flagged():
    rep = D.stats({"a.weight": np.zeros((128, 64)), "b.weight": np.full((128, 64), 0.1)},
                  {"*.weight": HE})
    assert rep["a.weight"]["flags"] == ["std", "constant"]
    assert {"std", "constant"} <= set(rep["b.weight"]["flags"])


def test_out_of_bounds_and_nonfinite_are_flagged():
    w = wcinit.xavier_uniform_(np.empty((64, 64)), generator=0)
    w[0, 0] = 1.01 * math.sqrt(6 / 128)
    assert "bounds" in D.stats({"w": w}, {"w": wcinit.xavier_uniform_})["w"]["flags"]
    w[0, 0] = np.nan
    assert D.stats({"w": w}, {"w": wcinit.xavier_uniform_})["w"]["flags"] == ["nonfinite"]
    assert D.stats({"w": w})["w"]["flags"] == ["nonfinite"]          # no rule needed


def test_deterministic_rules_must_match_exactly():
    e = wcinit.eye_(np.empty((10, 10)))
    e[3, 4] = 1.0                                 # one extra one
    assert D.stats({"e": e}, {"e": wcinit.eye_})["e"]["flags"]
    assert D.stats({"b": np.full(8, 1e-3)}, {"b": wcinit.zeros_})["b"]["flags"]


@pytest.mark.parametrize("rule,kappa", [
    (wcinit.normal_, 0.0),
    (wcinit.uniform_, -1.2),
    (functools.partial(wcinit.trunc_normal_, a=-1.0, b=1.0), None),   # kappa from its moments
])
def test_variance_z_scores_are_standard(rule, kappa):
    """Under a correct rule z_var = (s^2 - sigma^2) / SE is ~ N(0, 1) if the
    standard error uses the family's kurtosis (without it a uniform's z would
    have std sqrt(0.8/2) = 0.63).  400 arrays of 2000 values: the std of the z's
    has standard error ~ 1/sqrt(2*399) = 0.035; allowed 1 +- 5 SE."""
    if kappa is None:
        kappa = D._trunc_kurtosis(0.0, 1.0, -1.0, 1.0)
        assert -1.2 < kappa < -0.9          # between the uniform's and the normal's
    zs = []
    g = wcinit.Generator(2024)
    for _ in range(400):
        w = D._apply_init(rule, np.empty(2000), g)
        zs.append(D.stats({"w": w}, {"w": rule})["w"]["z_var"])
    zs = np.array(zs)
    assert abs(zs.std() - 1) < 5 * 0.035, zs.std()
    assert abs(zs.mean()) < 5 / math.sqrt(400)


def test_truncated_normal_kurtosis():
    """Excess kurtosis of a truncated normal: 0 untruncated, -6/5 in the narrow
    limit (a uniform), scipy.stats.truncnorm's value in between and deep in a tail."""
    assert D._trunc_kurtosis(0.0, 1.0, -40.0, 40.0) == pytest.approx(0.0, abs=1e-12)
    assert D._trunc_kurtosis(0.0, 1.0, -math.inf, math.inf) == pytest.approx(0.0, abs=1e-12)
    assert D._trunc_kurtosis(0.0, 1.0, -1e-4, 1e-4) == pytest.approx(-1.2, abs=1e-7)
    st = pytest.importorskip("scipy.stats")
    for a, b in ((-0.5, 2.0), (-2.0, 2.0), (-1.0, 1.0), (0.0, math.inf), (3.0, 3.5), (-0.1, 0.3)):
        k = float(st.truncnorm(a, b).stats(moments="k"))
        assert D._trunc_kurtosis(0.0, 1.0, a, b) == pytest.approx(k, rel=1e-8, abs=1e-10), (a, b)
    # trunc_normal_'s absolute bounds: N(0.5, 0.02^2) on [0.48, 0.54] is truncnorm(-1, 2)
    k = float(st.truncnorm(-1.0, 2.0).stats(moments="k"))
    assert D._trunc_kurtosis(0.5, 0.02, 0.48, 0.54) == pytest.approx(k, rel=1e-8)
    # deep in a tail ([40, inf) sd): an exponential-like shape, excess kurtosis -> 6
    assert 5.5 < D._trunc_kurtosis(0.0, 1.0, 40.0, math.inf) < 6.0


def test_stats_of_an_init_params_report():
    params = {"fc1": {"weight": np.empty((256, 784), np.float32), "bias": np.empty(256, np.float32)},
              "fc2": {"weight": np.empty((10, 256), np.float32), "bias": np.empty(10, np.float32)}}
    report = wcinit.init_params(params, [("*.weight", HE), ("*.bias", wcinit.zeros_)], generator=0)
    rep = D.stats(report)
    assert rep.ok and [r["name"] for r in rep.rows()] == report.names()
    assert rep["fc1.weight"]["expected_std"] == pytest.approx(math.sqrt(2 / 784))
    # the report's rules applied to other arrays: a forgotten init shows
    params["fc2"]["weight"][...] = 0
    assert D.stats(params, report).flagged == ["fc2.weight"]


def test_stats_rows_dict_text_html():
    w = HE(np.empty((128, 64)), generator=0)
    rep = D.stats({"l1": {"weight": w, "bias": np.zeros(128)}, "l2": [w.T]},
                  {"*.weight": HE, "*.bias": "zeros_", "l2.0": ("kaiming_normal_", {"nonlinearity": "relu"})})
    names = [r["name"] for r in rep.rows()]
    assert names == ["l1.weight", "l1.bias", "l2.0"]
    assert set(rep.to_dict()) == set(names)
    assert rep.to_dict()["l2.0"]["flags"] == ["std", "transposed"]
    text = str(rep)
    assert all(n in text for n in names) and "transposed" in text and "1 outside 6" in text
    assert_valid_html(rep._repr_html_())
    for r in rep.rows():                  # flat rows: what pandas.DataFrame(rows) takes
        assert all(isinstance(v, (str, int, float, tuple, list, bool, type(None)))
                   for v in r.values()), r


def test_stats_of_a_torch_module(torch):
    torch.manual_seed(0)
    lin = torch.nn.Linear(300, 200)
    rep = D.stats(lin, {"weight": functools.partial(wcinit.kaiming_uniform_, a=math.sqrt(5))})
    assert rep["weight"]["flags"] == [] and rep["bias"]["flags"] == []   # bias has no rule
    assert rep["weight"]["shape"] == (200, 300)


def test_stats_bad_input():
    with pytest.raises(ValueError, match="stats: sigmas"):
        D.stats(np.zeros(3), sigmas=0)
    with pytest.raises(ValueError, match="unknown initializer 'nope_'"):
        D.stats({"w": np.zeros((3, 3))}, {"w": "nope_"})
    with pytest.raises(TypeError, match="stats: parameter 'w'"):
        D.stats({"w": object()})


# ---- propagation ---------------------------------------------------------------------------

def test_he_relu_and_xavier_tanh_stay_healthy_over_50_layers():
    """He on ReLU keeps E[h^2] (std ratio sqrt(1 - 1/pi) = 0.83 in expectation);
    its log fluctuates with variance ~ 5 L / n = 1 at L = 50, n = 256, so the
    band [1e-2, 1e2] on the std (+-4.6 in log std, +-9 in log variance) is
    ~9 standard deviations away.  Xavier on tanh decays like q_l ~ 1/(2l)."""
    c = D.compare({"he": HE, "xavier": "xavier_normal_"}, widths=[256] * 51, activation="relu",
                  batch=128, generator=7)
    assert c["he"].verdict == "Healthy" and c["he"].depth == 50
    assert all(r["status"] == "Healthy" for r in c["he"].rows())
    assert c["xavier"].verdict == "Vanishing"            # Xavier halves E[h^2] per ReLU layer
    t = D.compare(["xavier_normal_", "xavier_uniform_"], widths=[256] * 51, activation="tanh",
                  batch=128, generator=7)
    for p in t:
        assert p.verdict == "Healthy", str(p)
        assert 0.03 < p.rows()[-1]["ratio"] < 0.3        # ~ sqrt(1/(2*50)) = 0.1


@pytest.mark.parametrize("activation", ["relu", "linear", "leaky_relu"])
def test_small_and_large_normal_vanish_and_explode_by_layer_5(activation):
    """N(0, 0.01) multiplies the variance by n 1e-4 (x 1/2 for ReLU) per layer,
    N(0, 1) by n (x 1/2): at n = 256, 1e-2..2.6e-2 and 128..256."""
    c = D.compare([("normal_", {"std": 0.01}), ("normal_", {"std": 1.0})], widths=[256] * 11,
                  activation=activation, generator=1)
    small, large = c["normal_(std=0.01)"], c["normal_(std=1)"]
    assert small.verdict == "Vanishing" and small.first_forward <= 5
    assert all(r["forward_status"] == "Vanishing" for r in small.rows()[5:])
    assert large.verdict == "Exploding" and large.first_forward <= 5
    assert all(r["forward_status"] == "Exploding" for r in large.rows()[5:])


def test_xavier_halves_the_mean_square_through_relu():
    """Square layers, Var W = 2/(n + n) = 1/n: E[h_l^2] = E[h_{l-1}^2] / 2 exactly
    in expectation given layer l-1.  Mean of the 30 per-layer ratios at n = 512:
    standard error <= 0.5 sqrt(5 / (512 * 30)) = 0.0090; allowed 6 SE.  He gives 1."""
    n, depth = 512, 30
    c = D.compare({"xavier": "xavier_normal_", "he": HE}, widths=[n] * (depth + 1),
                  activation="relu", batch=128, generator=4)
    se = 0.5 * math.sqrt(5 / (n * depth))
    for label, expect in (("xavier", 0.5), ("he", 1.0)):
        rows = c[label].rows()
        q = np.array([r["std"] ** 2 + r["mean"] ** 2 for r in rows])   # E[h^2] (std is ddof 0)
        ratios = q[1:] / q[:-1]
        assert abs(ratios.mean() - expect) < 6 * se * (expect / 0.5), (label, ratios.mean())


def test_dead_and_saturated_fractions():
    c = D.compare({"zeros": "zeros_", "big": ("normal_", {"std": 1.0})}, widths=[256] * 11,
                  activation="tanh", generator=0)
    assert all(r["dead"] == 1.0 for r in c["zeros"].rows()[1:])
    # N(0, 1) into tanh: pre-activations of std ~ sqrt(256) = 16, |tanh| > 0.995 mostly;
    # backward, each layer multiplies the gradient variance by 256 E[tanh'(z)^2] ~ 8.5
    assert c["big"].rows()[5]["saturated"] > 0.7
    assert c["big"].rows()[5]["dead"] == 0.0
    assert c["big"].verdict == "Exploding"       # bounded activations, exploding gradients
    r = D.compare(["kaiming_normal_"], widths=[128] * 4, activation="relu", generator=0)
    assert all(row["saturated"] == 0.0 for row in r["kaiming_normal_"].rows())


def test_thresholds_are_settable():
    c = D.compare([HE], widths=[128] * 6, generator=0, thresholds=D.Thresholds(0.9, 1.1))
    p = c.results[c.labels[0]]
    assert p.verdict == "Vanishing"      # the ReLU std ratio is ~0.83 < 0.9
    assert p.thresholds == (0.9, 1.1)
    assert D.Thresholds().status(math.inf) == "Exploding"
    assert D.Thresholds().status(math.nan) == "Exploding"


def test_compare_is_reproducible_and_uses_common_random_numbers():
    kw = dict(widths=[64] * 8, activation="gelu", batch=32)
    inits = ["xavier_uniform_", ("normal_", {"std": 0.1}), ("orthogonal_", {"gain": 1.0})]
    a = D.compare(inits, generator=123, **kw)
    b = D.compare(inits, generator=wcinit.Generator(123), **kw)
    assert a.layer_rows() == b.layer_rows() and a.to_dict() == b.to_dict()
    inputs = {p.label: p.rows()[0]["std"] for p in a}
    assert len(set(inputs.values())) == 1         # the same batch for every init
    c = D.compare(inits, generator=124, **kw)
    assert c.layer_rows() != a.layer_rows()
    # the weights of each init are the same stream: N(0, 0.1) is 0.1 x N(0, 1)
    n1 = D.compare([("normal_", {"std": 1.0})], generator=9, widths=[16, 16], activation="linear")
    n2 = D.compare([("normal_", {"std": 0.1})], generator=9, widths=[16, 16], activation="linear")
    assert n2.rows()[0]["std_ratio_1"] == pytest.approx(0.1 * n1.rows()[0]["std_ratio_1"], rel=1e-6)


def test_cnn_propagation():
    kernels = [(32, 3, 3, 3)] + [(32, 32, 3, 3)] * 9
    c = D.compare({"he": HE, "big": ("normal_", {"std": 1.0}), "small": ("normal_", {"std": 0.01})},
                  kernels=kernels, activation="relu", batch=16, image_size=8, generator=0)
    assert c["he"].verdict == "Healthy"
    assert c["big"].verdict == "Exploding" and c["big"].first_forward <= 5
    assert c["small"].verdict == "Vanishing" and c["small"].first_forward <= 5
    assert "CNN of 10 conv layers on 8x8" in str(c)


def test_propagate_custom_layers_protocol():
    class Scale:
        """A layer following the protocol: y = a x."""
        def __init__(self, a):
            self.a = a

        def forward(self, x):
            return self.a * x

        def backward(self, g):
            return self.a * g

    x = wcinit.normal_(np.empty((1000, 10)), generator=0)
    u = wcinit.normal_(np.empty((1000, 10)), generator=1)
    p = D.propagate([Scale(0.1)] * 4, x, grad=u)
    ratios = [r["ratio"] for r in p.rows()]
    assert ratios == pytest.approx([1, 0.1, 0.01, 1e-3, 1e-4], rel=1e-12)
    assert [r["grad_ratio"] for r in p.rows()] == pytest.approx([1e-4, 1e-3, 0.01, 0.1, 1], rel=1e-12)
    assert p.verdict == "Vanishing" and p.first_forward == 3 and p.first_backward == 1
    assert p.summary == ("Vanishing: activations vanishing from layer 3, "
                         "gradients vanishing from layer 1 down")
    with pytest.raises(ValueError, match="input_shape"):
        D.propagate([Scale(1.0)], 10)


@pytest.mark.parametrize("activation", D.ACTIVATIONS)
def test_backward_matches_torch_autograd(torch, activation):
    """Every layer's input gradient and weight gradient, float64, against autograd."""
    F = torch.nn.functional
    g = wcinit.Generator(31)
    widths = [7, 9, 6, 5]
    net = D.mlp(widths, "xavier_normal_", activation, generator=g, bias=True)
    for layer in net:
        wcinit.normal_(layer.bias, std=0.3, generator=g)
    x = wcinit.normal_(np.empty((4, 7)), std=1.5, generator=g)
    u = wcinit.normal_(np.empty((4, 5)), generator=g)
    hs, h = [], x
    for layer in net:
        h = layer.forward(h)
        hs.append(h)
    grads, d = [], u
    for layer in reversed(net):
        d = layer.backward(d)
        grads.append(d)
    grads = grads[::-1]

    act = {"linear": lambda z: z, "relu": F.relu, "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
           "tanh": torch.tanh, "sigmoid": torch.sigmoid, "selu": F.selu, "gelu": F.gelu}[activation]
    tx = torch.tensor(x, requires_grad=True)
    tw = [torch.tensor(layer.weight, requires_grad=True) for layer in net]
    tb = [torch.tensor(layer.bias, requires_grad=True) for layer in net]
    th, outs = tx, []
    for w, b in zip(tw, tb):
        th = act(F.linear(th, w, b))
        th.retain_grad()
        outs.append(th)
    (th * torch.tensor(u)).sum().backward()
    for mine, t in zip(hs, outs):
        np.testing.assert_allclose(mine, t.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grads[0], tx.grad.numpy(), rtol=1e-10, atol=1e-13)
    for i, layer in enumerate(net):
        np.testing.assert_allclose(layer.grad_weight, tw[i].grad.numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(layer.grad_bias, tb[i].grad.numpy(), rtol=1e-10, atol=1e-13)
        if i + 1 < len(net):
            np.testing.assert_allclose(grads[i + 1], outs[i].grad.numpy(), rtol=1e-10, atol=1e-13)
    # propagate's grad_std is the std of those same gradients
    p = D.propagate(net, x, grad=u)
    assert p.rows()[0]["grad_std"] == pytest.approx(float(tx.grad.std(unbiased=False)), rel=1e-10)
    assert p.rows()[2]["grad_std"] == pytest.approx(float(outs[1].grad.std(unbiased=False)), rel=1e-10)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_conv_backward_matches_torch_autograd(torch):
    """Conv2d 'same' (odd and even kernels) forward and backward against torch."""
    F = torch.nn.functional
    g = wcinit.Generator(5)
    net = D.cnn([(4, 3, 3, 3), (5, 4, 2, 2), (2, 5, 1, 3)], "kaiming_uniform_", "tanh", generator=g,
                bias=True)
    for layer in net:
        wcinit.normal_(layer.bias, std=0.2, generator=g)
    x = wcinit.normal_(np.empty((2, 3, 6, 5)), generator=g)
    h = x
    for layer in net:
        h = layer.forward(h)
    u = wcinit.normal_(np.empty(h.shape), generator=g)
    d = u
    for layer in reversed(net):
        d = layer.backward(d)
    tx = torch.tensor(x, requires_grad=True)
    tws = [torch.tensor(layer.weight, requires_grad=True) for layer in net]
    th = tx
    for w, layer in zip(tws, net):
        th = torch.tanh(F.conv2d(th, w, torch.tensor(layer.bias), padding="same"))
    np.testing.assert_allclose(h, th.detach().numpy(), rtol=1e-12, atol=1e-14)
    (th * torch.tensor(u)).sum().backward()
    np.testing.assert_allclose(d, tx.grad.numpy(), rtol=1e-10, atol=1e-13)
    for w, layer in zip(tws, net):
        np.testing.assert_allclose(layer.grad_weight, w.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_propagation_reports_text_html_dict():
    c = D.compare(["zeros_", "kaiming_normal_", ("normal_", {"std": 1.0})], widths=[32] * 6,
                  generator=0)
    text = str(c)
    for label in c.labels:
        assert label in text
    assert "Healthy" in text and "Vanishing" in text and "Exploding" in text
    assert_valid_html(c._repr_html_())
    p = c["kaiming_normal_"]
    assert_valid_html(p._repr_html_())
    assert "input" in str(p) and len(p.rows()) == 6 and p.depth == 5
    d = c.to_dict()
    assert set(d["inits"]) == set(c.labels) and d["inits"]["zeros_"]["verdict"] == "Vanishing"
    rows = c.rows()
    assert [r["init"] for r in rows] == c.labels and "std_ratio_5" in rows[0]
    assert len(c.layer_rows()) == 3 * 6


def test_compare_progress_callback():
    seen = []
    D.compare(["xavier_normal_", "kaiming_normal_"], widths=[16] * 5, generator=0,
              progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 16) for i in range(1, 17)]      # 2 inits x 4 layers x (forward, backward)


def test_compare_bad_input():
    with pytest.raises(ValueError, match="compare: pass exactly one of widths"):
        D.compare(["zeros_"], widths=[4, 4], kernels=[(4, 4, 3, 3)])
    with pytest.raises(ValueError, match="compare: activation must be one of"):
        D.compare(["zeros_"], widths=[4, 4], activation="swish")
    with pytest.raises(ValueError, match="compare: unknown initializer 'he_'"):
        D.compare(["he_"], widths=[4, 4])
    with pytest.raises(ValueError, match="same label"):
        D.compare(["zeros_", "zeros_"], widths=[4, 4])
    with pytest.raises(ValueError, match="takes 8 channels"):
        D.compare(["zeros_"], kernels=[(4, 3, 3, 3), (4, 8, 3, 3)])
    with pytest.raises(TypeError, match="progress must be"):
        D.compare(["zeros_"], widths=[4, 4], progress=3)


# ---- plots --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def comparison():
    return D.compare({"zeros": "zeros_", "N(0,1)": ("normal_", {"std": 1.0}),
                      "N(0,0.01)": ("normal_", {"std": 0.01}), "xavier": "xavier_normal_",
                      "he": HE}, widths=[64] * 13, generator=0)


def _png_ok(path):
    data = path.read_bytes()
    assert len(data) > 5000 and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_render_to_png(tmp_path, comparison):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    figs = {
        "depth": D.plot_depth(comparison),
        "depth_one": D.plot_depth(comparison["he"]),
        "table": D.plot_table(comparison),
        "hist": D.plot_histograms(
            {"he": HE(np.empty((256, 128)), generator=0),
             "xu": wcinit.xavier_uniform_(np.empty((64, 64)), generator=0),
             "tn": wcinit.trunc_normal_(np.empty(4000), std=0.02, a=-0.04, b=0.04, generator=0),
             "orth": wcinit.orthogonal_(np.empty((128, 128)), generator=0),
             "zero": np.zeros((64, 64))},
            {"he": HE, "xu": "xavier_uniform_", "zero": HE,
             "tn": functools.partial(wcinit.trunc_normal_, std=0.02, a=-0.04, b=0.04),
             "orth": "orthogonal_"}),
    }
    for name, fig in figs.items():
        assert isinstance(fig, Figure)
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        _png_ok(path)
    assert [ax.get_yscale() for ax in figs["depth"].axes] == ["log", "log"]
    assert len(figs["depth"].axes[0].lines) >= 5
    hist_titles = [ax.get_title() for ax in figs["hist"].axes if ax.get_visible()]
    assert len(hist_titles) == 5 and "std, constant" in hist_titles[-1]


def test_plot_histogram_density_is_the_rule(tmp_path):
    """The curve drawn is the rule's density: for xavier_uniform_ 1/(2a) on [-a, a]."""
    pytest.importorskip("matplotlib")
    w = wcinit.xavier_uniform_(np.empty((100, 300)), generator=0)
    fig = D.plot_histograms({"w": w}, {"w": wcinit.xavier_uniform_})
    line = fig.axes[0].lines[0]
    xs, ys = line.get_data()
    a = math.sqrt(6 / 400)
    inside = np.abs(xs) < a * 0.99
    assert np.allclose(ys[inside], 1 / (2 * a)) and np.all(ys[np.abs(xs) > a * 1.01] == 0)


def test_plots_draw_into_subfigures(tmp_path, comparison):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    fig = Figure(figsize=(10, 8))
    a, b = fig.subfigures(2, 1)
    assert D.plot_depth(comparison, fig=a) is a
    assert D.plot_table(comparison, fig=b) is b
    fig.savefig(tmp_path / "both.png")
    _png_ok(tmp_path / "both.png")


def test_no_pyplot_and_no_optional_imports():
    """import wcinit (and wcinit.diagnostics) imports neither matplotlib nor tqdm;
    the plots never import pyplot (no global figure state)."""
    code = ("import sys, numpy as np, wcinit, wcinit.diagnostics as D\n"
            "assert 'matplotlib' not in sys.modules and 'tqdm' not in sys.modules\n"
            "c = D.compare(['kaiming_normal_'], widths=[8] * 4, generator=0)\n"
            "D.plot_depth(c); D.plot_table(c)\n"
            "D.plot_histograms({'w': np.ones((3, 3))})\n"
            "assert 'matplotlib' in sys.modules and 'matplotlib.pyplot' not in sys.modules\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]


# ---- python -m wcinit ----------------------------------------------------------------------

def test_cli_showcase_and_plot(tmp_path):
    out = tmp_path / "showcase.png"
    p = subprocess.run([sys.executable, "-m", "wcinit", "--plot", str(out)], capture_output=True,
                       text=True, timeout=600, cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    text = p.stdout
    assert "stats: 9 parameters, all within 6 standard errors" in text
    assert "std, transposed" in text and "std, constant" in text
    verdicts = [line.rsplit("  ", 1)[-1] for line in text.splitlines() if line.startswith(
        ("zeros ", "N(0, 1) ", "N(0, 0.01) ", "He normal ", "Xavier normal "))]
    assert any(v.startswith("Healthy") for v in verdicts)
    assert any(v.startswith(("Vanishing", "Exploding")) for v in verdicts)
    assert f"wrote {out}" in text
    _png_ok(out)


def test_plot_histogram_range_follows_a_narrow_trunc_normal():
    """torch's default bounds ±2 with std 0.02: the curve spans the data, not ±2."""
    pytest.importorskip("matplotlib")
    w = wcinit.trunc_normal_(np.empty(20000), std=0.02, generator=0)
    fig = D.plot_histograms({"t": w}, {"t": functools.partial(wcinit.trunc_normal_, std=0.02)})
    xs, _ = fig.axes[0].lines[0].get_data()
    assert -0.15 < xs.min() <= w.min() and w.max() <= xs.max() < 0.15


@pytest.mark.parametrize("activation", ["linear", "relu", "leaky_relu", "tanh", "sigmoid",
                                        "selu", "gelu"])
def test_backward_matches_finite_differences(activation):
    """Without torch: the input gradient of <u, net(x)> against central differences
    (float64, step 1e-6: truncation and rounding both below 1e-7 here)."""
    g = wcinit.Generator(32)
    net = D.mlp([5, 6, 4], "xavier_normal_", activation, generator=g, bias=True)
    x = wcinit.normal_(np.empty((3, 5)), std=1.3, generator=g)
    x += 0.05  # keep relu's kink away from x's coordinates' neighbourhood
    u = wcinit.normal_(np.empty((3, 4)), generator=g)

    def f(inp):
        h = inp
        for layer in net:
            h = layer.forward(h)
        return float((h * u).sum())

    f(x)
    d = u
    for layer in reversed(net):
        d = layer.backward(d)
    eps, fd = 1e-6, np.empty_like(x)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        fd[idx] = (f(xp) - f(xm)) / (2 * eps)
    np.testing.assert_allclose(d, fd, rtol=1e-6, atol=1e-7)

"""LSUV (Mishkin & Matas 2015) and Fixup (Zhang, Dauphin & Ma 2019) on NumPy networks."""
import functools
import math

import numpy as np
import pytest

import wcinit
from wcinit import _lsuv

HE = functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")


def make_mlp(depth, width, act, dtype=np.float32):
    return [{"weight": np.empty((width, width), dtype), "bias": np.zeros(width, dtype), "activation": act}
            for _ in range(depth)]


def batch(shape, seed=0):
    return wcinit.normal_(np.empty(shape, np.float32), generator=seed)


def forward_vars(layers, x):
    """Each layer's pre-activation output variance, by an independent forward pass."""
    acts = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), None: lambda z: z}
    out, h = [], x
    for l in layers:
        w = l["weight"]
        if w.ndim == 2:
            z = h.reshape(h.shape[0], -1) @ w.T + l["bias"]
        else:
            z = _lsuv.conv(h, w, l["bias"], l.get("stride", 1), l.get("padding", 0), l.get("groups", 1))
        out.append(float(z.astype(np.float64).var()))
        h = acts[l.get("activation")](z)
    return out


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_lsuv_20_layer_mlp_every_layer_within_tol(act):
    layers = make_mlp(20, 64, act)
    x = batch((512, 64))
    rep = wcinit.lsuv_(layers, x, tol=0.1, generator=7)
    v = forward_vars(layers, x)
    assert len(rep) == 20
    for r, var in zip(rep.rows(), v):
        assert abs(var - 1) < 0.1 and r["converged"]
        assert r["variance"] == pytest.approx(var, rel=1e-6)  # the report is the measurement
    # orthonormal pre-init alone lets the variance drift away from 1 with depth (so LSUV acted)
    plain = make_mlp(20, 64, act)
    for k, l in enumerate(plain):
        wcinit.orthogonal_(l["weight"], generator=wcinit.named_generator(7, f"{k}.weight"))
    drift = forward_vars(plain, x)
    assert abs(drift[-1] - 1) > 0.3
    assert sum(r["iterations"] for r in rep.rows()) >= 19


def test_lsuv_report_scale_is_relative_to_the_orthonormal_preinit():
    layers = make_mlp(6, 64, "tanh")
    x = batch((256, 64), seed=3)
    rep = wcinit.lsuv_(layers, x, generator=11)
    for k, (l, r) in enumerate(zip(layers, rep.rows())):
        w0 = wcinit.orthogonal_(np.empty((64, 64), np.float32), generator=wcinit.named_generator(11, f"{k}.weight"))
        assert np.allclose(l["weight"], w0 * r["scale"], rtol=1e-5, atol=1e-7)
        assert r["shape"] == (64, 64) and r["layer"] == k and r["name"] == str(k)
    assert "iterations" in str(rep) and rep._repr_html_().startswith("<table>")


def test_lsuv_small_cnn():
    layers = [
        {"weight": np.empty((8, 3, 3, 3), np.float32), "bias": np.zeros(8, np.float32), "activation": "relu", "padding": 1},
        {"weight": np.empty((16, 4, 3, 3), np.float32), "bias": np.zeros(16, np.float32), "activation": "relu",
         "stride": 2, "groups": 2},
        {"weight": np.empty((10, 16 * 7 * 7), np.float32), "bias": np.zeros(10, np.float32), "activation": None},
    ]
    x = batch((64, 3, 16, 16), seed=5)
    rep = wcinit.lsuv_(layers, x, generator=1)
    for r, var in zip(rep.rows(), forward_vars(layers, x)):
        assert abs(var - 1) < 0.1 and r["converged"]


def test_numpy_conv_matches_torch():
    torch = pytest.importorskip("torch")
    x = batch((2, 4, 9, 8), seed=1)
    w = batch((6, 2, 3, 2), seed=2)
    b = batch((6,), seed=3)
    got = _lsuv.conv(x, w, b, stride=(2, 1), padding=(1, 0), groups=2)
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
                                      stride=(2, 1), padding=(1, 0), groups=2).numpy()
    assert got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-5)


def test_lsuv_reproducible():
    def run(seed):
        layers = make_mlp(5, 32, "tanh")
        wcinit.lsuv_(layers, batch((128, 32)), generator=seed)
        return [l["weight"].copy() for l in layers]
    a, b, c = run(4), run(4), run(5)
    assert all((p == q).all() for p, q in zip(a, b))
    assert all((p != q).any() for p, q in zip(a, c))


def test_lsuv_center_and_max_iter():
    layers = make_mlp(8, 64, "relu")
    x = batch((256, 64)) + 0.5  # a non-centred input
    rep = wcinit.lsuv_(layers, x, center=True, generator=2)
    h = x
    for l, r in zip(layers, rep.rows()):
        z = h @ l["weight"].T + l["bias"]
        assert np.abs(z.astype(np.float64).mean(axis=0)).max() < 0.05 and abs(z.var() - 1) < 0.1
        h = np.maximum(z, 0)
    layers = make_mlp(4, 64, "tanh")
    rep = wcinit.lsuv_(layers, batch((256, 64)), max_iter=0, generator=2)
    assert all(r["iterations"] == 0 and r["scale"] == 1.0 for r in rep.rows())
    assert not all(r["converged"] for r in rep.rows())


def test_lsuv_forward_callback_residual():
    """(b) a forward function reporting each layer's output through tap: a residual tanh net."""
    ws = [np.empty((48, 48), np.float32) for _ in range(10)]

    def forward(x, tap):
        h = x
        for i, w in enumerate(ws):
            z = h @ w.T
            tap(i, z)
            h = h + np.tanh(z)
        return h
    x = batch((256, 48))
    rep = wcinit.lsuv_(ws, x, forward=forward, generator=0)
    seen = {}
    forward(x, lambda i, z: seen.__setitem__(i, z.astype(np.float64).var()))
    assert all(abs(seen[i] - 1) < 0.1 for i in range(10))
    assert [r["variance"] for r in rep.rows()] == pytest.approx([seen[i] for i in range(10)], rel=1e-6)


def test_lsuv_errors():
    x = batch((16, 8))
    with pytest.raises(ValueError, match="lsuv_: layer 0: activation must be"):
        wcinit.lsuv_([{"weight": np.empty((8, 8), np.float32), "activation": "swish"}], x)
    with pytest.raises(ValueError, match="tol must be positive"):
        wcinit.lsuv_(make_mlp(2, 8, "tanh"), x, tol=0)
    with pytest.raises(ValueError, match="center=True needs a bias"):
        wcinit.lsuv_([{"weight": np.empty((8, 8), np.float32)}], x, center=True)
    with pytest.raises(FloatingPointError, match="output variance is 0"):
        wcinit.lsuv_(make_mlp(2, 8, "tanh"), np.zeros((16, 8), np.float32))
    with pytest.raises(TypeError, match="layers"):
        wcinit.lsuv_("net", x)
    with pytest.raises(RuntimeError, match="never reported layer 1"):
        wcinit.lsuv_([np.empty((8, 8), np.float32)] * 2, x, forward=lambda x, tap: tap(0, x @ x.T[:8]))


# ---- Fixup -------------------------------------------------------------------------

def resnet_tree(L, m, d=256, classes=10):
    f = np.float32
    t = {f"blocks.{i}.fc{j}": {"weight": np.empty((d, d), f), "bias": np.empty(d, f)}
         for i in range(L) for j in range(1, m + 1)}
    for i in range(L):
        t[f"blocks.{i}.scale"] = np.empty(1, f)
        t[f"blocks.{i}.bias1"] = np.empty(1, f)
    t["fc"] = {"weight": np.empty((classes, d), f), "bias": np.empty(classes, f)}
    branches = [[f"blocks.{i}.fc{j}.weight" for j in range(1, m + 1)] for i in range(L)]
    return t, branches


def residual_forward(t, L, m, x):
    h = x
    for i in range(L):
        z = h + t[f"blocks.{i}.bias1"]
        for j in range(1, m + 1):
            z = z @ t[f"blocks.{i}.fc{j}"]["weight"].T + t[f"blocks.{i}.fc{j}"]["bias"]
            if j < m:
                z = np.maximum(z, 0)
        h = h + t[f"blocks.{i}.scale"] * z
    return h


@pytest.mark.parametrize("m", [2, 3])
def test_fixup_output_variance_stays_O1_while_standard_grows(m):
    x = batch((256, 128), seed=9).astype(np.float64)
    vx = x.var()
    fix, std = {}, {}
    for L in (4, 16, 64):
        t, br = resnet_tree(L, m, d=128)
        wcinit.fixup_(t, br, "fc.weight", generator=L, measure=False)
        # Fixup at init: the last layers are 0, every block is the identity
        assert (residual_forward(t, L, m, x) == x).all()
        # once the last layers move off 0 (here: given a standard He init), each branch adds
        # Var * 2 / L (the scale L^(-1/(2m-2)) on m-1 layers), so Var(out) <= e^2 Var(x) at any L
        for i in range(L):
            HE(t[f"blocks.{i}.fc{m}"]["weight"], generator=wcinit.named_generator(99, f"{L}.{i}"))
        fix[L] = residual_forward(t, L, m, x).var() / vx
        # the standard init (He everywhere, no scaling, no zeros): the variance grows with L
        s, _ = resnet_tree(L, m, d=128)
        wcinit.init_params(s, [("*.weight", HE), ("*scale", 1.0), ("*", 0.0)], generator=L, measure=False)
        std[L] = residual_forward(s, L, m, x).var() / vx
    for L in (4, 16, 64):
        assert 1 < fix[L] < 1.25 * math.e ** 2, (L, fix)
    assert std[4] > 10 and std[16] > 1e5 and std[64] > 1e20
    assert std[4] < std[16] < std[64]


def test_fixup_rules_and_report():
    L, m = 8, 3
    t, br = resnet_tree(L, m, d=128)
    rep = wcinit.fixup_(t, br, "fc.weight", generator=0)
    c = L ** (-1 / (2 * m - 2))
    for i in range(L):
        assert (t[f"blocks.{i}.fc3"]["weight"] == 0).all() and (t[f"blocks.{i}.fc3"]["bias"] == 0).all()
        assert (t[f"blocks.{i}.scale"] == 1).all() and (t[f"blocks.{i}.bias1"] == 0).all()
        for j in (1, 2):
            e = rep[f"blocks.{i}.fc{j}.weight"]
            assert e.expected_std == pytest.approx(math.sqrt(2 / 128) * c, rel=1e-12)
            assert (t[f"blocks.{i}.fc{j}"]["bias"] == 0).all()
    w = np.concatenate([t[f"blocks.{i}.fc1"]["weight"].ravel() for i in range(L)]).astype(np.float64)
    s = math.sqrt(2 / 128) * c
    assert abs(w.std() - s) < 6 * s / math.sqrt(2 * w.size)
    assert (t["fc"]["weight"] == 0).all() and (t["fc"]["bias"] == 0).all()


def test_fixup_errors():
    t, br = resnet_tree(2, 2, d=8)
    with pytest.raises(ValueError, match="m >= 2"):
        wcinit.fixup_(t, [[br[0][0]]], "fc.weight")
    with pytest.raises(ValueError, match="at least one residual branch"):
        wcinit.fixup_(t, [], "fc.weight")


def test_lsuv_report_html_counts_layers():
    layers = [{"weight": np.empty((16, 16), np.float32), "bias": None, "activation": "tanh"}
              for _ in range(3)]
    x = wcinit.normal_(np.empty((64, 16), np.float32), generator=0)
    html = wcinit.lsuv_(layers, x, generator=1)._repr_html_()
    assert "<caption>lsuv_: 3 layers</caption>" in html

"""Framework layer defaults (wcinit.presets) against the real layers (issue 8).

For each (framework, kind) that the venv can build -- torch, Keras 3 (JAX
backend) and Flax linen -- the test builds the layer, reads its freshly
initialized parameters and checks, role by role: every parameter has a rule,
the rule fills an array of that shape, constant rules give exactly the
framework's values, and random rules pass a two-sample KS test (p >= 1e-4)
against the framework's values (several layers pooled, so even a bias has
thousands of values).  Also: the presets' data (sources cited, layouts,
describe()) and expected() on every rule.
"""
import math
import os
import re
import zlib

import numpy as np
import pytest

import wcinit
from wcinit import presets

os.environ.setdefault("KERAS_BACKEND", "jax")

KS_P = 1e-4
N_MIN = 8_000


def _ks(ours, theirs):
    st = pytest.importorskip("scipy.stats")
    return st.ks_2samp(np.ravel(ours), np.ravel(theirs)).pvalue


def _check_role(rule, theirs_list, label, fan_in=None):
    """theirs_list: the framework's arrays for one role (from several layers)."""
    shape = theirs_list[0].shape
    g = wcinit.Generator(zlib.crc32(label.encode()))  # a fixed seed per label (str hash() is salted per process)
    ours = [np.asarray(rule(np.empty(shape, np.float32), generator=g, fan_in=fan_in))
            for _ in theirs_list]
    assert ours[0].shape == shape
    theirs = np.concatenate([np.ravel(t) for t in theirs_list]).astype(np.float64)
    mine = np.concatenate([np.ravel(o) for o in ours]).astype(np.float64)
    e = rule.expected(shape, fan_in=fan_in)
    if e.family in ("constant", "lstm_bias", "eye", "identity"):
        assert np.array_equal(mine, theirs), label
    else:
        assert _ks(mine, theirs) >= KS_P, label
    assert theirs.min() >= e.low - 1e-6 and theirs.max() <= e.high + 1e-6, label


# ---- torch ------------------------------------------------------------------------------

def _torch_role(name):
    """weight_ih_l0_reverse -> weight_ih; out_proj.weight stays."""
    return re.sub(r"_l\d+(_reverse)?$", "", name)


TORCH_LAYERS = [
    ("Linear", lambda nn: nn.Linear(128, 64)),
    ("Conv1d", lambda nn: nn.Conv1d(8, 16, 5)),
    ("Conv2d", lambda nn: nn.Conv2d(16, 32, 3, groups=4)),
    ("Conv3d", lambda nn: nn.Conv3d(4, 8, 3)),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(16, 32, 3, groups=2)),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(8, 4, 5)),
    ("Embedding", lambda nn: nn.Embedding(100, 16, padding_idx=3)),
    ("LayerNorm", lambda nn: nn.LayerNorm(16)),
    ("GroupNorm", lambda nn: nn.GroupNorm(4, 16)),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(16)),
    ("RNN", lambda nn: nn.RNN(10, 16)),
    ("LSTM", lambda nn: nn.LSTM(10, 16, num_layers=2, bidirectional=True, proj_size=8)),
    ("GRU", lambda nn: nn.GRU(10, 16)),
    ("LSTMCell", lambda nn: nn.LSTMCell(10, 16)),
    ("MultiheadAttention", lambda nn: nn.MultiheadAttention(16, 4, add_bias_kv=True)),
    ("MultiheadAttention", lambda nn: nn.MultiheadAttention(16, 4, kdim=8, vdim=8)),
    ("PReLU", lambda nn: nn.PReLU(3)),
]


@pytest.mark.parametrize("kind,make", TORCH_LAYERS, ids=[k for k, _ in TORCH_LAYERS])
def test_torch_layers(torch, kind, make):
    nn = torch.nn
    torch.manual_seed(0)
    p = presets.get_preset("torch", kind)
    layer = make(nn)
    named = dict(layer.named_parameters())
    named.update({k: v for k, v in layer.named_buffers() if v.dtype.is_floating_point})
    n_layers = max(1, -(-N_MIN // min(v.numel() for v in named.values())))
    n_layers = min(n_layers, 150)
    pooled = {k: [] for k in named}
    for _ in range(n_layers):
        lay = make(nn)
        d = dict(lay.named_parameters())
        d.update({k: v for k, v in lay.named_buffers() if v.dtype.is_floating_point})
        for k, v in d.items():
            pooled[k].append(v.detach().numpy().copy())
    for name, arrs in pooled.items():
        role = _torch_role(name)
        assert role in p, f"{kind}: no rule for {name}"
        rule = p[role]
        if kind == "Embedding":
            rule = rule.replace(padding_idx=layer.padding_idx)
        fan_in = None
        if rule.fan == "weight":
            wname = name.replace("bias", "weight")
            fan_in = p.bias_fan_in(tuple(named[wname].shape))
        if rule.fan == "hidden":
            fan_in = layer.hidden_size      # inferred too: check the inference agrees
            assert rule._fan(arrs[0].shape, None) == fan_in, name
        _check_role(rule, arrs, f"torch {kind} {name}", fan_in)


def test_torch_conv_transpose_fan_quirk(torch):
    """ConvTranspose2d(16, 32, 3, groups=2): weight (16, 16, 3, 3), torch's bound
    1/sqrt(shape[1] * 9) = 1/12 -- the out/groups side, not in_channels."""
    layer = torch.nn.ConvTranspose2d(16, 32, 3, groups=2)
    p = presets.get_preset("torch", "ConvTranspose2d")
    assert p.bias_fan_in(tuple(layer.weight.shape)) == 16 * 9
    e = p["weight"].expected(tuple(layer.weight.shape))
    assert e.high == pytest.approx(1 / 12, rel=1e-12)
    assert float(layer.weight.detach().abs().max()) <= 1 / 12
    assert float(layer.bias.detach().abs().max()) <= 1 / 12


# ---- keras --------------------------------------------------------------------------------

def _keras():
    keras = pytest.importorskip("keras", reason="keras not installed (CI installs keras==3.15.1)")
    if keras.backend.backend() != "jax":
        pytest.skip("keras was imported with another backend first")
    return keras


KERAS_LAYERS = [
    ("Dense", lambda L: L.Dense(64), (None, 128)),
    ("Conv2D", lambda L: L.Conv2D(32, 3), (None, 8, 8, 16)),
    ("Conv1D", lambda L: L.Conv1D(16, 5, groups=2), (None, 20, 8)),
    ("Conv2DTranspose", lambda L: L.Conv2DTranspose(32, 3), (None, 8, 8, 16)),
    ("Embedding", lambda L: L.Embedding(100, 16), (None, 5)),
    ("LSTM", lambda L: L.LSTM(16), (None, 5, 10)),
    ("GRU", lambda L: L.GRU(16), (None, 5, 10)),
    ("SimpleRNN", lambda L: L.SimpleRNN(16), (None, 5, 10)),
    ("BatchNormalization", lambda L: L.BatchNormalization(), (None, 16)),
    ("LayerNormalization", lambda L: L.LayerNormalization(), (None, 16)),
]


@pytest.mark.parametrize("kind,make,in_shape", KERAS_LAYERS, ids=[k for k, _, _ in KERAS_LAYERS])
def test_keras_layers(kind, make, in_shape):
    keras = _keras()
    keras.utils.set_random_seed(0)
    p = presets.get_preset("keras", kind)
    pooled = {}
    n_layers = None
    while n_layers is None or len(next(iter(pooled.values()))) < n_layers:
        layer = make(keras.layers)
        layer.build(in_shape)
        for v in layer.weights:
            pooled.setdefault(v.name, []).append(np.asarray(v.numpy()))
        if n_layers is None:
            n_layers = min(80, max(1, -(-N_MIN // min(a[0].size for a in pooled.values()))))
    for name, arrs in pooled.items():
        assert name in p, f"{kind}: no rule for {name}"
        _check_role(p[name], arrs, f"keras {kind} {name}")


# ---- flax ----------------------------------------------------------------------------------

def _flax():
    pytest.importorskip("jax", reason="jax not installed")
    return pytest.importorskip("flax.linen", reason="flax not installed (pin flax==0.12.8)")


def _flax_params(nn, make, x, n, carry=False):
    import jax
    pooled = {}
    for i in range(n):
        m = make(nn)
        key = jax.random.key(i)
        if carry:
            c = m.initialize_carry(key, x.shape)
            variables = m.init(key, c, x)
        else:
            variables = m.init(key, x)
        flat = jax.tree_util.tree_flatten_with_path(variables)[0]
        for path, leaf in flat:
            name = "/".join(str(getattr(k, "key", k)) for k in path)
            pooled.setdefault(name, []).append(np.asarray(leaf))
    return pooled


FLAX_LAYERS = [
    ("Dense", lambda nn: nn.Dense(64), (1, 128), False),
    ("Conv", lambda nn: nn.Conv(32, (3, 3), feature_group_count=2), (1, 8, 8, 16), False),
    ("Embed", lambda nn: nn.Embed(100, 16), None, False),
    ("LayerNorm", lambda nn: nn.LayerNorm(), (1, 16), False),
    ("BatchNorm", lambda nn: nn.BatchNorm(use_running_average=True), (1, 16), False),
    ("LSTMCell", lambda nn: nn.LSTMCell(16), (1, 10), True),
    ("GRUCell", lambda nn: nn.GRUCell(16), (1, 10), True),
]


def _flax_role(kind, name):
    parts = name.split("/")
    leaf = parts[-1]
    if kind in ("LSTMCell", "GRUCell"):
        gate = parts[-2]
        if leaf == "bias":
            return "bias"
        return "recurrent_kernel" if gate.startswith("h") else "input_kernel"
    return leaf


@pytest.mark.parametrize("kind,make,in_shape,carry", FLAX_LAYERS, ids=[k for k, *_ in FLAX_LAYERS])
def test_flax_layers(kind, make, in_shape, carry):
    nn = _flax()
    import jax.numpy as jnp
    x = jnp.zeros((1, 5), jnp.int32) if in_shape is None else jnp.zeros(in_shape, jnp.float32)
    p = presets.get_preset("flax", kind)
    one = _flax_params(nn, make, x, 1, carry)
    n = min(50, max(1, -(-N_MIN // min(a[0].size for a in one.values()))))
    pooled = _flax_params(nn, make, x, n, carry)
    for name, arrs in pooled.items():
        role = _flax_role(kind, name)
        assert role in p, f"{kind}: no rule for {name}"
        _check_role(p[role], arrs, f"flax {kind} {name}")


# ---- the data itself ----------------------------------------------------------------------------

def test_every_preset_cites_its_source_and_layout():
    assert {f for f, _ in presets.kinds()} == set(presets.FRAMEWORKS)
    for fw, kind in presets.kinds():
        p = presets.get_preset(fw, kind)
        assert p.source and ".py" in p.source, (fw, kind)
        assert "Source:" in p.__doc__ and p.source in p.__doc__
        for role in p:
            d = p[role].describe()
            assert set(d) == {"name", "function", "kwargs", "layout", "fan", "note"}
            assert d["layout"] in ("torch", "jax", "keras", "mxnet", None)
    for kind in ["Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
                 "ConvTranspose3d", "Embedding", "LayerNorm", "BatchNorm1d", "BatchNorm2d",
                 "GroupNorm", "RNN", "LSTM", "GRU", "MultiheadAttention"]:
        assert kind in presets.kinds("torch")
    for kind in ["Dense", "Conv", "Embed", "LayerNorm", "LSTMCell"]:
        assert kind in presets.kinds("flax")
    for kind in ["Dense", "Conv1D", "Conv2D", "Conv3D", "Embedding", "LSTM", "GRU",
                 "BatchNormalization"]:
        assert kind in presets.kinds("keras")
    for kind in ["Dense", "Conv2D", "Embedding", "BatchNorm", "LSTM"]:
        assert kind in presets.kinds("mxnet")


def test_preset_values_follow_the_sources():
    """The numbers the sources state, from the data."""
    e = presets.get_preset("torch", "Linear")["weight"].expected((64, 128))
    assert e.high == pytest.approx(1 / math.sqrt(128), rel=1e-14)
    e = presets.get_preset("torch", "Linear")["bias"].expected((64,), fan_in=128)
    assert e.high == pytest.approx(1 / math.sqrt(128), rel=1e-15)
    e = presets.get_preset("torch", "LSTM")["weight_hh"].expected((64, 16))
    assert e.high == pytest.approx(1 / 4, rel=1e-15)
    e = presets.get_preset("flax", "Dense")["kernel"].expected((784, 512))
    assert e.std == pytest.approx(1 / math.sqrt(784), rel=1e-14) and e.family == "trunc_normal"
    e = presets.get_preset("flax", "Embed")["embedding"].expected((1000, 64))
    assert e.std == pytest.approx(1 / 8, rel=1e-14) and e.family == "normal"
    e = presets.get_preset("keras", "Dense")["kernel"].expected((784, 512))
    assert e.high == pytest.approx(math.sqrt(6 / (784 + 512)), rel=1e-14)
    e = presets.get_preset("keras", "Embedding")["embeddings"].expected((100, 16))
    assert (e.low, e.high) == (-0.05, 0.05)
    b = presets.get_preset("keras", "LSTM")["bias"](np.empty(16))
    assert b.tolist() == [0] * 4 + [1] * 4 + [0] * 8
    e = presets.get_preset("mxnet", "Conv2D")["weight"].expected((32, 16, 3, 3))
    assert (e.low, e.high) == (-0.07, 0.07)
    x = presets.get_preset("mxnet", "Dense").replace(weight=presets.MXNET_XAVIER)
    assert x["weight"].expected((64, 128)).high == pytest.approx(math.sqrt(3 / 96))


def test_rule_calls_and_errors():
    p = presets.get_preset("torch", "Linear")
    with pytest.raises(ValueError, match="needs fan_in"):
        p["bias"](np.empty(4))
    with pytest.raises(ValueError, match="needs fan_in"):
        p["bias"].expected((4,))
    with pytest.raises(KeyError, match="has no role 'gamma'"):
        p["gamma"]
    with pytest.raises(ValueError, match="get_preset: torch has no preset for 'Dense'"):
        presets.get_preset("torch", "Dense")
    with pytest.raises(ValueError, match="get_preset: framework"):
        presets.get_preset("tensorflow", "Dense")
    a = p["weight"](np.empty((8, 4)), generator=1)
    b = wcinit.kaiming_uniform_(np.empty((8, 4)), a=math.sqrt(5), generator=1)
    assert np.array_equal(a, b)     # the rule is the torch-named function, same bits


def test_expected_on_every_rule():
    shapes = {1: (64,), 2: (64, 16), 3: (1, 1, 16), 4: (32, 16, 3, 3)}
    for fw, kind in presets.kinds():
        p = presets.get_preset(fw, kind)
        for role in p:
            rule = p[role]
            shape = shapes[4] if ("weight" in role or "kernel" in role) and fw != "flax" \
                and "proj" not in role and "_h" not in role and "_i" not in role \
                and "2h" not in role and kind not in ("PReLU",) else shapes[2]
            if role in ("bias", "running_mean", "running_var", "scale", "mean", "var",
                        "gamma", "beta", "moving_mean", "moving_variance", "in_proj_bias",
                        "out_proj.bias", "i2h_bias", "h2h_bias", "bias_ih", "bias_hh"):
                shape = shapes[1]
            if role in ("bias_k", "bias_v"):
                shape = shapes[3]
            fan = 144 if rule.fan == "weight" else None
            e = wcinit.expected(rule, shape, fan_in=fan)
            arr = rule(np.empty(shape), generator=0, fan_in=fan)
            assert arr.min() >= e.low and arr.max() <= e.high, (fw, kind, role)

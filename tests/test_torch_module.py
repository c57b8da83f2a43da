"""wcinit.torch.init_module against torch's own reset_parameters (torch==2.13.0).

Distributions: for every parameter, the values wcinit draws and the values
torch's constructors draw (R independent seeds each, pooled to >= 4000
values) are compared by a two-sample Kolmogorov-Smirnov test; with fixed
seeds the test is deterministic, and the threshold p > 1e-4 over ~60
comparisons keeps a correct implementation passing while a wrong bound
(even 5% off, at these sizes) fails.  Constants (norms, biases, running
statistics, padding rows) are compared exactly.
"""
import functools
import math

import numpy as np
import pytest

import wcinit

torch = pytest.importorskip("torch")
stats = pytest.importorskip("scipy.stats")
wt = pytest.importorskip("wcinit.torch")
nn = torch.nn

P_MIN = 1e-4


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, groups=2)
        self.convT = nn.ConvTranspose2d(8, 6, 3, groups=2)
        self.bn = nn.BatchNorm2d(8)
        self.emb = nn.Embedding(100, 16, padding_idx=3)
        self.lstm = nn.LSTM(16, 32, num_layers=2, bidirectional=True)
        self.gru = nn.GRUCell(8, 12)
        self.attn = nn.MultiheadAttention(32, 4)
        self.attn2 = nn.MultiheadAttention(32, 4, kdim=16, vdim=16, add_bias_kv=True)
        self.ln = nn.LayerNorm(32)
        self.gn = nn.GroupNorm(2, 8)
        self.bil = nn.Bilinear(5, 7, 3)
        self.act = nn.PReLU(8)
        self.fc = nn.Linear(32, 10)

    def forward(self, img, tokens):
        h = self.act(self.gn(self.bn(self.conv(img))))
        h = self.convT(h).mean()
        e = self.emb(tokens)                       # (T, B, 16)
        s, _ = self.lstm(e)                        # (T, B, 64)
        a, _ = self.attn(s[..., :32], s[..., :32], s[..., :32])
        a2, _ = self.attn2(a, e, e)
        g = self.gru(img.mean((2, 3)).repeat(1, 2)).sum()
        b = self.bil(e[0, :, :5], e[0, :, :7]).sum()
        return self.fc(self.ln(a2)).sum() + h + g + b


def _pooled(draw, names, n_min):
    vals = {n: [] for n in names}
    r = 0
    while r < 400 and min(sum(v.size for v in vals[n]) for n in names) < n_min:
        params = draw(r)
        for n in names:
            if sum(v.size for v in vals[n]) < n_min:
                vals[n].append(params[n].detach().numpy().ravel().copy())
        r += 1
    return {n: np.concatenate(v) for n, v in vals.items()}


def torch_samples(make, names, n_min=4000):
    """>= n_min values of each parameter from torch's own constructors (seeds 1000, 1001, ...)."""
    def draw(r):
        torch.manual_seed(1000 + r)
        return dict(make().named_parameters())
    return _pooled(draw, names, n_min)


def wcinit_samples(make, names, n_min=4000, preset="torch"):
    m = make()

    def draw(r):
        wt.init_module(m, preset, generator=r, measure=False)
        return dict(m.named_parameters())
    return _pooled(draw, names, n_min)


NET_PARAMS = [n for n, _ in Net().named_parameters()]


@pytest.fixture(scope="module")
def net_samples():
    return torch_samples(Net, NET_PARAMS), wcinit_samples(Net, NET_PARAMS)


@pytest.mark.parametrize("name", NET_PARAMS)
def test_init_module_matches_torch_reset_parameters(name, net_samples):
    t, w = net_samples[0][name], net_samples[1][name]
    if name == "emb.weight":  # the padding row is exactly 0 in both; compare the others
        t, w = t[t != 0], w[w != 0]
    if np.ptp(t) == 0:  # a constant: equal exactly
        assert (w == t[0]).all(), name
        return
    res = stats.ks_2samp(t, w)
    assert res.pvalue > P_MIN, (name, res)


def test_bounds_and_constants_exactly():
    net = Net()
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(7.0)
        net.bn.running_mean.fill_(7.0)
        net.bn.running_var.fill_(7.0)
        net.bn.num_batches_tracked.fill_(7)
    rep = wt.init_module(net, generator=0)
    # Linear: U(+-1/sqrt(fan_in)) for the weight (kaiming_uniform_ a=sqrt 5) and the bias
    for n in ("fc.weight", "fc.bias"):
        v = dict(net.named_parameters())[n].detach().numpy()
        assert np.abs(v).max() <= 1 / math.sqrt(32) and rep[n].high == pytest.approx(1 / math.sqrt(32))
    # Conv2d(groups=2): fan_in = (4/2) * 3 * 3 = 18; ConvTranspose2d weight [8, 6/2, 3, 3]: fan_in = 27
    assert rep["conv.weight"].fan_in == 18 and rep["conv.bias"].high == pytest.approx(1 / math.sqrt(18))
    assert rep["convT.weight"].fan_in == 27 and rep["convT.bias"].high == pytest.approx(1 / math.sqrt(27))
    assert rep["lstm.weight_hh_l1_reverse"].high == pytest.approx(1 / math.sqrt(32))
    assert rep["gru.bias_hh"].high == pytest.approx(1 / math.sqrt(12))
    assert (net.emb.weight[3] == 0).all() and (net.emb.weight[4] != 0).all()
    for t, v in ((net.bn.weight, 1), (net.bn.bias, 0), (net.ln.weight, 1), (net.ln.bias, 0),
                 (net.gn.weight, 1), (net.gn.bias, 0), (net.attn.in_proj_bias, 0),
                 (net.attn.out_proj.bias, 0), (net.attn2.in_proj_bias, 0),
                 (net.bn.running_mean, 0), (net.bn.running_var, 1), (net.act.weight, 0.25)):
        assert (t == v).all()
    assert int(net.bn.num_batches_tracked) == 0
    assert rep["attn.in_proj_weight"].rule == "xavier_uniform_()"
    assert rep["attn2.q_proj_weight"].high == pytest.approx(math.sqrt(6 / (32 + 32)))
    assert rep["attn2.k_proj_weight"].high == pytest.approx(math.sqrt(6 / (32 + 16)))


def test_meta_device_materialized_gives_the_same_bits():
    cpu = Net()
    wt.init_module(cpu, generator=42)
    with torch.device("meta"):
        meta = Net()
    with pytest.raises(RuntimeError, match=r"init_module: parameter 'conv.weight' is on the meta device"):
        wt.init_module(meta, generator=42)
    meta.to_empty(device="cpu")
    wt.init_module(meta, generator=42)
    for (n, a), (_, b) in zip(cpu.state_dict().items(), meta.state_dict().items()):
        assert torch.equal(a, b), n


def test_gradients_flow_afterwards():
    net = Net()
    before = {n: p for n, p in net.named_parameters()}
    wt.init_module(net, generator=1)
    img = torch.randn(2, 4, 6, 6)
    tokens = torch.randint(0, 100, (5, 2))
    loss = net(img, tokens)
    loss.backward()
    for n, p in net.named_parameters():
        assert p is before[n] and p.is_leaf and p.requires_grad
        assert p.grad is not None and torch.isfinite(p.grad).all(), n
    assert net.conv.weight.grad.abs().sum() > 0


def test_adding_a_layer_changes_no_other_parameter():
    a = nn.Sequential()
    a.add_module("enc", nn.Linear(16, 16))
    a.add_module("dec", nn.Linear(16, 4))
    b = nn.Sequential()
    b.add_module("enc", nn.Linear(16, 16))
    b.add_module("mid", nn.Linear(16, 16))
    b.add_module("dec", nn.Linear(16, 4))
    wt.init_module(a, generator=5)
    wt.init_module(b, generator=5)
    for n in ("enc.weight", "enc.bias", "dec.weight", "dec.bias"):
        assert torch.equal(a.state_dict()[n], b.state_dict()[n]), n


def test_same_bits_for_1_and_2_threads(restore_threads):
    lin = nn.Linear(4200, 4096, bias=True)  # 17.2 M elements: the pooled fill
    wcinit.set_num_threads(1)
    wt.init_module(lin, generator=3, measure=False)
    one = lin.weight.detach().clone()
    wcinit.set_num_threads(2)
    wt.init_module(lin, generator=3, measure=False)
    assert torch.equal(one, lin.weight)


def test_unknown_module_parameters_name_the_parameter():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.empty(3))
            self.fc = nn.Linear(3, 3)
    m = Custom()
    with pytest.raises(ValueError, match="init_module: no rule matches parameter 'scale'"):
        wt.init_module(m, generator=0)
    before = m.fc.weight.detach().clone()
    assert torch.equal(before, m.fc.weight)  # nothing written
    wt.init_module(m, rules=[("scale", 1.0)], generator=0)
    assert (m.scale == 1).all()
    wt.init_module(m, default=wcinit.zeros_, generator=0)
    assert (m.scale == 0).all()
    with pytest.raises(TypeError, match="must be a torch.nn.Module"):
        wt.init_module({"a": 1})
    with pytest.raises(ValueError, match="init_module: preset must be"):
        wt.init_module(m, preset="keras")


def test_transformer_reset_parameters():
    """nn.Transformer's _reset_parameters: xavier_uniform_ on every parameter of 2+ dims."""
    make = functools.partial(nn.Transformer, d_model=16, nhead=2, num_encoder_layers=1,
                             num_decoder_layers=1, dim_feedforward=32)
    names = ["encoder.layers.0.linear1.weight", "decoder.layers.0.multihead_attn.out_proj.weight",
             "encoder.layers.0.linear1.bias"]
    t, w = torch_samples(make, names), wcinit_samples(make, names)
    for name in names:
        assert stats.ks_2samp(t[name], w[name]).pvalue > P_MIN, name


# ---- the reference texts' examples, on torch modules -----------------------------------

def test_reference_net_apply_init_weights():
    """model.apply(init_weights): kaiming_normal_(relu) Linear weights, zero biases -- as rules."""
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    rules = [wcinit.Rule("*.weight", functools.partial(wcinit.kaiming_normal_, nonlinearity="relu"), ndim=2),
             ("*.bias", wcinit.zeros_)]
    rep = wt.init_module(model, preset=None, rules=rules, generator=0)
    torch.manual_seed(0)
    ref = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    ref.apply(init_weights)
    for n in ("0.weight", "2.weight"):
        assert stats.ks_2samp(model.state_dict()[n].numpy().ravel(),
                              ref.state_dict()[n].numpy().ravel()).pvalue > P_MIN
    assert rep["0.weight"].expected_std == pytest.approx(math.sqrt(2 / 784))
    assert all((model.state_dict()[n] == 0).all() for n in ("0.bias", "2.bias", "4.bias"))


def test_reference_lstm_forget_bias():
    """LSTM forget-gate biases positive: torch's gate order i, f, g, o; b_ih[f] = 1, b_hh[f] = 0."""
    lstm = nn.LSTM(8, 16)
    rules = [("bias_ih_l0", wcinit.lstm_forget_bias_rule(wcinit.zeros_, 1.0, "torch")), ("bias_hh_l0", 0.0)]
    wt.init_module(lstm, rules=rules, generator=0)
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()
    assert (b[16:32] == 1).all() and (b[:16] == 0).all() and (b[32:] == 0).all()
    # and the forget gate of a zero input is then sigmoid(1) > 1/2 for every unit
    x = torch.zeros(1, 1, 8)
    gates = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
    assert torch.allclose(torch.sigmoid(gates[0, 16:32]), torch.sigmoid(torch.tensor(1.0)))


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.Module()
        self.attn.c_attn, self.attn.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Module()
        self.mlp.c_fc, self.mlp.c_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)


class GPT(nn.Module):
    def __init__(self, n_layer=4, d=64, vocab=500, ctx=32):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.h = nn.ModuleList(Block(d) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)


def test_reference_gpt2_init_on_a_module():
    m = GPT(n_layer=6)
    wt.init_module(m, preset="gpt2", generator=0)
    proj = torch.cat([p.detach().ravel() for n, p in m.named_parameters() if n.endswith("c_proj.weight")]).numpy()
    se = 0.02 / math.sqrt(12) / math.sqrt(2 * proj.size)
    assert abs(proj.std() - 0.02 / math.sqrt(12)) < 6 * se
    assert abs(m.wte.weight.detach().numpy().std() - 0.02) < 6 * 0.02 / math.sqrt(2 * m.wte.weight.numel())
    assert all((p == 0).all() for n, p in m.named_parameters() if n.endswith("bias"))
    assert (m.ln_f.weight == 1).all()


class ConvNet(nn.Module):  # a user's own Module subclass (its type lives outside torch)
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1),
                                  nn.ReLU(), nn.Flatten(), nn.Linear(16 * 8 * 8, 32), nn.Tanh(), nn.Linear(32, 10))

    def forward(self, x):
        return self.body(x)

    def __getitem__(self, i):
        return self.body[i]


def test_torch_lsuv_through_hooks():
    torch.manual_seed(0)
    net = ConvNet()
    assert type(net).__module__ != "torch"
    x = torch.from_numpy(wcinit.normal_(np.empty((128, 3, 8, 8), np.float32), generator=1))
    rep = wcinit.lsuv_(net, x, generator=2)
    assert [r["name"] for r in rep.rows()] == ["body.0", "body.2", "body.5", "body.7"]
    outs = []
    hooks = [m.register_forward_hook(lambda mod, i, o: outs.append(o.detach().double().var(unbiased=False).item()))
             for m in (net[0], net[2], net[5], net[7])]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    for r, v in zip(rep.rows(), outs):
        assert abs(v - 1) < 0.1 and r["converged"]
        assert v == pytest.approx(r["variance"], rel=1e-4)


def test_torch_lsuv_sequential():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1),
                        nn.ReLU(), nn.Flatten(), nn.Linear(16 * 8 * 8, 32), nn.Tanh(), nn.Linear(32, 10))
    x = torch.from_numpy(wcinit.normal_(np.empty((128, 3, 8, 8), np.float32), generator=1))
    rep = wcinit.lsuv_(net, x, generator=2)
    assert [r["name"] for r in rep.rows()] == ["0", "2", "5", "7"]
    outs = []
    hooks = [m.register_forward_hook(lambda mod, i, o: outs.append(o.detach().double().var(unbiased=False).item()))
             for m in (net[0], net[2], net[5], net[7])]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    for r, v in zip(rep.rows(), outs):
        assert abs(v - 1) < 0.1 and r["converged"]
        assert v == pytest.approx(r["variance"], rel=1e-4)


def test_doctests():
    import doctest
    r = doctest.testmod(wt, optionflags=doctest.ELLIPSIS)
    assert r.attempted > 0 and r.failed == 0


def test_init_params_on_state_dict_and_named_parameters_in_place():
    net = nn.Sequential(nn.Linear(64, 32), nn.LayerNorm(32), nn.Linear(32, 8))
    sd = net.state_dict()
    rep = wcinit.init_params(sd, preset="torch", generator=3)
    assert (net[1].weight == 1).all() and rep["0.weight"].high == pytest.approx(1 / 8)
    assert np.abs(net[0].weight.detach().numpy()).max() <= 1 / 8
    before = net[2].weight.detach().clone()
    wcinit.init_params(net.named_parameters(), [("2.weight", wcinit.zeros_), ("*", None)])
    assert (net[2].weight == 0).all() and not torch.equal(before, net[2].weight)
    # the same name and seed give the same values as init_module
    m2 = nn.Sequential(nn.Linear(64, 32), nn.LayerNorm(32), nn.Linear(32, 8))
    wt.init_module(m2, generator=3)
    assert torch.equal(m2[0].weight, net[0].weight)


def test_half_precision_modules(float_dtype):
    if float_dtype == np.float64:
        tdt = torch.float64
    elif float_dtype == np.float16:
        tdt = torch.float16
    elif float_dtype == np.float32:
        tdt = torch.float32
    else:
        tdt = torch.bfloat16
    lin = nn.Linear(256, 128).to(tdt)
    wt.init_module(lin, generator=0)
    w = lin.weight.detach().float().numpy()
    assert np.abs(w).max() <= 1 / 16 and w.std() > 0.9 / 16 / math.sqrt(3)


def test_tied_weights_filled_once_under_the_first_name():
    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(50, 16)
            self.lm_head = nn.Linear(16, 50, bias=False)
            self.lm_head.weight = self.wte.weight
    m = LM()
    sd = m.state_dict(keep_vars=True)
    assert set(sd) == {"wte.weight", "lm_head.weight"}
    rep = wcinit.init_params(sd, [("*", functools.partial(wcinit.normal_, std=0.02))], generator=1)
    assert rep["lm_head.weight"].rule == "tied to wte.weight"
    want = wcinit.normal_(np.empty((50, 16), np.float32), std=0.02, generator=wcinit.named_generator(1, "wte.weight"))
    assert (m.wte.weight.detach().numpy() == want).all() and m.lm_head.weight is m.wte.weight
    rep = wt.init_module(m, generator=1)  # named_parameters() lists a tied parameter once
    assert rep.names() == ["wte.weight"]


def test_name_inference_agrees_with_type_dispatch():
    """preset='torch' on a state_dict (kinds inferred from names and shapes) gives the same
    bits as init_module (kinds from module types) for every parameter it can infer, and
    refuses, by name, the ones it cannot (Bilinear's 3-D weight, PReLU's lone 1-D weight)."""
    a, b = Net(), Net()
    with pytest.raises(ValueError, match=r"parameter 'bil.weight'"):
        wcinit.init_params(b.state_dict(), preset="torch", generator=8)
    wt.init_module(a, generator=8)
    rules = [("bil.*", wcinit.zeros_), ("act.weight", 0.25)]
    wcinit.init_params(b.state_dict(), rules, preset="torch", generator=8)
    for (n, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        if n == "emb.weight":  # a state_dict does not carry padding_idx: row 3 differs, only it
            keep = torch.arange(100) != 3
            assert torch.equal(x[keep], y[keep]) and (x[3] == 0).all() and (y[3] != 0).all()
        elif not n.startswith("bil."):
            assert torch.equal(x, y), n

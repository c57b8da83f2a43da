"""init_params: rules over parameter trees, name-keyed streams, presets, schemes, reports.

Statistical checks use fixed seeds and 6 standard errors.  The standard error
of a sample std s of n i.i.d. values with std sigma and kurtosis kappa is
sigma * sqrt((kappa - 1) / (4 n)) (delta method): kappa = 3 for a normal,
9/5 for a uniform; of a sample mean, sigma / sqrt(n).
"""
import doctest
import functools
import json
import math
import os
import re

import numpy as np
import pytest

import reference as R
import wcinit
from wcinit import _fixup, _lsuv, _models, _schemes

K = 6.0
DATA = os.path.join(os.path.dirname(__file__), "data", "name_streams.json")
HE = functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")


def se_std(sigma, n, kurtosis):
    return sigma * math.sqrt((kurtosis - 1) / (4 * n))


def assert_std(x, sigma, kurtosis=3.0, mean=0.0):
    x = np.asarray(x, np.float64).ravel()
    n = x.size
    assert abs(x.std() - sigma) < K * se_std(sigma, n, kurtosis), (x.std(), sigma)
    assert abs(x.mean() - mean) < K * sigma / math.sqrt(n), (x.mean(), mean)


def mlp(sizes=(784, 256, 128, 10), dtype=np.float32):
    return {f"fc{i + 1}": {"weight": np.full((o, n), np.nan, dtype), "bias": np.full(o, np.nan, dtype)}
            for i, (n, o) in enumerate(zip(sizes[:-1], sizes[1:]))}


# ---- rules ----------------------------------------------------------------------

def test_first_match_wins():
    p = mlp()
    rep = wcinit.init_params(p, [("fc1.weight", wcinit.zeros_), ("*.weight", HE),
                                 ("*", wcinit.ones_)], generator=0)
    assert (p["fc1"]["weight"] == 0).all()
    assert (p["fc1"]["bias"] == 1).all() and (p["fc3"]["bias"] == 1).all()
    # the second rule, not the third, reached fc2.weight: exactly HE from its stream
    want = HE(np.empty((128, 256), np.float32), generator=wcinit.named_generator(0, "fc2.weight"))
    assert (p["fc2"]["weight"] == want).all()
    assert rep["fc2.weight"].pattern == "*.weight" and rep["fc1.weight"].pattern == "fc1.weight"


def test_predicates_ndim_shape_dtype_where_regex():
    p = {"a": np.zeros((4, 3), np.float32), "b": np.zeros((4, 3), np.float64),
         "c": np.zeros((2, 2, 3, 3), np.float32), "d": np.zeros(5, np.float32),
         "e": np.zeros((7, 3), np.float32)}
    rules = [
        wcinit.Rule("*", 1.0, dtype=np.float64),
        wcinit.Rule("*", 2.0, ndim=4),
        wcinit.Rule("*", 3.0, shape=(7, None)),
        wcinit.Rule("re:^[ad]$", 4.0, where=lambda n, a: a.ndim == 1),
        wcinit.Rule(re.compile("a"), 5.0),
    ]
    wcinit.init_params(p, rules)
    assert [float(p[k].flat[0]) for k in "abcde"] == [5.0, 1.0, 2.0, 4.0, 3.0]


def test_rules_as_dict_and_callable_pattern():
    p = {"x": np.zeros(3), "y": np.zeros(3)}
    wcinit.init_params(p, {"x": 1.5, (lambda n: n == "y"): 2.5})
    assert (p["x"] == 1.5).all() and (p["y"] == 2.5).all()


def test_unmatched_raises_naming_parameter_and_default_rescues():
    p = mlp()
    with pytest.raises(ValueError, match=r"init_params: no rule matches parameter 'fc1.bias'"):
        wcinit.init_params(p, [("*.weight", HE)], generator=0)
    assert np.isnan(p["fc1"]["weight"]).all()  # nothing written
    wcinit.init_params(p, [("*.weight", HE)], default=wcinit.zeros_, generator=0)
    assert (p["fc3"]["bias"] == 0).all() and np.isfinite(p["fc1"]["weight"]).all()


@pytest.mark.parametrize("bad, exc, msg", [
    (functools.partial(wcinit.kaiming_normal_, mode="fan_avg"), ValueError, "Mode fan_avg not supported"),
    (functools.partial(wcinit.kaiming_normal_, nonlinearity="swish"), ValueError, "Unsupported nonlinearity"),
    (functools.partial(wcinit.normal_, std=-1.0), RuntimeError, "normal expects std >= 0.0"),
    (functools.partial(wcinit.uniform_, a=1.0, b=0.0), RuntimeError, "from=1 > to=0"),
    (functools.partial(wcinit.normal_, sd=1.0), TypeError, "sd"),
    (wcinit.eye_, ValueError, "Only tensors with 2 dimensions"),
])
def test_nothing_written_when_any_rule_fails_validation(bad, exc, msg):
    p = {"a": np.full((8, 8), 7.0, np.float32), "z": np.full((2, 3, 4), 7.0, np.float32)}
    state = wcinit.default_generator.get_state()
    with pytest.raises(exc, match=r"parameter 'z'.*" + re.escape(msg)):
        wcinit.init_params(p, [("a", wcinit.normal_), ("z", bad)])
    assert (p["a"] == 7).all() and (p["z"] == 7).all()
    assert (wcinit.default_generator.get_state() == state).all()  # no seed drawn either


def test_bad_leaves_are_refused_before_writing():
    ro = np.zeros(4, np.float32)
    ro.flags.writeable = False
    p = {"a": np.full(4, 7.0, np.float32), "b": ro}
    with pytest.raises(ValueError, match="parameter 'b'"):
        wcinit.init_params(p, [("*", wcinit.normal_)], generator=0)
    assert (p["a"] == 7).all()
    p = {"a": np.full(4, 7.0, np.float32), "i": np.zeros(4, np.int32)}
    with pytest.raises(TypeError, match="parameter 'i'"):
        wcinit.init_params(p, [("*", wcinit.normal_)], generator=0)
    assert (p["a"] == 7).all()
    with pytest.raises(TypeError, match=r"parameter 'x.0' is a int"):
        wcinit.init_params({"x": [3]}, default=wcinit.zeros_)
    with pytest.raises(TypeError, match="not a single array"):
        wcinit.init_params(np.zeros(3), default=wcinit.zeros_)


def test_integer_buffers_take_constants():
    p = {"num_batches_tracked": np.full((), 9, np.int64)}
    wcinit.init_params(p, [("*", 0)])
    assert p["num_batches_tracked"] == 0


def test_pytrees_nested_lists_and_named_pairs():
    tree = {"layers": [{"w": np.zeros((3, 3))}, {"w": np.zeros((3, 3))}], "out": (np.zeros(2),)}
    rep = wcinit.init_params(tree, default=wcinit.normal_, generator=3)
    assert rep.names() == ["layers.0.w", "layers.1.w", "out.0"]
    assert rep.params["layers"][1]["w"] is tree["layers"][1]["w"] and isinstance(rep.params["out"], tuple)
    pairs = [("a.w", np.zeros((3, 3))), ("b.w", np.zeros((3, 3)))]
    rep2 = wcinit.init_params(iter(pairs), default=wcinit.normal_, generator=3)
    assert rep2.names() == ["a.w", "b.w"]
    with pytest.raises(ValueError, match="appears twice"):
        wcinit.init_params([("a", np.zeros(2)), ("a", np.zeros(2))], default=wcinit.zeros_)


# ---- name-keyed streams ------------------------------------------------------------

def _fill(tree, seed=11):
    wcinit.init_params(tree, [("*.bias", wcinit.uniform_), ("*", wcinit.normal_)], generator=seed)
    return {n: a.copy() for n, a in _models.flatten(tree)}


def test_inserting_removing_reordering_keeps_other_bits():
    base = _fill(mlp())
    bigger = mlp()
    bigger["extra"] = {"weight": np.zeros((50, 50), np.float32)}
    bigger = {"extra0": {"weight": np.zeros((9, 9), np.float32)}, **bigger}
    got = _fill(bigger)
    for n, v in base.items():
        assert (got[n] == v).all(), n
    reordered = dict(reversed(list(mlp().items())))
    for n, v in _fill(reordered).items():
        assert (base[n] == v).all(), n
    smaller = mlp()
    del smaller["fc2"]
    for n, v in _fill(smaller).items():
        assert (base[n] == v).all(), n


def test_same_tree_twice_same_bits_other_seed_differs():
    a, b, c = _fill(mlp()), _fill(mlp()), _fill(mlp(), seed=12)
    assert all((a[n] == b[n]).all() for n in a)
    assert all((a[n] != c[n]).any() for n in a)


def test_generator_is_read_not_advanced_and_its_stream_names_the_family():
    g = wcinit.Generator(11)
    wcinit.normal_(np.empty(10), generator=g)
    state = g.get_state()
    a = _fill(mlp(), seed=g)
    assert (g.get_state() == state).all()
    assert all((a[n] == v).all() for n, v in _fill(mlp(), seed=11).items())  # offset ignored
    other = _fill(mlp(), seed=wcinit.Generator(11, stream=1))
    assert all((a[n] != other[n]).any() for n in a)


def test_default_generator_draws_a_seed_reproducibly():
    wcinit.manual_seed(123)
    a = _fill(mlp(), seed=None)
    b = _fill(mlp(), seed=None)
    wcinit.manual_seed(123)
    a2 = _fill(mlp(), seed=None)
    assert all((a[n] == a2[n]).all() for n in a)
    assert all((a[n] != b[n]).any() for n in a)


def test_distinct_parameters_get_distinct_streams():
    names = [f"h.{i}.{leaf}" for i in range(200) for leaf in ("w", "b", "attn.c_proj.weight")]
    assert len({wcinit.name_stream(n) for n in names}) == len(names)
    # the same shape under different names: different values
    p = {n: np.zeros(64, np.float32) for n in ("x", "y")}
    wcinit.init_params(p, default=wcinit.normal_, generator=0)
    assert (p["x"] != p["y"]).all()


def test_name_streams_pinned():
    """tests/data/name_streams.json (tests/make_name_streams.py: hashlib and a
    pure-Python Philox, no wcinit) against the library's derivation and the C
    core's raw words."""
    with open(DATA, encoding="utf-8") as f:
        doc = json.load(f)
    assert doc["domain"] == "wcinit/name-stream/v1\\0"
    assert _models.NAME_STREAM_DOMAIN == b"wcinit/name-stream/v1\x00"
    assert len(doc["entries"]) >= 10
    for e in doc["entries"]:
        seed, parent, sid = int(e["seed"]), int(e["parent_stream"]), int(e["stream"])
        assert wcinit.name_stream(e["name"], parent) == sid, e["name"]
        g = wcinit.named_generator(wcinit.Generator(seed, parent), e["name"])
        assert (g.initial_seed(), g.stream, g.offset) == (seed, sid, 0)
        words = np.empty(64, np.uint32)
        wcinit._core._raw(words, g)
        assert [f"{w:08x}" for w in words] == e["raw_words"].split(), e["name"]


def test_init_params_fills_from_the_pinned_stream():
    with open(DATA, encoding="utf-8") as f:
        e = next(x for x in json.load(f)["entries"] if x["name"] == "fc1.weight" and x["seed"] == "0")
    p = {"fc1": {"weight": np.empty((16, 8), np.float32)}}
    wcinit.init_params(p, [("*", wcinit.normal_)], generator=0)
    want = wcinit.normal_(np.empty((16, 8), np.float32), generator=wcinit.Generator(0, int(e["stream"])))
    assert (p["fc1"]["weight"] == want).all()


def test_name_stream_argument_errors():
    with pytest.raises(TypeError, match="name_stream.*'name' must be str"):
        wcinit.name_stream(3)
    with pytest.raises(TypeError, match="'stream' must be int"):
        wcinit.name_stream("a", 1.5)
    with pytest.raises(TypeError, match="named_generator"):
        wcinit.named_generator(None, "a")


# ---- report ----------------------------------------------------------------------

def test_report_values_text_and_html():
    p = mlp()
    rep = wcinit.init_params(p, [("*.weight", HE), ("*.bias", wcinit.zeros_)], generator=0)
    rows = rep.rows()
    assert [r["name"] for r in rows] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                         "fc3.weight", "fc3.bias"]
    r = rep.to_dict()["fc1.weight"]
    assert (r["shape"], r["dtype"], r["fan_in"], r["fan_out"]) == ((256, 784), "float32", 784, 256)
    assert r["expected_std"] == pytest.approx(math.sqrt(2 / 784), rel=1e-12)
    w = p["fc1"]["weight"].astype(np.float64)
    assert r["measured_std"] == pytest.approx(w.std(), rel=1e-7)  # float32 deviations, float64 sums
    assert r["measured_mean"] == pytest.approx(w.mean(), abs=1e-12)
    assert abs(r["measured_std"] - r["expected_std"]) < K * se_std(r["expected_std"], w.size, 3)
    assert rep.to_dict()["fc1.bias"]["expected_std"] == 0 and rep["fc1.bias"].measured_std == 0
    text = str(rep)
    assert "fc3.weight" in text and "kaiming_normal_(nonlinearity='relu')" in text
    assert text.splitlines()[1].split() == list(wcinit.InitReport.COLUMNS)
    html = rep._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 7
    assert rep["fc2.weight"].value is p["fc2"]["weight"]


@pytest.mark.parametrize("init, std, kurt", [
    (functools.partial(wcinit.uniform_, a=-0.3, b=0.5), 0.8 / math.sqrt(12), 1.8),
    (functools.partial(wcinit.xavier_uniform_, gain=2.0), 2 * math.sqrt(2 / (300 + 200)), 1.8),
    (functools.partial(wcinit.kaiming_uniform_, a=math.sqrt(5)), 1 / math.sqrt(3 * 300), 1.8),
    (functools.partial(wcinit.kaiming_normal_, mode="fan_out"), R.kaiming_std((200, 300), mode="fan_out"), 3.0),
    (wcinit.xavier_normal_, math.sqrt(2 / 500), 3.0),
    (functools.partial(wcinit.orthogonal_, gain=1.5), 1.5 / math.sqrt(300), None),
])
def test_report_expected_std_is_the_rule_and_measured_agrees(init, std, kurt):
    p = {"w": np.empty((200, 300), np.float32)}
    rep = wcinit.init_params(p, [("w", init)], generator=5)
    assert rep["w"].expected_std == pytest.approx(std, rel=1e-12)
    if kurt is None:  # orthogonal rows: exactly sum of squares = rows * gain^2
        assert rep["w"].measured_std == pytest.approx(std, rel=1e-3)
    else:
        assert abs(rep["w"].measured_std - std) < K * se_std(std, 60000, kurt)


def test_report_trunc_normal_expected_std():
    p = {"w": np.empty((400, 400), np.float32)}
    rep = wcinit.init_params(p, [("w", functools.partial(wcinit.trunc_normal_, std=0.02, a=-0.04, b=0.04))],
                             generator=1)
    m = R.trunc_normal_moments(0.0, 0.02, -0.04, 0.04)
    assert rep["w"].expected_std == pytest.approx(math.sqrt(m[1]), rel=1e-9)
    assert (rep["w"].low, rep["w"].high) == (-0.04, 0.04)
    assert abs(rep["w"].measured_std - math.sqrt(m[1])) < K * math.sqrt(m[2] - m[1] ** 2) / (
        2 * math.sqrt(m[1]) * 400)


# ---- presets -----------------------------------------------------------------------

def torch_like_tree():
    f = np.float32
    return {"conv1.weight": np.empty((8, 3, 3, 3), f), "conv1.bias": np.empty(8, f),
            "bn1.weight": np.empty(8, f), "bn1.bias": np.empty(8, f),
            "bn1.running_mean": np.empty(8, f), "bn1.running_var": np.empty(8, f),
            "bn1.num_batches_tracked": np.empty((), np.int64),
            "embed.weight": np.empty((1000, 64), f),
            "lstm.weight_ih_l0": np.empty((256, 64), f), "lstm.weight_hh_l0": np.empty((256, 64), f),
            "lstm.bias_ih_l0": np.empty(256, f), "lstm.bias_hh_l0": np.empty(256, f),
            "attn.in_proj_weight": np.empty((192, 64), f), "attn.in_proj_bias": np.empty(192, f),
            "attn.out_proj.weight": np.empty((64, 64), f), "attn.out_proj.bias": np.empty(64, f),
            "ln.weight": np.empty(64, f), "ln.bias": np.empty(64, f),
            "fc.weight": np.empty((500, 640), f), "fc.bias": np.empty(500, f)}


def test_torch_preset_infers_layer_kinds():
    p = torch_like_tree()
    rep = wcinit.init_params(p, preset="torch", generator=4)
    b = 1 / math.sqrt(640)  # Linear: weight kaiming_uniform(a=sqrt 5) = U(+-1/sqrt(fan_in)); bias the same
    for n in ("fc.weight", "fc.bias"):
        assert np.abs(p[n]).max() <= b and np.abs(p[n]).max() > 0.99 * b
        assert rep[n].high == pytest.approx(b, rel=1e-12)
    assert_std(p["fc.weight"], b / math.sqrt(3), 1.8)
    assert rep["conv1.bias"].high == pytest.approx(1 / math.sqrt(27))
    assert_std(p["embed.weight"], 1.0)
    h = 1 / math.sqrt(64)
    for n in ("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"):
        assert np.abs(p[n]).max() <= h and rep[n].high == pytest.approx(h)
    assert_std(p["attn.in_proj_weight"], math.sqrt(2 / (64 + 192)), 1.8)
    for n in ("attn.in_proj_bias", "attn.out_proj.bias", "bn1.bias", "ln.bias", "bn1.running_mean"):
        assert (p[n] == 0).all(), n
    for n in ("bn1.weight", "ln.weight", "bn1.running_var"):
        assert (p[n] == 1).all(), n
    assert p["bn1.num_batches_tracked"] == 0


def test_torch_preset_refuses_what_it_cannot_infer():
    p = {"blk.weight": np.empty((4, 3, 5), np.float32), "mystery": np.empty(3, np.float32)}
    with pytest.raises(ValueError, match=r"cannot infer the layer kind of parameter 'blk.weight'"):
        wcinit.init_params(p, preset="torch", generator=0)
    with pytest.raises(ValueError, match=r"parameter 'mystery'"):
        wcinit.init_params({"mystery": p["mystery"]}, preset="torch", generator=0)
    # a rule or default covers it
    wcinit.init_params(p, [("blk.weight", wcinit.xavier_uniform_)], preset="torch",
                       default=wcinit.zeros_, generator=0)
    assert (p["mystery"] == 0).all()


def test_rules_come_before_the_preset():
    p = torch_like_tree()
    wcinit.init_params(p, [("fc.bias", 3.0)], preset="torch", generator=0)
    assert (p["fc.bias"] == 3).all()


def test_bias_rule_gets_fan_in_of_its_weight():
    p = {"l.weight": np.empty((30, 400), np.float32), "l.bias": np.empty(3000, np.float32)}
    wcinit.init_params(p, [("*.bias", wcinit.torch_bias_), ("*", wcinit.xavier_uniform_)], generator=2)
    assert np.abs(p["l.bias"]).max() <= 1 / 20 and np.abs(p["l.bias"]).max() > 0.99 / 20
    with pytest.raises(ValueError, match="parameter 'x.bias'.*no sibling weight"):
        wcinit.init_params({"x.bias": np.empty(3, np.float32)}, [("*", wcinit.torch_bias_)])


def test_unknown_preset():
    with pytest.raises(ValueError, match="preset must be one of"):
        wcinit.init_params({"a": np.zeros(2)}, preset="caffe")


# ---- schemes -----------------------------------------------------------------------

def gpt2_tree(n_layer=4, d=128, vocab=1000, ctx=64):
    f = np.float32
    t = {"wte.weight": np.empty((vocab, d), f), "wpe.weight": np.empty((ctx, d), f),
         "ln_f.weight": np.empty(d, f), "ln_f.bias": np.empty(d, f)}
    for i in range(n_layer):
        h = f"h.{i}."
        t.update({h + "ln_1.weight": np.empty(d, f), h + "ln_1.bias": np.empty(d, f),
                  h + "attn.c_attn.weight": np.empty((3 * d, d), f), h + "attn.c_attn.bias": np.empty(3 * d, f),
                  h + "attn.c_proj.weight": np.empty((d, d), f), h + "attn.c_proj.bias": np.empty(d, f),
                  h + "ln_2.weight": np.empty(d, f), h + "ln_2.bias": np.empty(d, f),
                  h + "mlp.c_fc.weight": np.empty((4 * d, d), f), h + "mlp.c_fc.bias": np.empty(4 * d, f),
                  h + "mlp.c_proj.weight": np.empty((d, 4 * d), f), h + "mlp.c_proj.bias": np.empty(d, f)})
    return t


def test_gpt2_scheme():
    """normal 0.02; c_proj 0.02 / sqrt(2 n_layer) (n_layer inferred from 'h.<i>.'); biases 0; LN 1/0."""
    t = gpt2_tree(n_layer=6)
    rep = wcinit.init_params(t, preset="gpt2", generator=9)
    small = 0.02 / math.sqrt(12)
    proj = np.concatenate([t[f"h.{i}.{k}.c_proj.weight"].ravel() for i in range(6) for k in ("attn", "mlp")])
    assert_std(proj, small)
    assert rep["h.5.mlp.c_proj.weight"].expected_std == pytest.approx(small, rel=1e-12)
    rest = np.concatenate([t["wte.weight"].ravel(), t["wpe.weight"].ravel()] +
                          [t[f"h.{i}.{k}.weight"].ravel() for i in range(6) for k in ("attn.c_attn", "mlp.c_fc")])
    assert_std(rest, 0.02)
    for n, a in t.items():
        if n.endswith("bias"):
            assert (a == 0).all(), n
        elif ".ln_" in n or n.startswith("ln_"):
            assert (a == 1).all(), n
    with pytest.raises(ValueError, match=r"cannot infer n_layer.*rules=wcinit\.gpt2_rules\(n_layer\)"):
        wcinit.init_params({"w": np.empty((3, 3))}, preset="gpt2")


@pytest.mark.parametrize("preset", ["gpt2", "bert", "vit"])
def test_schemes_leave_attention_mask_buffers_alone(preset):
    """nanoGPT / Hugging Face GPT-2 keep a causal mask 'attn.bias' (1, 1, T, T) and a
    0-d 'attn.masked_bias' in the state_dict: a scheme must not zero or redraw them."""
    t = gpt2_tree(n_layer=2)
    mask = np.tril(np.ones((1, 1, 8, 8), np.float32))
    for i in range(2):
        t[f"h.{i}.attn.bias"] = mask.copy()
        t[f"h.{i}.attn.masked_bias"] = np.array(-1e4, np.float32)
    wcinit.init_params(t, preset=preset, generator=0)
    for i in range(2):
        assert (t[f"h.{i}.attn.bias"] == mask).all()
        assert t[f"h.{i}.attn.masked_bias"] == np.float32(-1e4)
        assert (t[f"h.{i}.attn.c_attn.bias"] == 0).all()


def test_gpt2_rules_explicit_n_layer():
    t = gpt2_tree(n_layer=2)
    wcinit.init_params(t, wcinit.gpt2_rules(48), generator=1)
    x = np.concatenate([t[f"h.{i}.mlp.c_proj.weight"].ravel() for i in range(2)])
    assert_std(x, 0.02 / math.sqrt(96))


@pytest.mark.parametrize("scheme", ["bert", "vit"])
def test_bert_vit_truncated_normal(scheme):
    f = np.float32
    t = {"embeddings.word_embeddings.weight": np.empty((3000, 64), f),
         "encoder.layer.0.attention.self.query.weight": np.empty((64, 64), f),
         "encoder.layer.0.attention.self.query.bias": np.empty(64, f),
         "encoder.layer.0.output.LayerNorm.weight": np.empty(64, f),
         "encoder.layer.0.output.LayerNorm.bias": np.empty(64, f)}
    wcinit.init_params(t, preset=scheme, generator=3)
    w = t["embeddings.word_embeddings.weight"]
    assert np.abs(w).max() <= 0.04  # truncated at 2 sigma
    m = R.trunc_normal_moments(0.0, 0.02, -0.04, 0.04)
    assert abs(w.astype(np.float64).var() - m[1]) < K * math.sqrt((m[2] - m[1] ** 2) / w.size)
    assert (t["encoder.layer.0.output.LayerNorm.weight"] == 1).all()
    assert (t["encoder.layer.0.output.LayerNorm.bias"] == 0).all()
    assert (t["encoder.layer.0.attention.self.query.bias"] == 0).all()


def test_zero_last_rules():
    t = {f"b{i}.{l}.{k}": np.full((8, 8) if k == "weight" else 8, 5.0, np.float32)
         for i in range(3) for l in ("fc1", "fc2") for k in ("weight", "bias")}
    branches = [[f"b{i}.fc1.weight", f"b{i}.fc2.weight"] for i in range(3)]
    wcinit.init_params(t, wcinit.zero_last_rules(branches) + [("*.weight", HE), ("*.bias", 0.1)], generator=0)
    for i in range(3):
        assert (t[f"b{i}.fc2.weight"] == 0).all() and (t[f"b{i}.fc2.bias"] == 0).all()
        assert (t[f"b{i}.fc1.weight"] != 0).all() and (t[f"b{i}.fc1.bias"] == np.float32(0.1)).all()


@pytest.mark.parametrize("framework, k", [("torch", 1), ("keras", 1), ("mxnet", 1), ("onnx", 2), ("flax", 1)])
def test_lstm_forget_bias_gate_order(framework, k):
    h = 5
    b = np.arange(4 * h, dtype=np.float32)
    wcinit.lstm_forget_bias_(b, 2.5, framework=framework)
    want = np.arange(4 * h, dtype=np.float32)
    want[k * h:(k + 1) * h] = 2.5
    assert (b == want).all()
    with pytest.raises(ValueError, match="divisible by 4"):
        wcinit.lstm_forget_bias_(np.zeros(6), framework=framework)
    with pytest.raises(ValueError, match="framework must be one of"):
        wcinit.lstm_forget_bias_(np.zeros(8), framework="caffe")


def test_forget_bias_rule_in_a_tree():
    """The reference texts' LSTM note: forget-gate biases positive (torch order i, f, g, o)."""
    p = torch_like_tree()
    rules = [("lstm.bias_ih_l*", wcinit.lstm_forget_bias_rule(wcinit.zeros_, 1.0, "torch")),
             ("lstm.bias_hh_l*", 0.0)]
    wcinit.init_params(p, rules, preset="torch", generator=0)
    assert (p["lstm.bias_ih_l0"][64:128] == 1).all() and (p["lstm.bias_ih_l0"][:64] == 0).all()
    assert (p["lstm.bias_ih_l0"][128:] == 0).all() and (p["lstm.bias_hh_l0"] == 0).all()


# ---- the reference texts' examples ---------------------------------------------------

def test_reference_init_weights_pattern_mlp():
    """`model.apply(init_weights)`: Linear weights kaiming_normal_(relu), biases zero (784-256-128-10)."""
    p = mlp()
    wcinit.init_params(p, [wcinit.Rule("*.weight", HE, ndim=2), ("*.bias", wcinit.zeros_)], generator=0)
    for i, fan in enumerate((784, 256, 128)):
        assert_std(p[f"fc{i + 1}"]["weight"], math.sqrt(2 / fan))
        assert (p[f"fc{i + 1}"]["bias"] == 0).all()


def test_reference_init_cnn_pattern():
    """init_cnn: Conv2d kaiming_normal_(fan_out, relu), BatchNorm 1/0, Linear xavier_uniform_, biases 0."""
    f = np.float32
    p = {"conv.weight": np.empty((64, 3, 3, 3), f), "conv.bias": np.empty(64, f),
         "bn.weight": np.empty(64, f), "bn.bias": np.empty(64, f),
         "fc.weight": np.empty((10, 1024), f), "fc.bias": np.empty(10, f)}
    rules = [wcinit.Rule("*.weight", functools.partial(wcinit.kaiming_normal_, mode="fan_out", nonlinearity="relu"), ndim=4),
             wcinit.Rule("*.weight", wcinit.xavier_uniform_, ndim=2),
             wcinit.Rule("bn.weight", wcinit.ones_), wcinit.Rule("*.bias", wcinit.zeros_)]
    rep = wcinit.init_params(p, rules, generator=0)
    assert rep["conv.weight"].fan_in == 27 and rep["conv.weight"].fan_out == 576  # the text's worked numbers
    assert_std(p["conv.weight"], math.sqrt(2 / 576))
    assert np.abs(p["fc.weight"]).max() <= math.sqrt(6 / 1034)
    assert (p["bn.weight"] == 1).all() and (p["bn.bias"] == 0).all() and (p["conv.bias"] == 0).all()


def test_reference_mxnet_per_layer_scheme():
    """MXNet: net.initialize(Normal(0.01)); then Xavier for the first Dense, Constant(42) for the second."""
    f = np.float32
    p = {"0": {"weight": np.empty((8, 4), f), "bias": np.empty(8, f)},
         "1": {"weight": np.empty((1, 8), f), "bias": np.empty(1, f)}}
    wcinit.init_params(p, [("*.bias", 0.0)], default=functools.partial(wcinit.normal_, std=0.01), generator=1)
    first = p["0"]["weight"].copy()
    assert np.abs(first).max() < 6 * 0.01
    wcinit.init_params(p, [("0.weight", wcinit.xavier_uniform_), ("1.*", 42), ("0.bias", None)],
                       generator=1)
    # MXNet's Xavier() default (uniform, factor 'avg', magnitude 3) is xavier_uniform_: bound sqrt(6/(4+8))
    assert np.abs(p["0"]["weight"]).max() <= math.sqrt(6 / 12)
    assert (p["0"]["weight"] != first).any()
    assert (p["1"]["weight"] == 42).all() and (p["1"]["bias"] == 42).all()
    assert (p["0"]["bias"] == 0).all()  # init None: left as it was


def test_reference_gpt_style_depth_scaled_residuals():
    """'Scale residual layers by 1/sqrt(num_layers)': normal_(std=0.02 * scale) on the residual projections."""
    t = gpt2_tree(n_layer=8)
    scale = 1 / math.sqrt(8)
    wcinit.init_params(t, [("*c_proj.weight", functools.partial(wcinit.normal_, std=0.02 * scale)),
                           ("*.bias", wcinit.zeros_), wcinit.Rule("*", wcinit.ones_, ndim=1),
                           ("*", functools.partial(wcinit.normal_, std=0.02))], generator=2)
    x = np.concatenate([t[f"h.{i}.attn.c_proj.weight"].ravel() for i in range(8)])
    assert_std(x, 0.02 * scale)


def test_reference_residual_block_zero_init():
    """ResidualBlock: zero-initialize the final Linear of the branch: the block is the identity at init."""
    d = 32
    t = {f"blocks.{i}.layers.{j}.{k}": np.empty((d, d) if k == "weight" else d, np.float32)
         for i in range(4) for j in (0, 2) for k in ("weight", "bias")}
    branches = [[f"blocks.{i}.layers.0.weight", f"blocks.{i}.layers.2.weight"] for i in range(4)]
    wcinit.init_params(t, wcinit.zero_last_rules(branches), preset="torch", generator=0)
    x = np.random.default_rng(0).standard_normal((16, d))
    h = x
    for i in range(4):
        z = np.maximum(h @ t[f"blocks.{i}.layers.0.weight"].T + t[f"blocks.{i}.layers.0.bias"], 0)
        h = h + z @ t[f"blocks.{i}.layers.2.weight"].T + t[f"blocks.{i}.layers.2.bias"]
    assert (h == x).all()


# ---- doctests ------------------------------------------------------------------------

@pytest.mark.parametrize("mod", [_models, _schemes, _lsuv, _fixup])
def test_doctests(mod):
    r = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert r.attempted > 0 and r.failed == 0


# ---- framework presets through wcinit.presets ------------------------------------------

def test_keras_preset_matches_keras_layers():
    """preset='keras' on Keras's own variable paths, against the layers' initial weights (KS)."""
    import os
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    stats = pytest.importorskip("scipy.stats")
    keras.utils.set_random_seed(0)
    seq = keras.Sequential([keras.Input((10, 64)), keras.layers.LSTM(128, return_sequences=True),
                            keras.layers.GRU(64), keras.layers.Dense(256), keras.layers.BatchNormalization(),
                            keras.layers.Dense(200)])
    conv = keras.Sequential([keras.Input((8, 8, 32)), keras.layers.Conv2D(64, 3), keras.layers.LayerNormalization()])
    emb = keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(1000, 32)])
    own = {v.path: np.asarray(v.numpy()) for m in (seq, conv, emb) for v in m.weights}
    tree = {n: np.empty(a.shape, np.float32) for n, a in own.items()}
    rep = wcinit.init_params(tree, preset="keras", generator=0)
    assert len(rep) == len(own) == 19
    for n, a in own.items():
        w = tree[n]
        if np.ptp(a) == 0:
            assert (w == a.flat[0]).all(), n
        elif n.endswith("lstm_cell/bias"):  # unit_forget_bias: zeros, the forget quarter ones
            assert (w == a).all(), n
        else:
            assert stats.ks_2samp(a.ravel(), w.ravel()).pvalue > 1e-4, n


def test_flax_and_mxnet_presets_by_name():
    f = np.float32
    t = {"Dense_0": {"kernel": np.empty((300, 200), f), "bias": np.empty(200, f)},
         "LayerNorm_0": {"scale": np.empty(200, f), "bias": np.empty(200, f)},
         "Embed_0": {"embedding": np.empty((1000, 64), f)}}
    wcinit.init_params(t, preset="flax", generator=0)
    # lecun_normal: JAX's truncated normal at +-2 of sd sqrt(1/fan_in)/0.8796..., whose std is sqrt(1/fan_in)
    sd = math.sqrt(1 / 300) / 0.87962566103423978
    m2, m4 = R.trunc_normal_moments(0.0, sd, -2 * sd, 2 * sd)[1:]
    assert_std(t["Dense_0"]["kernel"], math.sqrt(1 / 300), kurtosis=m4 / m2 ** 2)
    assert abs(m2 - 1 / 300) < 1e-9
    assert np.abs(t["Dense_0"]["kernel"]).max() <= 2 * sd
    assert (t["LayerNorm_0"]["scale"] == 1).all() and (t["Dense_0"]["bias"] == 0).all()
    assert_std(t["Embed_0"]["embedding"], math.sqrt(1 / 64))  # variance_scaling(1, fan_in, normal, out_axis=0)
    m = {"dense0": {"weight": np.empty((300, 200), f), "bias": np.empty(300, f)},
         "batchnorm0": {"gamma": np.empty(300, f), "beta": np.empty(300, f)}}
    wcinit.init_params(m, preset="mxnet", generator=0)
    assert_std(m["dense0"]["weight"], 0.07 / math.sqrt(3), kurtosis=1.8)  # MXNet's Uniform(0.07)
    assert (m["batchnorm0"]["gamma"] == 1).all() and (m["dense0"]["bias"] == 0).all()
    g = {"dense0_weight": np.empty((30, 20), f), "dense0_bias": np.empty(30, f),
         "batchnorm0_gamma": np.empty(30, f), "batchnorm0_running_var": np.empty(30, f)}
    rep = wcinit.init_params(g, preset="mxnet", generator=0)  # Gluon 1.x parameter names
    assert rep["dense0_weight"].high == pytest.approx(0.07) and (g["dense0_bias"] == 0).all()
    assert (g["batchnorm0_gamma"] == 1).all() and (g["batchnorm0_running_var"] == 1).all()
    with pytest.raises(ValueError, match="parameter 'Foo_0.weird'"):
        wcinit.init_params({"Foo_0": {"weird": np.empty(3, f)}}, preset="flax")


def test_preset_rules_as_user_rules():
    """wcinit.presets rules in a rule list: torch's bias rule gets its weight's fan_in."""
    from wcinit import presets
    lin = presets.get_preset("torch", "Linear")
    lstm = presets.get_preset("torch", "LSTM")
    f = np.float32
    p = {"l.weight": np.empty((100, 400), f), "l.bias": np.empty(2000, f),
         "r.weight_hh_l0": np.empty((4 * 25, 25), f), "r.bias_hh_l0": np.empty(4 * 25, f)}
    rep = wcinit.init_params(p, [("l.weight", lin["weight"]), ("l.bias", lin["bias"]),
                                 ("r.weight_hh_l0", lstm["weight_hh"]), ("r.bias_hh_l0", lstm["bias_hh"])],
                             generator=0)
    assert rep["l.bias"].high == pytest.approx(1 / 20) and np.abs(p["l.bias"]).max() <= 1 / 20
    assert np.abs(p["l.bias"]).max() > 0.99 / 20
    # the RNN rule's bound is 1/sqrt(hidden_size) = 1/5 (not the sibling weight's fan_in)
    assert np.abs(p["r.bias_hh_l0"]).max() <= 1 / 5 and np.abs(p["r.bias_hh_l0"]).max() > 0.9 / 5
    assert rep["l.weight"].high == pytest.approx(1 / 20)


def test_abstract_leaves_are_allocated_jax_shapes():
    """JAX arrays are immutable: a tree of jax.ShapeDtypeStruct comes back as new, filled arrays."""
    jax = pytest.importorskip("jax")
    shapes = {"Dense_0": {"kernel": jax.ShapeDtypeStruct((64, 32), np.float32),
                          "bias": jax.ShapeDtypeStruct((32,), np.float32)},
              "layers": [jax.ShapeDtypeStruct((8, 8), np.float64)]}
    rep = wcinit.init_params(shapes, preset="flax", rules=[("layers.*", wcinit.orthogonal_)], generator=0)
    out = rep.params
    assert isinstance(out["Dense_0"]["kernel"], np.ndarray) and out["Dense_0"]["kernel"].shape == (64, 32)
    assert out["layers"][0].dtype == np.float64 and np.allclose(out["layers"][0] @ out["layers"][0].T, np.eye(8))
    assert (out["Dense_0"]["bias"] == 0).all() and out["Dense_0"]["kernel"].std() > 0
    # the same names and seed as a concrete tree: the same bits
    concrete = {"Dense_0": {"kernel": np.empty((64, 32), np.float32), "bias": np.empty(32, np.float32)}}
    wcinit.init_params(concrete, preset="flax", generator=0)
    assert (concrete["Dense_0"]["kernel"] == out["Dense_0"]["kernel"]).all()
    with pytest.raises(ValueError, match="read-only"):  # a jax array itself is refused, not written
        wcinit.init_params({"w": jax.numpy.zeros((3, 3))}, default=wcinit.normal_)


def test_whole_preset_as_an_initializer():
    """A wcinit.presets Preset (one layer kind's defaults) in a rule: each parameter takes its role's rule."""
    from wcinit import presets
    f = np.float32
    p = {"head": {"kernel": np.empty((400, 30), f), "bias": np.full(30, 9.0, f)},
         "rnn": {"weight_ih_l0": np.empty((4 * 20, 7), f), "bias_ih_l0": np.empty(80, f)},
         "proj": {"weight": np.empty((30, 400), f), "bias": np.empty(30, f)}}
    rep = wcinit.init_params(p, [("head.*", presets.get_preset("keras", "Dense")),
                                 ("rnn.*", presets.get_preset("torch", "LSTM")),
                                 ("proj.*", presets.get_preset("torch", "Linear"))], generator=0)
    assert rep["head.kernel"].rule.startswith("glorot_uniform_")
    assert np.abs(p["head"]["kernel"]).max() <= math.sqrt(6 / 430) and (p["head"]["bias"] == 0).all()
    assert np.abs(p["rnn"]["bias_ih_l0"]).max() <= 1 / math.sqrt(20)
    assert rep["proj.bias"].high == pytest.approx(1 / 20)
    with pytest.raises(ValueError, match=r"parameter 'head.gamma'.*no role"):
        wcinit.init_params({"head": {"gamma": np.empty(3, f)}}, [("*", presets.get_preset("keras", "Dense"))])


def test_torch_preset_places_unnamed_4d_and_5d_conv_weights_but_not_3d():
    """Sequential state_dicts name convs '0', '1': a 4-D or 5-D weight is a
    Conv/ConvTranspose (one rule); a 3-D one may be Conv1d or Bilinear: refused."""
    t = {"0": {"weight": np.empty((8, 3, 3, 3), np.float32), "bias": np.empty(8, np.float32)},
         "1": {"weight": np.empty((4, 8, 2, 2, 2), np.float32)}}
    rep = wcinit.init_params(t, preset="torch", generator=0)
    bound = 1 / math.sqrt(27)  # kaiming_uniform_(a=sqrt(5)) on fan_in 27
    assert rep["0.weight"].high == pytest.approx(bound)
    assert np.abs(t["0"]["weight"]).max() <= bound and np.abs(t["0"]["bias"]).max() <= bound
    with pytest.raises(ValueError, match="Conv1d and Bilinear differ"):
        wcinit.init_params({"0": {"weight": np.empty((8, 3, 3), np.float32)}}, preset="torch")


def test_torch_preset_t5_shared_is_an_embedding():
    t = {"shared": {"weight": np.empty((1000, 64), np.float32)}}
    rep = wcinit.init_params(t, preset="torch", generator=0)
    assert rep["shared.weight"].expected_std == 1.0  # Embedding: N(0, 1), not kaiming

"""Cross-checks against torch.nn.init (torch==2.13.0, CPU; CI installs it).

Every test takes the ``torch`` fixture, which skips only when torch cannot be
imported.  The list of functions is enumerated from torch itself, so a torch
upgrade that adds or changes a public function fails here until wcinit follows.

Deliberate differences (asserted as OUR behaviour, with torch's for contrast):
  * a non-tensor (a list) argument: torch raises AttributeError ('list' object
    has no attribute ...); wcinit raises wcinit.NotAnArrayError, a subclass of
    both TypeError and AttributeError, so ``except AttributeError`` still works.
  * integer dtypes: torch's random fills raise NotImplementedError; wcinit
    raises wcinit.DtypeError (TypeError + NotImplementedError).  torch's eye_,
    dirac_, constant_, ones_ and zeros_ fill integer tensors; wcinit refuses
    every non-float dtype (DESIGN.md: "until supported").
  * trunc_normal_ with std = 0: both ZeroDivisionError (different text).
  * trunc_normal_ with std < 0: torch silently accepts; wcinit ValueError.
  * trunc_normal_ with a > b: both RuntimeError, ours naming trunc_normal_ (torch
    names uniform_); bounds beyond the dtype's range: wcinit samples [a, b] within
    the finite range, refusing an interval with none of it (ValueError), where torch
    accepts some and raises uniform_'s "out of bounds" for others (asserted in
    test_api_fixes.py).
  * sparse_ with sparsity outside [0, 1]: torch accepts; wcinit ValueError.
  * normal_ with std = inf (or mean = +-inf): torch accepts; wcinit ValueError.
"""
import inspect
import math
import typing
import warnings

import numpy as np
import pytest

import reference as R
import wcinit
from conftest import BFLOAT16, as_f64

K = 6.0  # standard errors, as in test_stats.py

NP_OF = {"float16": np.float16, "float32": np.float32, "float64": np.float64}


def torch_public_functions(torch):
    init = torch.nn.init
    return {n: f for n, f in vars(init).items()
            if callable(f) and getattr(f, "__module__", None) == "torch.nn.init"
            and not n.startswith("_")}


def pair(torch, shape, dtype="float32"):
    """A torch tensor and a NumPy array of the same shape and dtype."""
    tdt = getattr(torch, dtype)
    if dtype == "bfloat16":
        return torch.zeros(shape, dtype=tdt), np.zeros(shape, BFLOAT16)
    return torch.zeros(shape, dtype=tdt), np.zeros(shape, NP_OF[dtype])


def outcome(fn, *args, **kwargs):
    """('ok', result) or ('raise', exception), warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - we compare whatever is raised
            return "raise", e


# ---- the API surface ---------------------------------------------------------------

def _sig(f):
    return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]


def test_every_torch_function_exists_with_same_signature(torch):
    """Same parameter names, order, kinds and defaults (annotations ignored)."""
    funcs = torch_public_functions(torch)
    assert len(funcs) >= 26  # 15 functions + 11 deprecated aliases in torch 2.13
    for name, tf in funcs.items():
        assert hasattr(wcinit, name), f"wcinit lacks torch.nn.init.{name}"
        assert _sig(getattr(wcinit, name)) == _sig(tf), name
        assert name in wcinit.__all__


def test_torch_nonlinearities_all_known(torch):
    lit = typing.get_type_hints(torch.nn.init.calculate_gain)["nonlinearity"]
    assert set(typing.get_args(lit)) == set(R.NONLINEARITIES)


GAIN_PARAMS = [None, 0, 0.2, 1, -0.5, 3, 1e-3, 100.0, np.float64(0.3),
               True, False, "x", "0.1", np.float32(0.1), np.int64(2), [0.1], 1j]


@pytest.mark.parametrize("param", GAIN_PARAMS, ids=[repr(p) for p in GAIN_PARAMS])
def test_calculate_gain_parity(param, torch):
    """Identical values for every nonlinearity torch knows (with any param), and
    the same exception type and message for invalid slopes."""
    lit = typing.get_type_hints(torch.nn.init.calculate_gain)["nonlinearity"]
    for nl in list(typing.get_args(lit)) + ["gelu", "ReLU", None, 5]:
        kt, rt = outcome(torch.nn.init.calculate_gain, nl, param)
        kw, rw = outcome(wcinit.calculate_gain, nl, param)
        assert kt == kw, (nl, param, rt, rw)
        if kt == "ok":
            assert rw == rt, (nl, param)
        else:
            assert type(rw) is type(rt) and str(rw) == str(rt), (nl, param)


def shapes_for_fans():
    rng = np.random.default_rng(0)
    out = [(64, 3, 3, 3), (512, 1024), (16, 8, 5), (4, 4, 3, 3, 3), (1, 1), (0, 5), (5, 0, 3)]
    for _ in range(150):
        nd = int(rng.integers(2, 7))
        out.append(tuple(int(s) for s in rng.integers(0, 9, nd)))
    return out


def test_fans_parity(torch):
    for shape in shapes_for_fans():
        want = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert wcinit._core._fans(shape) == tuple(want), shape
        assert R.fans(shape) == tuple(want), shape
    for shape in [(), (5,)]:
        kt, et = outcome(torch.nn.init._calculate_fan_in_and_fan_out, torch.empty(shape))
        kw, ew = outcome(wcinit._core._fans, shape)
        assert kt == kw == "raise" and type(ew) is type(et) and str(ew) == str(et)


# ---- deterministic initializers -------------------------------------------------------

DTYPES = ["float16", "float32", "float64"] + (["bfloat16"] if BFLOAT16 is not None else [])


def to64(x):
    """A torch tensor or NumPy array as a float64 NumPy array (exact for every float dtype)."""
    if hasattr(x, "detach"):
        return x.detach().double().numpy()
    return as_f64(x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_eye_dirac_constant_parity(dtype, torch):
    for shape in [(3, 3), (2, 5), (5, 2), (1, 1), (0, 4)]:
        t, a = pair(torch, shape, dtype)
        torch.nn.init.eye_(t)
        wcinit.eye_(a)
        assert np.array_equal(to64(t), to64(a)), shape
    for shape, groups in [((6, 4, 3), 1), ((6, 4, 3), 2), ((6, 4, 3), 3), ((4, 8, 5), 1),
                          ((6, 1, 3), 3), ((6, 4, 3, 3), 2), ((8, 2, 4, 2), 2),
                          ((6, 4, 3, 3, 3), 3), ((9, 3, 2, 3, 4), 3), ((0, 3, 3), 1)]:
        t, a = pair(torch, shape, dtype)
        torch.nn.init.dirac_(t, groups)
        wcinit.dirac_(a, groups)
        assert np.array_equal(to64(t), to64(a)), (shape, groups)
    for val in (0.3, -2.5, 7, 1e-3, 1e-8):
        t, a = pair(torch, (3, 4), dtype)
        torch.nn.init.constant_(t, val)
        wcinit.constant_(a, val)
        assert np.array_equal(to64(t), to64(a)), val
    for name in ("ones_", "zeros_"):
        t, a = pair(torch, (3, 4), dtype)
        getattr(torch.nn.init, name)(t)
        getattr(wcinit, name)(a)
        assert np.array_equal(to64(t), to64(a))


# ---- exceptions --------------------------------------------------------------------------

# (id, function, shape, dtype, args, kwargs): both libraries must raise the same
# exception type with the same message.
SAME_ERRORS = [
    ("eye_3d", "eye_", (3, 3, 3), "float32", (), {}),
    ("eye_1d", "eye_", (3,), "float32", (), {}),
    ("dirac_2d", "dirac_", (3, 3), "float32", (), {}),
    ("dirac_6d", "dirac_", (2, 2, 2, 2, 2, 2), "float32", (), {}),
    ("dirac_groups", "dirac_", (4, 3, 3), "float32", (), dict(groups=3)),
    ("dirac_groups0", "dirac_", (4, 3, 3), "float32", (), dict(groups=0)),
    ("kaiming_u_mode", "kaiming_uniform_", (3, 3), "float32", (), dict(mode="fan_avg")),
    ("kaiming_n_mode", "kaiming_normal_", (3, 3), "float32", (), dict(mode="fan_avg")),
    ("kaiming_u_nl", "kaiming_uniform_", (3, 3), "float32", (), dict(nonlinearity="gelu")),
    ("kaiming_n_nl", "kaiming_normal_", (3, 3), "float32", (), dict(nonlinearity="gelu")),
    ("kaiming_slope_bool", "kaiming_normal_", (3, 3), "float32", (), dict(a=True)),
    ("kaiming_slope_str", "kaiming_uniform_", (3, 3), "float32", (), dict(a="x")),
    ("xavier_u_1d", "xavier_uniform_", (5,), "float32", (), {}),
    ("xavier_n_1d", "xavier_normal_", (5,), "float32", (), {}),
    ("kaiming_u_1d", "kaiming_uniform_", (5,), "float32", (), {}),
    ("kaiming_n_1d", "kaiming_normal_", (5,), "float32", (), {}),
    ("xavier_u_0d", "xavier_uniform_", (), "float32", (), {}),
    ("xavier_u_0size_1d", "xavier_uniform_", (0,), "float32", (), {}),
    ("orthogonal_1d", "orthogonal_", (5,), "float32", (), {}),
    ("sparse_3d", "sparse_", (3, 3, 3), "float32", (0.5,), {}),
    ("sparse_1d", "sparse_", (3,), "float32", (0.5,), {}),
    ("uniform_from_gt_to", "uniform_", (3,), "float32", (2.0, 1.0), {}),
    ("uniform_from_oob", "uniform_", (3,), "float32", (-1e39, 1.0), {}),
    ("uniform_to_oob", "uniform_", (3,), "float32", (0.0, 1e39), {}),
    ("uniform_nan", "uniform_", (3,), "float32", (float("nan"), 1.0), {}),
    ("uniform_f64_inf", "uniform_", (3,), "float64", (-math.inf, 1.0), {}),
    ("uniform_f16_oob", "uniform_", (3,), "float16", (-1e5, 1.0), {}),
    ("uniform_f16_to_oob", "uniform_", (3,), "float16", (0.0, 7e4), {}),
    ("normal_neg_std", "normal_", (3,), "float32", (0.0, -1.0), {}),
    ("normal_nan_std", "normal_", (3,), "float32", (0.0, float("nan")), {}),
    ("xavier_n_neg_gain", "xavier_normal_", (3, 3), "float32", (), dict(gain=-1.0)),
    ("xavier_u_neg_gain", "xavier_uniform_", (3, 3), "float32", (), dict(gain=-1.0)),
    ("xavier_u_f16_huge", "xavier_uniform_", (3, 3), "float16", (), dict(gain=1e6)),
    ("kaiming_slope_complex", "kaiming_normal_", (3, 3), "float32", (), dict(a=1j)),
]
if BFLOAT16 is not None:
    SAME_ERRORS.append(("uniform_bf16_oob", "uniform_", (3,), "bfloat16", (-1e39, 1.0), {}))


@pytest.mark.parametrize("case", SAME_ERRORS, ids=[c[0] for c in SAME_ERRORS])
def test_same_exception(case, torch):
    _, name, shape, dtype, args, kw = case
    t, a = pair(torch, shape, dtype)
    kt, et = outcome(getattr(torch.nn.init, name), t, *args, **kw)
    kw_, ew = outcome(getattr(wcinit, name), a, *args, **kw)
    assert kt == "raise", f"torch no longer raises for {case}"
    assert kw_ == "raise", f"wcinit does not raise ({type(et).__name__}: {et})"
    assert type(ew) is type(et), (ew, et)
    assert str(ew) == str(et)


RANDOM_NAMES = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
                "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_"]
ALL_NAMES = RANDOM_NAMES + ["constant_", "ones_", "zeros_", "eye_", "dirac_"]
EXTRA_ARGS = {"sparse_": (0.5,), "constant_": (1.0,)}


@pytest.mark.parametrize("name", ALL_NAMES)
def test_list_argument(name, torch):
    """Deliberate difference: torch AttributeError, wcinit NotAnArrayError (an AttributeError)."""
    arg = [[1.0, 2.0], [3.0, 4.0]] if name != "dirac_" else [[[1.0]]]
    kt, et = outcome(getattr(torch.nn.init, name), arg, *EXTRA_ARGS.get(name, ()))
    kw, ew = outcome(getattr(wcinit, name), arg, *EXTRA_ARGS.get(name, ()))
    assert kt == kw == "raise"
    assert type(et) is AttributeError
    assert isinstance(ew, wcinit.NotAnArrayError)
    assert isinstance(ew, type(et)) and isinstance(ew, TypeError)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_integer_dtype(name, torch):
    """Deliberate difference: torch's random fills raise NotImplementedError,
    wcinit DtypeError (a NotImplementedError); torch fills integer tensors with
    the deterministic initializers, wcinit refuses them with DtypeError."""
    shape = (4, 3, 3) if name == "dirac_" else (4, 3)
    t = torch.zeros(shape, dtype=torch.int64)
    a = np.zeros(shape, np.int64)
    kt, et = outcome(getattr(torch.nn.init, name), t, *EXTRA_ARGS.get(name, ()))
    kw, ew = outcome(getattr(wcinit, name), a, *EXTRA_ARGS.get(name, ()))
    assert kw == "raise" and isinstance(ew, wcinit.DtypeError)
    assert isinstance(ew, NotImplementedError) and isinstance(ew, TypeError)
    if name in RANDOM_NAMES:
        assert kt == "raise" and isinstance(ew, type(et)), et
    else:
        assert kt == "ok"
    assert (a == 0).all()


def test_trunc_normal_std_zero_both_zero_division(torch):
    t, a = pair(torch, (3,))
    kt, et = outcome(torch.nn.init.trunc_normal_, t, 0.0, 0.0)
    kw, ew = outcome(wcinit.trunc_normal_, a, 0.0, 0.0)
    assert type(et) is ZeroDivisionError and type(ew) is ZeroDivisionError


@pytest.mark.parametrize("name,args", [
    ("trunc_normal_", (0.0, -1.0)),      # torch: silently accepted
    ("sparse_", (1.5,)),                 # torch: accepted
    ("sparse_", (-0.5,)),                # torch: accepted
    ("normal_", (0.0, math.inf)),        # torch: accepted (fills inf/nan)
    ("normal_", (math.inf, 1.0)),        # torch: accepted
], ids=["trunc_neg_std", "sparsity_gt1", "sparsity_lt0", "normal_inf_std", "normal_inf_mean"])
def test_we_refuse_what_torch_accepts(name, args, torch):
    """Deliberate differences: arguments torch accepts and wcinit refuses with ValueError."""
    t, a = pair(torch, (4, 3))
    kt, _ = outcome(getattr(torch.nn.init, name), t, *args)
    kw, ew = outcome(getattr(wcinit, name), a, *args)
    assert kt == "ok"
    assert kw == "raise" and type(ew) is ValueError
    assert (a == 0).all()


@pytest.mark.parametrize("name", RANDOM_NAMES)
def test_zero_element_parity(name, torch):
    """Zero-element tensors: neither library raises; wcinit warns for every
    random initializer (torch only for kaiming_*)."""
    for shape in [(0, 3), (3, 0)]:
        t, a = pair(torch, shape)
        kt, _ = outcome(getattr(torch.nn.init, name), t, *EXTRA_ARGS.get(name, ()))
        with pytest.warns(UserWarning, match="zero-element"):
            assert getattr(wcinit, name)(a, *EXTRA_ARGS.get(name, ())) is a
        assert kt == "ok"


# ---- torch tensors are filled in place --------------------------------------------------

CALLS = {
    "uniform_": (), "normal_": (), "trunc_normal_": (), "xavier_uniform_": (),
    "xavier_normal_": (), "kaiming_uniform_": (), "kaiming_normal_": (), "orthogonal_": (),
    "sparse_": (0.5,), "constant_": (0.25,), "ones_": (), "zeros_": (), "eye_": (), "dirac_": (),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CALLS))
def test_torch_tensor_in_place(name, dtype, torch):
    """wcinit on a torch CPU tensor of every float dtype torch.nn.init fills
    (bfloat16 too, where wcinit has it via ml_dtypes): fills in place and
    returns the very same object."""
    shape = (6, 4, 3) if name == "dirac_" else (6, 8)
    t = torch.full(shape, float("nan"), dtype=getattr(torch, dtype))
    ptr = t.data_ptr()
    assert getattr(wcinit, name)(t, *CALLS[name]) is t
    assert t.data_ptr() == ptr
    assert not torch.isnan(t).any()


def test_torch_parameter_and_views_in_place(torch):
    """An nn.Linear weight (requires_grad) and a non-contiguous view are filled in place."""
    lin = torch.nn.Linear(10, 20)
    w = lin.weight
    assert wcinit.xavier_uniform_(w, generator=3) is w
    want = wcinit.xavier_uniform_(np.empty((20, 10), np.float32), generator=3)
    assert np.array_equal(w.detach().numpy(), want)
    assert w.requires_grad and w.grad_fn is None
    t = torch.zeros(30, 40).T
    assert wcinit.normal_(t, generator=4) is t
    assert np.array_equal(t.numpy(), wcinit.normal_(np.empty((40, 30), np.float32), generator=4))


# ---- generators ------------------------------------------------------------------------

def test_generator_seed_conventions_match_torch(torch):
    assert wcinit.Generator().initial_seed() == torch.Generator().initial_seed()
    for s in (-1, -2 ** 63, 0, 2 ** 63, 2 ** 64 - 1):
        assert wcinit.Generator().manual_seed(s).initial_seed() == \
            torch.Generator().manual_seed(s).initial_seed(), s


def test_sparse_reproducibility_vs_torch(torch):
    """torch's sparse_ draws its zero positions with torch.randperm WITHOUT the
    generator, so the same seeded generator gives different zero patterns
    (the global RNG moved on); wcinit's are reproducible end to end."""
    masks_t = []
    for _ in range(2):
        t = torch.empty(40, 30)
        torch.nn.init.sparse_(t, 0.5, generator=torch.Generator().manual_seed(0))
        masks_t.append((t == 0).numpy())
    assert not np.array_equal(*masks_t)  # (1 in C(40,20)^30: never equal by chance)
    masks_w = [wcinit.sparse_(np.empty((40, 30), np.float32), 0.5,
                              generator=wcinit.Generator(0)) == 0 for _ in range(2)]
    assert np.array_equal(*masks_w)
    # the number of zeros per column is the same rule in both: ceil(sparsity * rows)
    assert (masks_t[0].sum(0) == masks_w[0].sum(0)).all()


# ---- statistics: wcinit and torch against the law and against each other -------------

STAT_CASES = [
    ("uniform_", dict(a=-0.3, b=0.7), lambda s: ("uniform", (-0.3, 0.7))),
    ("normal_", dict(mean=0.5, std=2.0), lambda s: ("normal", (0.5, 2.0))),
    ("trunc_normal_", {}, lambda s: ("trunc", (0.0, 1.0, -2.0, 2.0))),
    ("trunc_normal_", dict(mean=0.1, std=0.5, a=-0.4, b=0.9), lambda s: ("trunc", (0.1, 0.5, -0.4, 0.9))),
    ("trunc_normal_", dict(a=1.0, b=3.0), lambda s: ("trunc", (0.0, 1.0, 1.0, 3.0))),
    ("xavier_uniform_", {}, lambda s: ("uniform", (-R.xavier_bound(s), R.xavier_bound(s)))),
    ("xavier_normal_", dict(gain=2.0), lambda s: ("normal", (0.0, R.xavier_std(s, 2.0)))),
    ("kaiming_uniform_", dict(a=math.sqrt(5)),
     lambda s: ("uniform", (-R.kaiming_bound(s, math.sqrt(5)), R.kaiming_bound(s, math.sqrt(5))))),
    ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu"),
     lambda s: ("normal", (0.0, R.kaiming_std(s, 0, "fan_out", "relu")))),
]


def _moments(law):
    kind, p = law
    return {"uniform": R.uniform_moments, "normal": R.normal_moments,
            "trunc": R.trunc_normal_moments}[kind](*p)


def _draw_torch(torch, name, shape, n_min, kw):
    g = torch.Generator().manual_seed(1234)
    reps = max(1, -(-n_min // math.prod(shape)))
    out = []
    for _ in range(reps):
        t = torch.empty(shape, dtype=torch.float64)
        getattr(torch.nn.init, name)(t, generator=g, **kw)
        out.append(t.numpy().ravel())
    return np.concatenate(out)


def _draw_ours(name, shape, n_min, kw):
    g = wcinit.Generator(1234)
    reps = max(1, -(-n_min // math.prod(shape)))
    return np.concatenate([getattr(wcinit, name)(np.empty(shape), generator=g, **kw).ravel()
                           for _ in range(reps)])


# torch 2.13's trunc_normal_ samples [1, 3] by rejection from U(a, b), looping
# over the whole tensor (~6 s for 1024x512): that case runs on the small shape only.
STAT_PARAMS = [(c, s) for c in STAT_CASES for s in ((1024, 512), (64, 3, 3, 3))
               if not (c[1] == dict(a=1.0, b=3.0) and s == (1024, 512))]


@pytest.mark.parametrize("case,shape", STAT_PARAMS,
                         ids=[f"{c[0]}{c[1]}-{s}" for c, s in STAT_PARAMS])
def test_moments_match_torch(case, shape, torch):
    """Sample mean and variance (float64) of wcinit and of torch, each against
    the analytical value (K SE) and against each other: the difference of two
    independent estimates has SE sqrt(SE1^2 + SE2^2) = sqrt(2) SE."""
    name, kw, law_of = case
    mean, var, mu4 = _moments(law_of(shape))
    n_min = 200_000
    xt = _draw_torch(torch, name, shape, n_min, kw)
    xw = _draw_ours(name, shape, n_min, kw)
    n = min(xt.size, xw.size)
    se_m = math.sqrt(var / n)
    se_v = math.sqrt((mu4 - var * var) / n)
    for x in (xt, xw):
        assert abs(x.mean() - mean) <= K * se_m
        assert abs(x.var() - var) <= K * se_v + var / n
    assert abs(xt.mean() - xw.mean()) <= K * math.sqrt(2) * se_m
    assert abs(xt.var() - xw.var()) <= K * math.sqrt(2) * se_v


def test_orthogonal_matches_torch(torch):
    """Over N draws of a 5x5 orthogonal matrix, q[0,0] has mean 0 and mean square
    1/5 for both (Haar: E q^4 = 3/(d(d+2))), and the two agree within sqrt(2) K SE."""
    d, N = 5, 2000
    g = torch.Generator().manual_seed(0)
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # torch's QR of a 5x5 matrix takes ~10 ms with 2 threads, 0.1 ms with 1
    try:
        qt = np.array([torch.nn.init.orthogonal_(torch.empty(d, d, dtype=torch.float64),
                                                 generator=g)[0, 0].item() for _ in range(N)])
    finally:
        torch.set_num_threads(old)
    gw = wcinit.Generator(0)
    qw = np.array([wcinit.orthogonal_(np.empty((d, d)), generator=gw)[0, 0] for _ in range(N)])
    se_m = math.sqrt(1 / (d * N))
    se_2 = math.sqrt((3 / (d * (d + 2)) - 1 / d ** 2) / N)
    for q in (qt, qw):
        assert abs(q.mean()) <= K * se_m
        assert abs((q * q).mean() - 1 / d) <= K * se_2
    assert abs(qt.mean() - qw.mean()) <= K * math.sqrt(2) * se_m
    assert abs((qt * qt).mean() - (qw * qw).mean()) <= K * math.sqrt(2) * se_2


def test_sparse_values_match_torch(torch):
    """Non-zero values of sparse_: N(0, std^2) in both (variance SE sqrt(2/m) std^2)."""
    std = 0.05
    t = torch.empty(400, 500, dtype=torch.float64)
    torch.nn.init.sparse_(t, 0.3, std, generator=torch.Generator().manual_seed(0))
    w = wcinit.sparse_(np.empty((400, 500)), 0.3, std, generator=0)
    vt, vw = t.numpy()[t.numpy() != 0], w[w != 0]
    assert vt.size == vw.size == 500 * (400 - math.ceil(0.3 * 400))
    m = vt.size
    for v in (vt, vw):
        assert abs(v.mean()) <= K * std / math.sqrt(m)
        assert abs(v.var() - std ** 2) <= K * math.sqrt(2 / m) * std ** 2 + std ** 2 / m
    assert abs(vt.var() - vw.var()) <= K * math.sqrt(2) * math.sqrt(2 / m) * std ** 2

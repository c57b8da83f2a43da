"""Whole-model rule sets: torch's layer defaults, framework presets by name,
and the schemes users write by hand (GPT-2, BERT, ViT, zero-init of residual
branches, LSTM forget-gate biases).

Each function returns a list of ``Rule`` for ``init_params``; ``preset_rules``
turns ``preset=`` into such a list for one parameter tree, inferring each
parameter's layer kind from its name and shape, and refusing (naming the
parameter) what it cannot infer.

Sources of the constants: torch/nn/modules/{linear,conv,sparse,normalization,
batchnorm,rnn,activation}.py (``reset_parameters``); OpenAI's GPT-2 and
Hugging Face's ``GPT2PreTrainedModel._init_weights`` (normal 0.02, ``c_proj``
0.02/sqrt(2 n_layer)); BERT's ``truncated_normal_initializer(0.02)``; timm's
``VisionTransformer`` (trunc normal 0.02).
"""
import functools
import math
import re

from . import _api
from ._models import Init, Rule, _blank, as_rules, expectation

__all__ = ["torch_bias_", "lstm_forget_bias_", "lstm_forget_bias_rule", "gpt2_rules",
           "bert_rules", "vit_rules", "zero_last_rules", "GATE_ORDERS"]

SQRT5 = math.sqrt(5.0)

# ---- torch's layer defaults as initializers ----------------------------------------


def torch_bias_(tensor, fan_in, generator=None):
    r"""Fill a bias as torch's Linear/Conv ``reset_parameters``: :math:`\mathcal{U}(-b, b)`.

    .. math:: b = 1/\sqrt{\text{fan\_in}} \text{ (0 when fan\_in = 0)}

    ``fan_in`` is that of the layer's weight (``size(1) * prod(size[2:])``).

    Args:
        tensor: the bias, a writable float array
        fan_in: the fan_in of the weight this bias belongs to
        generator: a wcinit.Generator, an int seed, a numpy.random.Generator, or None

    Examples:
        >>> import numpy as np, wcinit
        >>> b = wcinit.torch_bias_(np.empty(64, np.float32), fan_in=128, generator=0)
        >>> bool(np.abs(b).max() <= 1 / np.sqrt(128))
        True
    """
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return _api.uniform_(tensor, -bound, bound, generator=generator)


def _torch_bias(fan_in):
    b = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return Init(functools.partial(_api.uniform_, a=-b, b=b), f"torch_bias_(fan_in={fan_in})",
                lambda shape, dtype: _blank(shape, mean=0.0, std=b / math.sqrt(3), low=-b, high=b,
                                            family="uniform"))


def _uniform(bound, label):
    return Init(functools.partial(_api.uniform_, a=-bound, b=bound), label,
                lambda shape, dtype: _blank(shape, mean=0.0, std=bound / math.sqrt(3), low=-bound,
                                            high=bound, family="uniform"))


TORCH_WEIGHT = functools.partial(_api.kaiming_uniform_, a=SQRT5)  # Linear, Conv*, ConvTranspose*


def _embedding(padding_idx=None, std=1.0, trunc=False):
    def fill(arr, generator=None):
        if trunc:
            _api.trunc_normal_(arr, 0.0, std, -2 * std, 2 * std, generator=generator)
        else:
            _api.normal_(arr, 0.0, std, generator=generator)
        if padding_idx is not None:
            arr[padding_idx] = 0
        return arr
    lab = ("trunc_normal_" if trunc else "normal_") + f"(std={std:g}" + \
        ("" if padding_idx is None else f", padding_idx={padding_idx}") + ")"
    import functools
    target = None if padding_idx is not None else (
        functools.partial(_api.trunc_normal_, mean=0.0, std=std, a=-2 * std, b=2 * std) if trunc
        else functools.partial(_api.normal_, mean=0.0, std=std))
    return Init(fill, lab, lambda shape, dtype: _blank(shape, mean=0.0, std=std,
                                                      family="trunc_normal" if trunc else "normal"),
                target=target)


# ---- LSTM forget-gate bias -------------------------------------------------------

# gate order of the stacked gate dimension, per framework
GATE_ORDERS = {"torch": "ifgo", "keras": "ifco", "tensorflow": "ifco", "mxnet": "ifco",
               "flax": "ifgo", "onnx": "iofc"}


def lstm_forget_bias_(bias, value=1.0, *, framework="torch"):
    r"""Set the forget-gate slice of a stacked LSTM bias to ``value``.

    An LSTM's bias stacks its four gates; the forget gate's quarter depends on
    the framework's gate order (``GATE_ORDERS``): torch ``i, f, g, o``
    (``bias_ih_l*``/``bias_hh_l*``, size 4H), Keras/TensorFlow and MXNet
    ``i, f, c, o``, ONNX ``i, o, f, c``, Flax's ``OptimizedLSTMCell`` ``i, f, g, o``.
    The other gates are left as they are.  Jozefowicz, Zaremba & Sutskever
    (2015) recommend value 1.  torch adds ``bias_ih`` and ``bias_hh``: set the
    forget slice of one to ``value`` and of the other to 0 for an effective 1.

    Args:
        bias: a writable 1-D float array of size 4H
        value: the forget-gate bias (default 1.0)
        framework: the gate order's framework (default ``'torch'``)

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.lstm_forget_bias_(np.zeros(8), 1.0, framework="torch")
        array([0., 0., 1., 1., 0., 0., 0., 0.])
        >>> wcinit.lstm_forget_bias_(np.zeros(8), 1.0, framework="onnx")
        array([0., 0., 0., 0., 1., 1., 0., 0.])
    """
    from . import _core
    arr = _core._check(bias, "lstm_forget_bias_")
    if framework not in GATE_ORDERS:
        raise ValueError(f"lstm_forget_bias_: framework must be one of {sorted(GATE_ORDERS)}, "
                         f"got {framework!r}")
    if arr.ndim != 1 or arr.shape[0] % 4:
        raise ValueError(f"lstm_forget_bias_: bias must be 1-D with a size divisible by 4 "
                         f"(4 gates), got shape {arr.shape}")
    h = arr.shape[0] // 4
    k = GATE_ORDERS[framework].index("f")
    arr[k * h:(k + 1) * h] = value
    return bias


def lstm_forget_bias_rule(base=_api.zeros_, value=1.0, framework="torch"):
    """A rule for a stacked LSTM bias: ``base`` on the whole bias, then the
    forget-gate quarter set to ``value`` (``lstm_forget_bias_``'s gate orders).

    Examples:
        >>> import numpy as np, wcinit
        >>> p = {"lstm.bias_ih_l0": np.empty(8, np.float32), "lstm.bias_hh_l0": np.empty(8, np.float32)}
        >>> rep = wcinit.init_params(p, [("*bias_ih*", wcinit.lstm_forget_bias_rule()), ("*", 0.0)])
        >>> p["lstm.bias_ih_l0"]
        array([0., 0., 1., 1., 0., 0., 0., 0.], dtype=float32)
    """
    def fill(arr, generator=None, **kw):
        if base is not None:
            _call(base, arr, generator, kw)
        return lstm_forget_bias_(arr, value, framework=framework)
    return Init(fill, f"{_label(base)} + forget={value:g} ({framework})",
                lambda shape, dtype: expectation(base, shape, dtype) if base is not None
                else _blank(shape))


def _call(init, arr, generator, kw):
    if isinstance(init, (int, float)):
        arr[...] = init
    elif init in (_api.zeros_, _api.ones_) or getattr(init, "func", None) is _api.constant_:
        init(arr)
    else:
        init(arr, generator=generator, **kw)


def _label(init):
    from ._models import describe
    return describe(init)


# ---- name inference ----------------------------------------------------------------

_NORM_SEG = re.compile(r"(norm|^ln(_|\d|$)|^bn(_|\d|$)|^gn(_|\d|$)|_ln$|_bn$)", re.I)
_EMB_SEG = re.compile(r"(emb|^wte$|^wpe$|^tok|^pos|^shared$)", re.I)  # shared: T5
_CONV_SEG = re.compile(r"(conv|downsample|^stem|patch_embed|^proj$)", re.I)
_RNN_LEAF = re.compile(r"^(weight|bias)_(ih|hh|hr)(_l\d+(_reverse)?)?$")
_LAYER_IDX = re.compile(r"(?:^|\.)(?:h|layers?|blocks?|encoder\.layer|decoder\.layer)\.(\d+)\.")


def _segments(name):
    parts = re.split(r"[./]", name)  # torch/flax dotted paths, Keras variable paths
    return parts[:-1], parts[-1]


def _module_seg(path):
    """The nearest non-numeric segment of a module path (``layers.0`` -> ``layers``)."""
    for s in reversed(path):
        if not s.isdigit():
            return s
    return ""


def _cannot(name, shape, why=""):
    return ValueError(f"init_params: cannot infer the layer kind of parameter {name!r} (shape "
                      f"{shape}){': ' + why if why else ''}; add a rule for it")


def torch_rules_for(leaves, only=None):
    """torch's reset_parameters defaults for a state_dict-like tree, by name and
    shape: (rules, {name: the error saying why its kind cannot be inferred})."""
    shapes = {n: tuple(int(s) for s in t.shape) for n, t in leaves}
    rules, errors = [], {}
    for name in (only if only is not None else shapes):
        try:
            rules.append(Rule.for_name(name, _torch_init_for(name, shapes)))
        except ValueError as e:
            errors[name] = e
    return rules, errors


def _torch_init_for(name, shapes):
    """The torch default initializer of one parameter, or ValueError."""
    shape = shapes[name]
    path, leaf = _segments(name)
    head = ".".join(path)
    pre = head + "." if head else ""
    mod = _module_seg(path)
    sib = lambda leafname: shapes.get(pre + leafname)
    init = None
    m = _RNN_LEAF.match(leaf)
    if m:  # RNN/LSTM/GRU and their cells: every parameter U(+-1/sqrt(hidden_size))
        suffix = m.group(3) or ""
        hr, hh = sib("weight_hr" + suffix), sib("weight_hh" + suffix)
        if hr is not None:
            hidden = hr[1]
        elif hh is not None:
            hidden = hh[1]
        else:
            raise _cannot(name, shape, "no weight_hh next to it to give hidden_size")
        b = 1.0 / math.sqrt(hidden) if hidden > 0 else 0.0
        init = _uniform(b, f"uniform_(±1/√{hidden})")
    elif leaf in ("running_mean",):
        init = _api.zeros_
    elif leaf in ("running_var",):
        init = _api.ones_
    elif leaf == "num_batches_tracked":
        init = 0
    elif leaf in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
        init = _api.xavier_uniform_
    elif leaf == "in_proj_bias":
        init = _api.zeros_
    elif leaf in ("bias_k", "bias_v"):
        init = _api.xavier_normal_
    elif leaf == "bias" and mod == "out_proj" and (
            shapes.get(".".join(path[:-1] + ["in_proj_weight"])) is not None or
            shapes.get(".".join(path[:-1] + ["q_proj_weight"])) is not None):
        init = _api.zeros_  # MultiheadAttention zeroes out_proj.bias
    elif leaf == "weight":
        if _NORM_SEG.search(mod) or sib("running_mean") is not None or (
                len(shape) == 1 and sib("bias") == shape):  # torch's only 1-D weight + bias: norms
            init = _api.ones_
        elif len(shape) == 2 and _EMB_SEG.search(mod):
            init = _embedding()
        elif len(shape) == 2:
            init = TORCH_WEIGHT
        elif len(shape) in (4, 5) or (len(shape) == 3 and _CONV_SEG.search(mod)):
            init = TORCH_WEIGHT  # Conv2d/3d and ConvTranspose2d/3d: one rule, no other 4/5-D
        elif len(shape) == 3:
            raise _cannot(name, shape, f"a 3-D weight whose module name {mod!r} does not "
                          "say conv (Conv1d and Bilinear differ)")
        else:
            raise _cannot(name, shape)
    elif leaf == "bias":
        w = sib("weight")
        if w is None:
            raise _cannot(name, shape, "a bias with no weight next to it")
        if _NORM_SEG.search(mod) or sib("running_mean") is not None or (
                len(w) == 1 and w == shape):
            init = _api.zeros_
        elif len(w) >= 2 and not (len(w) == 2 and _EMB_SEG.search(mod)):
            init = _torch_bias(_api._core._fans(w)[0])
        else:
            raise _cannot(name, shape)
    else:
        raise _cannot(name, shape)
    return init


def _sibling(path, leaf, shapes):
    for sep in (".", "/"):
        n = sep.join(path + [leaf])
        if n in shapes:
            return shapes[n], n
    return None, None


def _conv_kind(framework, nd, transpose):
    d = nd - 2
    if framework == "flax":
        return "ConvTranspose" if transpose else "Conv"
    suffix = "D" if framework in ("keras", "mxnet") else "d"
    return f"Conv{d}{suffix}" + ("Transpose" if transpose else "")


def _infer_framework(framework, name, shape, shapes):
    """(layer kind, role) of a flax/keras/mxnet parameter, from its path and shape."""
    path, leaf = _segments(name)
    mod = _module_seg(path)
    low = mod.lower()
    full = "/".join(path).lower()
    nd = len(shape)
    if framework == "flax":
        gate = re.fullmatch(r"([ih])([a-z])", mod)
        if gate and ("lstm" in full or "gru" in full):
            cell = ("OptimizedLSTMCell" if "optimized" in full else "LSTMCell") if "lstm" in full \
                else "GRUCell"
            if leaf == "kernel":
                return cell, "input_kernel" if gate.group(1) == "i" else "recurrent_kernel"
            return cell, "bias"
        if leaf == "embedding":
            return "Embed", "embedding"
        if leaf in ("mean", "var"):
            return "BatchNorm", leaf
        if leaf == "scale" or (leaf == "bias" and "norm" in low):
            kind = ("BatchNorm" if "batch" in low else "GroupNorm" if "group" in low
                    else "RMSNorm" if "rms" in low else "LayerNorm")
            return kind, leaf
        if leaf == "kernel":
            return ("Dense" if nd == 2 else _conv_kind(framework, nd, "transpose" in low)), "kernel"
        if leaf == "bias":
            k, _ = _sibling(path, "kernel", shapes)
            if k is not None:
                return ("Dense" if len(k) == 2 else _conv_kind(framework, len(k), "transpose" in low)), "bias"
    elif framework == "keras":
        if leaf == "embeddings":
            return "Embedding", "embeddings"
        if leaf in ("gamma", "beta", "moving_mean", "moving_variance"):
            kind = ("LayerNormalization" if "layer_norm" in low or "layernorm" in low else
                    "GroupNormalization" if "group" in low else "BatchNormalization")
            return kind, leaf
        rnn = next((k for k, kind in (("lstm", "LSTM"), ("gru", "GRU"), ("simple_rnn", "SimpleRNN"))
                    if k in full), None)
        if rnn and leaf in ("kernel", "recurrent_kernel", "bias"):
            return {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[rnn], leaf
        if leaf == "kernel":
            if nd == 2:
                return "Dense", "kernel"
            if 3 <= nd <= 5:
                return _conv_kind(framework, nd, "transpose" in low), "kernel"
        if leaf == "bias":
            k, _ = _sibling(path, "kernel", shapes)
            if k is not None:
                return ("Dense" if len(k) == 2 else _conv_kind(framework, len(k), "transpose" in low)), "bias"
    elif framework == "mxnet":
        m = re.fullmatch(r"(.+?)_((?:[ih]2h_)?(?:weight|bias)|gamma|beta|running_mean|running_var)", leaf)
        if m:  # Gluon 1.x names: 'dense0_weight', 'batchnorm0_gamma', 'lstm0_l0_i2h_weight'
            path, leaf = path + [m.group(1)], m.group(2)
            mod, low = m.group(1), m.group(1).lower()
            full = "/".join(path).lower()
            shapes = {re.sub(r"_((?:[ih]2h_)?(?:weight|bias)|gamma|beta|running_mean|running_var)$",
                             r".\1", n): v for n, v in shapes.items()}
        rnn = next((k for k in ("lstm", "gru", "rnn") if k in full), None)
        if rnn and re.fullmatch(r"[ih]2h_(weight|bias)", leaf):
            return rnn.upper(), leaf
        if leaf in ("gamma", "beta", "running_mean", "running_var"):
            kind = "LayerNorm" if "layer" in low else "GroupNorm" if "group" in low else \
                "InstanceNorm" if "instance" in low else "BatchNorm"
            return kind, leaf
        if leaf == "weight":
            if "emb" in low:
                return "Embedding", "weight"
            if nd == 2:
                return "Dense", "weight"
            if 3 <= nd <= 5:
                return _conv_kind(framework, nd, "transpose" in low), "weight"
        if leaf == "bias":
            w, _ = _sibling(path, "weight", shapes)
            if w is not None and len(w) >= 2:
                return ("Dense" if len(w) == 2 else _conv_kind(framework, len(w), "transpose" in low)), "bias"
    raise _cannot(name, shape)


def _wrap_preset_rule(rule, name, path, shapes):
    """A preset Rule as an Init, torch's weight-fan bias rule bound to its weight."""
    from ._rules import torch_fans
    fan_in = None
    if getattr(rule, "fan", None) == "weight":
        leaf = _segments(name)[1]
        w, wname = _sibling(path, leaf.replace("bias", "weight"), shapes)
        if w is None or len(w) < 2:
            raise ValueError(f"init_params: parameter {name!r}: its rule needs the fan_in of its "
                             "weight, and no weight of 2+ dims is next to it")
        fan_in = torch_fans(w)[0]
    kw = {} if fan_in is None else {"fan_in": fan_in}

    def fill(arr, generator=None):
        return rule(arr, generator=generator, **kw)

    def expect(shape, dtype):
        e = rule.expected(shape, dtype, **kw)
        return {k: getattr(e, k, None) for k in
                ("fan_in", "fan_out", "mean", "std", "low", "high", "family")}
    args = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}"
                     for k, v in {**rule.kwargs, **kw}.items())
    return Init(fill, f"{rule.name}({args})", expect, target=_rule_target(rule, name, shapes, kw))


def _rule_target(rule, name, shapes, kw):
    """The preset rule's call on this parameter as a functools.partial (its
    fan resolved), for the element-wise planners of wcinit.dask; None if the
    fan cannot be resolved here (the call itself then raises)."""
    import functools
    kwargs = dict(rule.kwargs)
    try:
        f = rule._fan(shapes.get(name, ()), kw.get("fan_in"))
    except ValueError:
        return None
    if f is not None:
        kwargs["fan_in"] = f
    return functools.partial(rule.func, **kwargs)


def _is_preset(obj):
    return hasattr(obj, "rules") and hasattr(obj, "framework") and hasattr(obj, "roles")


def resolve_preset(preset, name, shapes):
    """The rule of a whole ``wcinit.presets`` Preset (one layer kind's defaults)
    for parameter ``name``: its role read from the name, else ValueError."""
    path, leaf = _segments(name)
    roles = preset.roles
    role = None
    if leaf in roles:
        role = leaf
    elif re.sub(r"_l\d+(_reverse)?$", "", leaf) in roles:  # torch RNNs: weight_ih_l0
        role = re.sub(r"_l\d+(_reverse)?$", "", leaf)
    elif path and f"{path[-1]}.{leaf}" in roles:  # MultiheadAttention's out_proj.weight
        role = f"{path[-1]}.{leaf}"
    elif "input_kernel" in roles and path and re.fullmatch(r"[ih][a-z]", path[-1]):  # Flax cells
        role = {"kernel": "input_kernel" if path[-1][0] == "i" else "recurrent_kernel",
                "bias": "bias"}.get(leaf)
    else:  # Gluon 1.x names: dense0_weight, lstm0_l0_i2h_weight
        role = next((r for r in sorted(roles, key=len, reverse=True) if leaf.endswith("_" + r)), None)
    if role is None:
        raise ValueError(f"init_params: parameter {name!r}: the {preset.framework} {preset.kind} "
                         f"preset has no role for it (its roles are {list(roles)})")
    return _wrap_preset_rule(preset[role], name, path, shapes)


def framework_rules_for(framework, leaves, only=None):
    """A framework's layer defaults via wcinit.presets.get_preset (issue 8's table):
    (rules, {name: why its kind cannot be inferred})."""
    from .presets import get_preset
    shapes = {n: tuple(int(s) for s in t.shape) for n, t in leaves}
    rules, errors = [], {}
    for name in (only if only is not None else shapes):
        try:
            kind, role = _infer_framework(framework, name, shapes[name], shapes)
            try:
                table = get_preset(framework, kind)
            except (KeyError, ValueError) as e:
                raise ValueError(f"init_params: parameter {name!r}: {framework} has no preset "
                                 f"for layer kind {kind!r} ({e})") from None
            if role not in table:
                raise ValueError(f"init_params: parameter {name!r}: the {framework} {kind} "
                                 f"preset has no rule for {role!r} (it has {sorted(table)})")
            init = _wrap_preset_rule(table[role], name, _segments(name)[0], shapes)
        except ValueError as e:
            errors[name] = e
            continue
        rules.append(Rule.for_name(name, init))
    return rules, errors


# ---- schemes -----------------------------------------------------------------------

def _n_layer(names, fname):
    idx = {int(m.group(1)) for n in names for m in [_LAYER_IDX.search(n)] if m}
    if not idx:
        raise ValueError(f"{fname}: cannot infer n_layer from the parameter names (no "
                         "'h.<i>.', 'layers.<i>.' or 'blocks.<i>.'); pass the rules "
                         "instead: rules=wcinit.gpt2_rules(n_layer)")
    return max(idx) + 1


def _is_norm_name(name):
    path, _ = _segments(name)
    return bool(_NORM_SEG.search(_module_seg(path)))


def gpt2_rules(n_layer, std=0.02, residual="*c_proj.weight"):
    r"""GPT-2's initialization as rules (Radford et al. 2019; Hugging Face's
    ``GPT2PreTrainedModel._init_weights``).

    Weights (embeddings included) :math:`\mathcal{N}(0, 0.02^2)`; the residual
    projections (``c_proj``: attention output and MLP output) :math:`\mathcal{N}(0,
    (0.02/\sqrt{2\,n_\text{layer}})^2)`, two per block, so the residual stream's
    variance does not grow with depth; biases 0; LayerNorm weights 1, biases 0.
    A ``bias`` that is not a vector (the causal-mask buffers ``attn.bias`` of
    nanoGPT and Hugging Face's GPT-2, in their state_dicts) is left as it is.

    Args:
        n_layer: the number of transformer blocks
        std: the base standard deviation (default 0.02)
        residual: the glob of the residual projections' weights

    Examples:
        >>> import wcinit
        >>> rules = wcinit.gpt2_rules(12)
        >>> rules[0].init.keywords["std"] == 0.02 / (24 ** 0.5)
        True
    """
    if not (isinstance(n_layer, int) and n_layer > 0):
        raise ValueError(f"gpt2_rules: n_layer must be a positive int, got {n_layer!r}")
    return [
        Rule(residual, functools.partial(_api.normal_, mean=0.0, std=std / math.sqrt(2 * n_layer))),
        Rule(lambda n: _is_norm_name(n) and n.endswith("weight"), _api.ones_),
        Rule("*bias", _api.zeros_, ndim=1),
        Rule("*bias", None),  # a "bias" of 0 or 2+ dims is an attention-mask buffer: left alone
        Rule("*", functools.partial(_api.normal_, mean=0.0, std=std), ndim=(2, 3, 4)),
        Rule("*weight", _api.ones_, ndim=1),
    ]


def _trunc(std):
    return functools.partial(_api.trunc_normal_, mean=0.0, std=std, a=-2 * std, b=2 * std)


def bert_rules(std=0.02):
    r"""BERT's initialization as rules (Devlin et al. 2019; the original
    ``truncated_normal_initializer(stddev=0.02)``, truncated at ±2σ).

    Weights and embeddings :math:`\mathcal{N}(0, 0.02^2)` truncated to
    [−0.04, 0.04]; biases 0; LayerNorm weights 1, biases 0.  (Hugging Face's
    torch port draws an untruncated normal.)

    Examples:
        >>> import wcinit
        >>> len(wcinit.bert_rules()) > 0
        True
    """
    return [
        Rule(lambda n: _is_norm_name(n) and n.endswith(("weight", "gamma")), _api.ones_),
        Rule("*bias", _api.zeros_, ndim=1),
        Rule("*bias", None),  # a "bias" of 0 or 2+ dims is an attention-mask buffer: left alone
        Rule("*beta", _api.zeros_),
        Rule("*", _trunc(std), ndim=(2, 3, 4)),
        Rule("*weight", _api.ones_, ndim=1),
    ]


def vit_rules(std=0.02):
    r"""ViT's initialization as rules (Dosovitskiy et al. 2021; timm's
    ``VisionTransformer``): weights, ``pos_embed`` and ``cls_token`` truncated normal
    std 0.02 (truncated here at ±2σ; timm passes absolute bounds ±2, which
    barely truncate at all), biases 0, LayerNorm 1/0.

    Examples:
        >>> import wcinit
        >>> len(wcinit.vit_rules()) > 0
        True
    """
    return [
        Rule(lambda n: _is_norm_name(n) and n.endswith("weight"), _api.ones_),
        Rule("*bias", _api.zeros_, ndim=1),
        Rule("*bias", None),  # a "bias" of 0 or 2+ dims is an attention-mask buffer: left alone
        Rule("*", _trunc(std), ndim=(2, 3, 4, 5)),
        Rule("*weight", _api.ones_, ndim=1),
    ]


def zero_last_rules(branches, *, bias=True):
    """Rules that zero the last layer of each residual branch.

    ``branches``: a list of branches, each an ordered list of its layers'
    weight names (``["layer1.0.conv1.weight", "layer1.0.conv2.weight"]``); the
    last weight of each (and its bias, if ``bias``) is set to 0, so every
    block starts as the identity (Goyal et al. 2017; Fixup).  Put these rules
    before the general ones.

    Examples:
        >>> import wcinit
        >>> [r.pattern for r in wcinit.zero_last_rules([["b0.fc1.weight", "b0.fc2.weight"]])]
        ['re:^b0\\\\.fc2\\\\.weight$', 're:^b0\\\\.fc2\\\\.bias$']
    """
    rules = []
    for br in branches:
        if not br:
            raise ValueError("zero_last_rules: a branch is empty")
        last = br[-1]
        rules.append(Rule.for_name(last, _api.zeros_))
        if bias and last.endswith("weight"):
            b = last[: -len("weight")] + "bias"
            rules.append(Rule.for_name(b, _api.zeros_))
    return rules


FRAMEWORKS = ("torch", "flax", "keras", "mxnet")
SCHEMES = ("gpt2", "bert", "vit")


def preset_rules(preset, leaves, fname="init_params", only=None):
    """(rules, errors): the rules ``preset=`` stands for, for this tree, and for
    each parameter (of ``only``) whose kind cannot be inferred, the error."""
    if isinstance(preset, (list, tuple, Rule)):
        return as_rules(preset), {}
    if preset == "torch":
        return torch_rules_for(leaves, only)
    if preset in ("flax", "keras", "mxnet"):
        return framework_rules_for(preset, leaves, only)
    if preset == "gpt2":
        return gpt2_rules(_n_layer([n for n, _ in leaves], fname)), {}
    if preset == "bert":
        return bert_rules(), {}
    if preset == "vit":
        return vit_rules(), {}
    raise ValueError(f"{fname}: preset must be one of {FRAMEWORKS + SCHEMES} or a list of rules, "
                     f"got {preset!r}")

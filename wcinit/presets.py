"""Each framework's layer defaults, as data: ``(framework, layer kind) -> {role: rule}``.

A :class:`Preset` says how a freshly built layer of one framework initializes
each of its parameters; a :class:`Rule` is one such initializer with its
arguments and the kernel layout it assumes.  Frameworks: ``'torch'``
(``[out, in, *kernel]``), ``'flax'`` (linen, ``(*kernel, in, out)``),
``'keras'`` (Keras 3, ``(*kernel, in, out)``), ``'mxnet'`` (Gluon,
``[out, in, *kernel]``).  Each preset's docstring names the framework source
file it follows.

Calling a rule::

    rule(array, *, generator=None, fan_in=None)

fills ``array`` in place and returns it.  ``fan_in`` is for the rules whose
bound comes from outside the array itself:

* ``fan == 'weight'`` -- torch's bias rule U(±1/sqrt(fan_in)), where fan_in
  is the fan_in of the layer's *weight* (``Preset.bias_fan_in(weight_shape)``
  or :func:`wcinit._rules.torch_fans`); it must be given;
* ``fan == 'hidden'`` -- torch's RNN rule U(±1/sqrt(hidden_size)); the hidden
  size is inferred from the array's shape (``shape[0] // gates``, or
  ``shape[1]`` for ``weight_hr``) unless ``fan_in`` gives it.

``wcinit.expected(rule, shape, fan_in=...)`` tells what a rule promises.

Examples:
    >>> import numpy as np, wcinit
    >>> from wcinit import presets
    >>> p = presets.get_preset("torch", "Linear")
    >>> w = p["weight"](np.empty((64, 128), np.float32), generator=0)
    >>> b = p["bias"](np.empty(64, np.float32), generator=1, fan_in=p.bias_fan_in(w.shape))
    >>> bool(np.abs(b).max() <= 1 / np.sqrt(128))
    True
    >>> presets.get_preset("keras", "Dense")["kernel"].describe()["name"]
    'glorot_uniform_'
"""
import inspect
import math

from . import _api, _frameworks
from ._frameworks import embedding_normal_, fan_in_uniform_
from ._rules import torch_fans

__all__ = ["Rule", "Preset", "PRESETS", "FRAMEWORKS", "get_preset", "kinds",
           "fan_in_uniform_", "embedding_normal_"]

FRAMEWORKS = ("torch", "flax", "keras", "mxnet")
LAYOUTS = {
    "torch": "[out, in, *kernel] (transposed conv: [in, out/groups, *kernel])",
    "jax": "(*kernel, in, out)",
    "keras": "(*kernel, in, out) (transposed conv: (*kernel, out, in))",
    "mxnet": "[out, in, *kernel] (transposed conv: [in, out/groups, *kernel])",
    None: "any (element-wise or constant)",
}


class Rule:
    """One parameter's initializer: a wcinit function, its arguments and the layout it assumes.

    Attributes:
        name: the initializer's name (``'kaiming_uniform_'``, ``'lecun_normal_'``, ...)
        func: the wcinit function
        kwargs: its arguments (besides the array and the generator)
        layout: ``'torch'``, ``'jax'``, ``'keras'``, ``'mxnet'`` or None
        fan: None, ``'weight'`` (the bound needs the layer weight's fan_in) or
            ``'hidden'`` (torch RNNs: the hidden size, inferred from the shape)
        gates: for ``fan='hidden'``: rows per hidden unit (1 RNN, 3 GRU, 4 LSTM)
        hidden_axis: for ``fan='hidden'``: the axis holding ``gates * hidden`` (0),
            or 1 for ``weight_hr`` whose shape is ``(proj_size, hidden)``
        note: what the framework does, in a sentence
    """

    def __init__(self, func, kwargs=None, layout=None, fan=None, gates=1, hidden_axis=0,
                 note="", name=None):
        self.func = func
        self.name = name or func.__name__
        self.kwargs = dict(kwargs or {})
        self.layout = layout
        self.fan = fan
        self.gates = gates
        self.hidden_axis = hidden_axis
        self.note = note
        self._takes_generator = "generator" in inspect.signature(func).parameters

    def _fan(self, shape, fan_in):
        if self.fan is None:
            return None
        if fan_in is not None:
            return int(fan_in)
        if self.fan == "weight":
            raise ValueError(f"rule {self.name}: this bias rule needs fan_in= (the fan_in of "
                             "the layer's weight, e.g. Preset.bias_fan_in(weight.shape))")
        if len(shape) <= self.hidden_axis:
            raise ValueError(f"rule {self.name}: cannot infer the hidden size from shape "
                             f"{tuple(shape)}; give fan_in=hidden_size")
        return shape[self.hidden_axis] // (self.gates if self.hidden_axis == 0 else 1)

    def __call__(self, array, *, generator=None, fan_in=None):
        kwargs = dict(self.kwargs)
        f = self._fan(getattr(array, "shape", ()), fan_in)
        if f is not None:
            kwargs["fan_in"] = f
        if self._takes_generator:
            kwargs["generator"] = generator
        return self.func(array, **kwargs)

    def expected(self, shape, dtype=None, fan_in=None):
        """What this rule promises on ``shape`` (a :class:`wcinit.Expectation`)."""
        import functools
        from ._rules import expected
        kwargs = dict(self.kwargs)
        f = self._fan(tuple(shape), fan_in)
        if f is not None:
            kwargs["fan_in"] = f
        return expected(functools.partial(self.func, **kwargs), shape, dtype)

    def describe(self):
        """``{'name', 'function', 'kwargs', 'layout', 'fan', 'note'}``."""
        return {"name": self.name, "function": f"{self.func.__module__}.{self.func.__qualname__}",
                "kwargs": dict(self.kwargs), "layout": self.layout, "fan": self.fan,
                "note": self.note}

    def replace(self, **kwargs):
        """A copy with some arguments changed (e.g. ``padding_idx=0`` for torch's Embedding)."""
        return Rule(self.func, {**self.kwargs, **kwargs}, self.layout, self.fan, self.gates,
                    self.hidden_axis, self.note, self.name)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        fan = f", fan={self.fan!r}" if self.fan else ""
        return f"Rule({self.name}({args}), layout={self.layout!r}{fan})"


class Preset:
    """A layer kind's defaults in one framework: ``{role: Rule}`` plus where they come from.

    ``preset[role]`` is the rule of a role (``'weight'``, ``'bias'``,
    ``'kernel'``, ``'recurrent_kernel'``, ``'running_var'``, ...);
    ``preset.roles`` lists them; ``preset.params`` maps each role to the
    framework's parameter name(s); ``preset.source`` cites the framework file.
    """

    def __init__(self, framework, kind, rules, source, doc, params=None):
        self.framework = framework
        self.kind = kind
        self.rules = dict(rules)
        self.source = source
        self.params = dict(params or {r: r for r in rules})
        self.__doc__ = f"{framework} {kind} defaults.\n\n    {doc}\n\n    Source: {source}\n"

    def __getitem__(self, role):
        try:
            return self.rules[role]
        except KeyError:
            raise KeyError(f"{self.framework} {self.kind} has no role {role!r}; its roles are "
                           f"{sorted(self.rules)}") from None

    def __contains__(self, role):
        return role in self.rules

    def __iter__(self):
        return iter(self.rules)

    @property
    def roles(self):
        return tuple(self.rules)

    def bias_fan_in(self, weight_shape):
        """The fan_in torch's bias rule uses: ``torch_fans(weight_shape)[0]``
        (``weight.shape[1] * prod(weight.shape[2:])``)."""
        return torch_fans(weight_shape)[0]

    def describe(self):
        return {"framework": self.framework, "kind": self.kind, "source": self.source,
                "rules": {r: rule.describe() for r, rule in self.rules.items()},
                "params": dict(self.params)}

    def replace(self, **rules):
        """A copy with some roles' rules replaced (e.g. MXNet's ``weight=MXNET_XAVIER``)."""
        return Preset(self.framework, self.kind, {**self.rules, **rules}, self.source,
                      self.__doc__.split("\n\n")[1].strip(), self.params)

    def __repr__(self):
        return f"<Preset {self.framework} {self.kind}: {self.rules}>"


# ---- the rules ---------------------------------------------------------------------------

def _r(func, layout, **kw):
    return Rule(func, layout=layout, **kw)


_ZEROS = Rule(_api.zeros_, note="zeros")
_ONES = Rule(_api.ones_, note="ones")

# torch: kaiming_uniform_(a=sqrt(5)) is U(+-1/sqrt(fan_in)) (gain sqrt(2/(1+5)) * sqrt(3/fan_in))
_TORCH_W = Rule(_api.kaiming_uniform_, {"a": math.sqrt(5)}, "torch",
                note="kaiming_uniform_(a=sqrt(5)): U(+-1/sqrt(fan_in)), fan_in = "
                     "shape[1] * prod(shape[2:])")
_TORCH_B = Rule(fan_in_uniform_, layout="torch", fan="weight",
                note="U(+-1/sqrt(fan_in)) with the fan_in of the layer's weight (0 if fan_in is 0)")


def _torch_rnn(gates, proj=False):
    rules = {role: Rule(fan_in_uniform_, layout="torch", fan="hidden", gates=gates,
                        note=f"U(+-1/sqrt(hidden_size)); hidden_size = shape[0] / {gates}")
             for role in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    if proj:
        rules["weight_hr"] = Rule(fan_in_uniform_, layout="torch", fan="hidden", gates=gates,
                                  hidden_axis=1,
                                  note="U(+-1/sqrt(hidden_size)); (proj_size, hidden_size)")
    return rules


_FLAX_KERNEL = Rule(_frameworks.lecun_normal_, layout="jax",
                    note="lecun_normal(): variance_scaling(1, 'fan_in', 'truncated_normal')")
_KERAS_KERNEL = Rule(_frameworks.keras_glorot_uniform_, layout="keras",
                     note="'glorot_uniform': U(+-sqrt(6/(fan_in + fan_out)))")
_KERAS_ORTHO = Rule(_frameworks.keras_orthogonal_, layout="keras",
                    note="'orthogonal' over the whole (units, gates * units) matrix")
_MX_W = Rule(_frameworks.mxnet_uniform_, {"scale": 0.07}, "mxnet",
             note="the global initializer of Block.initialize(), default Uniform(0.07)")
MXNET_XAVIER = Rule(_frameworks.mxnet_xavier_, {"rnd_type": "uniform", "factor_type": "avg",
                                                "magnitude": 3.0}, "mxnet",
                    note="mx.init.Xavier(): what Gluon's examples and model zoo train "
                         "with (net.initialize(mx.init.Xavier()))")

PRESETS = {}


def _add(framework, kinds, rules, source, doc, params=None):
    for kind in kinds:
        PRESETS[(framework, kind)] = Preset(framework, kind, rules, source, doc, params)


# ---- torch ---------------------------------------------------------------------------------
_add("torch", ["Linear"], {"weight": _TORCH_W, "bias": _TORCH_B},
     "torch/nn/modules/linear.py Linear.reset_parameters",
     "weight (out_features, in_features): kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(in)); "
     "bias: U(+-1/sqrt(fan_in of weight)).")
_add("torch", ["Conv1d", "Conv2d", "Conv3d"], {"weight": _TORCH_W, "bias": _TORCH_B},
     "torch/nn/modules/conv.py _ConvNd.reset_parameters",
     "weight (out, in/groups, *kernel): kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(fan_in)) "
     "with fan_in = in/groups * prod(kernel) -- groups enter through the weight's shape; "
     "bias: U(+-1/sqrt(that fan_in)).")
_add("torch", ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"],
     {"weight": _TORCH_W, "bias": _TORCH_B},
     "torch/nn/modules/conv.py _ConvNd.reset_parameters (shared with ConvTranspose*)",
     "weight (in, out/groups, *kernel). The fan quirk: _ConvNd.reset_parameters computes the "
     "fans from the weight as if it were [out, in, *k], so 'fan_in' = shape[1] * prod(kernel) "
     "= out_channels/groups * prod(kernel) -- the transposed conv's fan_out side. Both the "
     "weight bound and the bias bound 1/sqrt(fan_in) use it.")
_add("torch", ["Embedding"], {"weight": Rule(embedding_normal_, {"padding_idx": None}, "torch",
                                            note="N(0, 1); the padding_idx row zero")},
     "torch/nn/modules/sparse.py Embedding.reset_parameters",
     "weight (num_embeddings, embedding_dim): normal_ N(0, 1), then the padding_idx row "
     "zeroed; use preset['weight'].replace(padding_idx=k).")
_add("torch", ["LayerNorm"], {"weight": _ONES, "bias": _ZEROS},
     "torch/nn/modules/normalization.py LayerNorm.reset_parameters",
     "weight ones, bias zeros (elementwise_affine).")
_add("torch", ["GroupNorm"], {"weight": _ONES, "bias": _ZEROS},
     "torch/nn/modules/normalization.py GroupNorm.reset_parameters", "weight ones, bias zeros.")
_add("torch", ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"],
     {"weight": _ONES, "bias": _ZEROS, "running_mean": _ZEROS, "running_var": _ONES},
     "torch/nn/modules/batchnorm.py _NormBase.reset_running_stats / reset_parameters",
     "weight ones, bias zeros, running_mean zeros, running_var ones (num_batches_tracked, "
     "an int64 buffer, 0).")
_add("torch", ["RNN", "RNNCell"], _torch_rnn(1),
     "torch/nn/modules/rnn.py RNNBase.reset_parameters / RNNCellBase.reset_parameters",
     "every parameter (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, and "
     "_reverse) U(+-1/sqrt(hidden_size)).")
_add("torch", ["LSTM", "LSTMCell"], _torch_rnn(4, proj=True),
     "torch/nn/modules/rnn.py RNNBase.reset_parameters / RNNCellBase.reset_parameters",
     "every parameter U(+-1/sqrt(hidden_size)); weight_ih (4H, in), weight_hh (4H, H or "
     "proj_size), biases (4H,), weight_hr (proj_size, H). Gate order i, f, g, o.")
_add("torch", ["GRU", "GRUCell"], _torch_rnn(3),
     "torch/nn/modules/rnn.py RNNBase.reset_parameters / RNNCellBase.reset_parameters",
     "every parameter U(+-1/sqrt(hidden_size)); weight_ih (3H, in), weight_hh (3H, H).")
_add("torch", ["MultiheadAttention"],
     {"in_proj_weight": Rule(_api.xavier_uniform_, layout="torch",
                             note="xavier_uniform_ over the whole (3E, E) matrix"),
      "q_proj_weight": Rule(_api.xavier_uniform_, layout="torch"),
      "k_proj_weight": Rule(_api.xavier_uniform_, layout="torch"),
      "v_proj_weight": Rule(_api.xavier_uniform_, layout="torch"),
      "in_proj_bias": _ZEROS,
      "out_proj.weight": _TORCH_W,
      "out_proj.bias": _ZEROS,
      "bias_k": Rule(_api.xavier_normal_, layout="torch"),
      "bias_v": Rule(_api.xavier_normal_, layout="torch")},
     "torch/nn/modules/activation.py MultiheadAttention._reset_parameters",
     "in_proj_weight (3E, E) xavier_uniform_ (q/k/v_proj_weight each, when kdim/vdim differ "
     "from E); in_proj_bias and out_proj.bias zeros; out_proj.weight as Linear "
     "(kaiming_uniform_(a=sqrt(5))); bias_k, bias_v (1, 1, E) xavier_normal_.")
_add("torch", ["PReLU"], {"weight": Rule(_api.constant_, {"val": 0.25}, note="init=0.25")},
     "torch/nn/modules/activation.py PReLU.reset_parameters", "weight constant init (0.25).")

# ---- flax linen -------------------------------------------------------------------------------
_add("flax", ["Dense"], {"kernel": _FLAX_KERNEL, "bias": _ZEROS},
     "flax/linen/linear.py Dense (default_kernel_init = initializers.lecun_normal(); "
     "bias_init = initializers.zeros_init())",
     "kernel (in, features): lecun_normal, std 1/sqrt(in) after truncation; bias zeros.")
_add("flax", ["Conv", "ConvTranspose"], {"kernel": _FLAX_KERNEL, "bias": _ZEROS},
     "flax/linen/linear.py _Conv / ConvTranspose (kernel_init = default_kernel_init)",
     "kernel (*kernel, in/feature_group_count, features): lecun_normal over "
     "fan_in = in/groups * prod(kernel); bias zeros.")
_add("flax", ["Embed"],
     {"embedding": Rule(_frameworks.variance_scaling_,
                        {"scale": 1.0, "mode": "fan_in", "distribution": "normal",
                         "out_axis": 0}, "jax",
                        note="variance_scaling(1.0, 'fan_in', 'normal', out_axis=0): "
                             "N(0, 1/features)")},
     "flax/linen/linear.py default_embed_init",
     "embedding (num_embeddings, features): variance_scaling(1.0, 'fan_in', 'normal', "
     "out_axis=0), whose fan_in is features: N(0, 1/features).")
_add("flax", ["LayerNorm", "GroupNorm", "RMSNorm"], {"scale": _ONES, "bias": _ZEROS},
     "flax/linen/normalization.py LayerNorm / GroupNorm / RMSNorm (scale_init ones, "
     "bias_init zeros)", "scale ones, bias zeros (RMSNorm has no bias).")
_add("flax", ["BatchNorm"], {"scale": _ONES, "bias": _ZEROS, "mean": _ZEROS, "var": _ONES},
     "flax/linen/normalization.py BatchNorm",
     "params scale ones, bias zeros; batch_stats mean zeros, var ones.")
_add("flax", ["LSTMCell", "OptimizedLSTMCell", "GRUCell"],
     {"input_kernel": _FLAX_KERNEL,
      "recurrent_kernel": Rule(_frameworks.orthogonal_columns_, layout="jax",
                               note="initializers.orthogonal() on each (hidden, hidden) gate "
                                    "kernel"),
      "bias": _ZEROS},
     "flax/linen/recurrent.py LSTMCell / GRUCell (kernel_init = default_kernel_init, "
     "recurrent_kernel_init = initializers.orthogonal(), bias_init = zeros_init())",
     "one Dense per gate: input kernels ii/if/ig/io (in, H) lecun_normal (GRUCell: ir/iz/in), "
     "recurrent kernels hi/hf/hg/ho (H, H) orthogonal each, biases (on the h* Dense, and "
     "GRUCell's in) zeros.",
     params={"input_kernel": "i?/kernel", "recurrent_kernel": "h?/kernel",
             "bias": "h?/bias (GRUCell: hn/bias, in/bias ...)"})

# ---- keras 3 ----------------------------------------------------------------------------------
_add("keras", ["Dense"], {"kernel": _KERAS_KERNEL, "bias": _ZEROS},
     "keras/src/layers/core/dense.py Dense (kernel_initializer='glorot_uniform', "
     "bias_initializer='zeros')", "kernel (in, units) glorot_uniform; bias zeros.")
_add("keras", ["Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D"],
     {"kernel": _KERAS_KERNEL, "bias": _ZEROS},
     "keras/src/layers/convolutional/base_conv.py BaseConv (kernel_initializer="
     "'glorot_uniform', bias_initializer='zeros'); base_depthwise_conv.py",
     "kernel (*kernel, in/groups, filters) (depthwise: (*kernel, in, depth_multiplier)) "
     "glorot_uniform with Keras's fans; bias zeros.")
_add("keras", ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"],
     {"kernel": _KERAS_KERNEL, "bias": _ZEROS},
     "keras/src/layers/convolutional/base_conv_transpose.py BaseConvTranspose",
     "kernel (*kernel, filters, in): glorot_uniform (symmetric in the fans, so the swapped "
     "layout does not matter); bias zeros.")
_add("keras", ["Embedding"],
     {"embeddings": Rule(_frameworks.keras_random_uniform_, {"minval": -0.05, "maxval": 0.05},
                         note="'uniform': RandomUniform(-0.05, 0.05)")},
     "keras/src/layers/core/embedding.py Embedding (embeddings_initializer='uniform')",
     "embeddings (input_dim, output_dim): U(-0.05, 0.05).")
_add("keras", ["LSTM", "LSTMCell"],
     {"kernel": _KERAS_KERNEL, "recurrent_kernel": _KERAS_ORTHO,
      "bias": Rule(_frameworks.lstm_bias_, {"forget_bias": 1.0},
                   note="unit_forget_bias=True: zeros, ones for the forget gate [units, 2 units)")},
     "keras/src/layers/rnn/lstm.py LSTMCell.build (kernel_initializer='glorot_uniform', "
     "recurrent_initializer='orthogonal', bias_initializer='zeros', unit_forget_bias=True)",
     "kernel (in, 4u) glorot_uniform; recurrent_kernel (u, 4u) orthogonal; bias (4u,) zeros "
     "with the forget gate's [u, 2u) set to 1. Gate order i, f, c, o.")
_add("keras", ["GRU", "GRUCell", "SimpleRNN", "SimpleRNNCell"],
     {"kernel": _KERAS_KERNEL, "recurrent_kernel": _KERAS_ORTHO, "bias": _ZEROS},
     "keras/src/layers/rnn/gru.py GRUCell.build; simple_rnn.py SimpleRNNCell.build",
     "kernel (in, 3u) glorot_uniform; recurrent_kernel (u, 3u) orthogonal; bias zeros "
     "(GRU reset_after=True: shape (2, 3u)).")
_add("keras", ["BatchNormalization"],
     {"gamma": _ONES, "beta": _ZEROS, "moving_mean": _ZEROS, "moving_variance": _ONES},
     "keras/src/layers/normalization/batch_normalization.py BatchNormalization",
     "gamma ones, beta zeros, moving_mean zeros, moving_variance ones.")
_add("keras", ["LayerNormalization", "GroupNormalization"], {"gamma": _ONES, "beta": _ZEROS},
     "keras/src/layers/normalization/layer_normalization.py; group_normalization.py",
     "gamma ones, beta zeros.")

# ---- mxnet gluon --------------------------------------------------------------------------------
_MX_SRC = ("python/mxnet/gluon/nn/basic_layers.py, conv_layers.py (weight_initializer=None: the "
           "global initializer of Block.initialize(), initializer.Uniform() = U(-0.07, 0.07); "
           "bias_initializer='zeros')")
_add("mxnet", ["Dense"], {"weight": _MX_W, "bias": _ZEROS}, _MX_SRC,
     "weight (units, in_units) U(-0.07, 0.07) unless net.initialize(init) names another "
     "(the model zoo and Gluon examples use mx.init.Xavier(): preset.replace(weight="
     "presets.MXNET_XAVIER)); bias zeros.")
_add("mxnet", ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
               "Conv3DTranspose"], {"weight": _MX_W, "bias": _ZEROS}, _MX_SRC,
     "weight (out, in/groups, *kernel) (transposed: (in, out/groups, *kernel)) U(-0.07, 0.07) "
     "by the global default; bias zeros.")
_add("mxnet", ["Embedding"], {"weight": _MX_W},
     "python/mxnet/gluon/nn/basic_layers.py Embedding (weight_initializer=None)",
     "weight (input_dim, output_dim) U(-0.07, 0.07) by the global default.")
_add("mxnet", ["BatchNorm"],
     {"gamma": _ONES, "beta": _ZEROS, "running_mean": _ZEROS, "running_var": _ONES},
     "python/mxnet/gluon/nn/basic_layers.py BatchNorm (gamma 'ones', beta 'zeros', "
     "running_mean 'zeros', running_variance 'ones')",
     "gamma ones, beta zeros, running_mean zeros, running_var ones.")
_add("mxnet", ["LayerNorm", "GroupNorm", "InstanceNorm"], {"gamma": _ONES, "beta": _ZEROS},
     "python/mxnet/gluon/nn/basic_layers.py LayerNorm / GroupNorm / InstanceNorm",
     "gamma ones, beta zeros.")
_add("mxnet", ["RNN", "LSTM", "GRU"],
     {"i2h_weight": _MX_W, "h2h_weight": _MX_W, "i2h_bias": _ZEROS, "h2h_bias": _ZEROS},
     "python/mxnet/gluon/rnn/rnn_layer.py _RNNLayer (i2h/h2h_weight_initializer=None, "
     "i2h/h2h_bias_initializer='zeros')",
     "i2h_weight (gates*H, in), h2h_weight (gates*H, H): the global initializer, "
     "U(-0.07, 0.07) by default; biases zeros.")


def get_preset(framework, kind):
    """The :class:`Preset` of ``kind`` in ``framework`` (``'torch'``, ``'flax'``, ``'keras'``, ``'mxnet'``).

    Examples:
        >>> from wcinit import presets
        >>> presets.get_preset("flax", "Dense").roles
        ('kernel', 'bias')
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"get_preset: framework must be one of {', '.join(map(repr, FRAMEWORKS))}"
                         f", got {framework!r}")
    try:
        return PRESETS[(framework, kind)]
    except KeyError:
        raise ValueError(f"get_preset: {framework} has no preset for {kind!r}; its kinds are "
                         f"{', '.join(kinds(framework))}") from None


def kinds(framework=None):
    """The layer kinds with presets: of one framework (a list of names), or of all
    (a list of ``(framework, kind)`` pairs).

    Examples:
        >>> from wcinit import presets
        >>> "LSTM" in presets.kinds("keras")
        True
    """
    if framework is None:
        return list(PRESETS)
    if framework not in FRAMEWORKS:
        raise ValueError(f"kinds: framework must be one of {', '.join(map(repr, FRAMEWORKS))}, "
                         f"got {framework!r}")
    return [k for f, k in PRESETS if f == framework]

"""torch modules in place: ``init_module`` and LSUV through forward hooks.

torch is imported only here (``import wcinit`` never imports it).  Every
parameter of a ``torch.nn.Module`` is filled through wcinit's kernels, in place
(the tensor's own CPU memory, through DLPack), under ``torch.no_grad()``,
each from its name-keyed stream, with the distribution the module's own
``reset_parameters`` uses (torch 2.13):

=====================================  ==================================================
module                                 parameters
=====================================  ==================================================
Linear, Conv*d, ConvTranspose*d        weight ``kaiming_uniform_(a=sqrt(5))``, i.e.
                                       U(±1/sqrt(fan_in)); bias U(±1/sqrt(fan_in of weight))
Bilinear                               weight and bias U(±1/sqrt(in1_features))
Embedding, EmbeddingBag                N(0, 1); the ``padding_idx`` row 0
LayerNorm, GroupNorm, RMSNorm,         weight 1, bias 0; running_mean 0, running_var 1,
BatchNorm*d, InstanceNorm*d            num_batches_tracked 0
RNN, LSTM, GRU and their cells         every parameter U(±1/sqrt(hidden_size))
MultiheadAttention                     in_proj (or q/k/v_proj) weight ``xavier_uniform_``,
                                       in_proj_bias and out_proj.bias 0, bias_k/bias_v
                                       ``xavier_normal_``
Transformer                            every parameter of 2+ dims ``xavier_uniform_``
PReLU                                  the module's ``init`` value (0.25)
=====================================  ==================================================

A parameter of any other module is an error naming it, unless ``rules=`` or
``default=`` covers it.
"""
import functools
import math

import torch
from torch import nn

from . import _api, _core
from ._models import Init, Rule, _family, as_rules, execute, plan
from ._schemes import SQRT5, _embedding, _torch_bias, _uniform, preset_rules

__all__ = ["init_module", "torch_rules", "lsuv_"]

_KAIMING_A5 = Init(functools.partial(_api.kaiming_uniform_, a=SQRT5), "kaiming_uniform_(a=√5)",
                   None)


def _kaiming_a5_expect(shape, dtype):
    from ._models import expectation
    return expectation(functools.partial(_api.kaiming_uniform_, a=SQRT5), shape, dtype)


_KAIMING_A5.expect_fn = _kaiming_a5_expect


def _fan_in(t):
    shape = tuple(t.shape)
    return _core._fans(shape)[0] if len(shape) >= 2 else 0


def torch_rules(module):
    """{dotted name: initializer}: what each parameter's ``reset_parameters`` draws.

    Covers the module types in this module's table (subclasses included);
    parameters of other modules are absent.

    Examples:
        >>> import torch, wcinit.torch
        >>> r = wcinit.torch.torch_rules(torch.nn.Linear(128, 64))
        >>> sorted(r), str(r["bias"])
        (['bias', 'weight'], 'torch_bias_(fan_in=128)')
    """
    out = {}
    overrides = {}
    for mname, m in module.named_modules():
        pre = mname + "." if mname else ""
        own = dict(m.named_parameters(recurse=False))
        set_ = lambda leaf, init: out.__setitem__(pre + leaf, init) if leaf in own else None
        if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)):
            set_("weight", _KAIMING_A5)
            if "bias" in own and "weight" in own:
                set_("bias", _torch_bias(_fan_in(own["weight"])))
        elif isinstance(m, nn.Bilinear):
            b = 1.0 / math.sqrt(m.weight.size(1)) if m.weight.size(1) > 0 else 0.0
            set_("weight", _uniform(b, f"uniform_(±1/√{m.weight.size(1)})"))
            set_("bias", _uniform(b, f"uniform_(±1/√{m.weight.size(1)})"))
        elif isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
            set_("weight", _embedding(getattr(m, "padding_idx", None)))
        elif isinstance(m, (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._NormBase,
                            getattr(nn, "RMSNorm", ()))):
            set_("weight", _api.ones_)
            set_("bias", _api.zeros_)
            bufs = dict(m.named_buffers(recurse=False))
            for leaf, init in (("running_mean", _api.zeros_), ("running_var", _api.ones_),
                               ("num_batches_tracked", 0)):
                if bufs.get(leaf) is not None:
                    out[pre + leaf] = init
        elif isinstance(m, (nn.RNNBase, nn.RNNCellBase)):
            h = m.hidden_size
            b = 1.0 / math.sqrt(h) if h > 0 else 0.0
            for leaf in own:
                out[pre + leaf] = _uniform(b, f"uniform_(±1/√{h})")
        elif isinstance(m, nn.MultiheadAttention):
            for leaf in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
                if own.get(leaf) is not None:
                    set_(leaf, _api.xavier_uniform_)
            if own.get("in_proj_bias") is not None:
                set_("in_proj_bias", _api.zeros_)
            if m.out_proj.bias is not None:
                overrides[pre + "out_proj.bias"] = _api.zeros_
            for leaf in ("bias_k", "bias_v"):
                if own.get(leaf) is not None:
                    set_(leaf, _api.xavier_normal_)
        elif isinstance(m, nn.PReLU):
            set_("weight", float(m.init))
        if isinstance(m, nn.Transformer):
            for n, p in m.named_parameters():
                if p.dim() > 1:
                    overrides[pre + n] = _api.xavier_uniform_
    out.update(overrides)
    return out


def _leaves(module, names):
    """(name, tensor) for every parameter and the buffers torch's rules reset."""
    leaves = [(n, p) for n, p in module.named_parameters()]
    bufs = dict(module.named_buffers())
    leaves += [(n, bufs[n]) for n in names if n in bufs]
    return leaves


def _check_device(leaves, fname):
    for n, t in leaves:
        if t.device.type == "meta":
            raise RuntimeError(f"{fname}: parameter {n!r} is on the meta device: materialize "
                               "the module first with module.to_empty(device='cpu')")
        if t.device.type != "cpu":
            raise RuntimeError(f"{fname}: parameter {n!r} is on {t.device}; wcinit fills CPU "
                               "tensors in place")


def init_module(module, preset="torch", *, rules=None, generator=None, default=None,
                measure=True, progress=None):
    r"""Initialize every parameter of a ``torch.nn.Module`` in place, through wcinit.

    With ``preset="torch"`` each parameter gets the distribution of its
    module's own ``reset_parameters`` (see this module's table), BatchNorm's
    running statistics included, so a module built on the ``meta`` device and
    materialized with ``module.to_empty(device="cpu")`` comes out as torch
    would have built it -- but filled by wcinit's multi-threaded kernels, from
    name-keyed streams (reproducible; adding a layer changes no other
    parameter).  Writes happen under ``torch.no_grad()`` into the tensors'
    own memory: parameters stay the same leaf tensors and gradients flow.

    Args:
        module: a ``torch.nn.Module`` whose tensors are on the CPU
        preset: ``"torch"`` (default), a scheme (``"gpt2"``, ``"bert"``,
            ``"vit"``), a list of rules, or None (``rules``/``default`` only)
        rules: rules tried before the preset (``init_params``'s format)
        generator: an int seed, a wcinit.Generator (read, not advanced), a
            numpy.random.Generator, or None (a fresh seed from the default generator)
        default: the initializer for parameters nothing else covers
        measure: compute measured means/stds for the report
        progress: a progress bar or callback, as ``wcinit.init_params``'s
            (elements filled, after each parameter)

    Returns:
        InitReport (see ``wcinit.init_params``)

    Examples:
        >>> import torch, wcinit.torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
        >>> rep = wcinit.torch.init_module(net, generator=0)
        >>> rep["0.weight"].high == 1 / 784 ** 0.5
        True
    """
    fname = "init_module"
    if not isinstance(module, nn.Module):
        raise TypeError(f"{fname}(): argument 'module' must be a torch.nn.Module, not "
                        f"{type(module).__name__}")
    if isinstance(preset, str) and preset not in ("torch", "gpt2", "bert", "vit"):
        raise ValueError(f"{fname}: preset must be 'torch', 'gpt2', 'bert', 'vit', a list of rules "
                         f"or None, got {preset!r} (other frameworks' defaults assume their own "
                         "layouts: use wcinit.init_params on their parameter trees)")
    base = torch_rules(module) if preset == "torch" else {}
    leaves = _leaves(module, base)
    _check_device(leaves, fname)
    all_rules = as_rules(rules)
    why = None
    if preset == "torch":
        all_rules += [Rule.for_name(n, init) for n, init in base.items()]
    elif preset is not None:
        extra, why = preset_rules(preset, leaves, fname)
        all_rules += extra
    plans = plan(leaves, all_rules, default, fname, why=why)
    family = _family(generator, fname)
    with torch.no_grad():
        return execute(plans, family, fname, measure=measure, title=f"{fname}({type(module).__name__})",
                       progress=progress)


# ---- LSUV through forward hooks -------------------------------------------------

_LSUV_TYPES = (nn.Linear, nn.modules.conv._ConvNd)


def lsuv_(module, x, *, tol=0.1, max_iter=10, generator=None, center=False, orthonormal=True,
          layers=None, progress=None):
    """LSUV (Mishkin & Matas 2015) on a torch module, through forward hooks.

    See ``wcinit.lsuv_``: the layers are the module's Linear and Conv*
    submodules (or ``layers``, a list of submodules) in the order the forward
    pass reaches them; each one's output (before its activation) is read by a
    forward hook on the batch ``x``.  ``progress`` reports layers done, as
    ``wcinit.lsuv_``'s.

    Examples:
        >>> import torch, wcinit.torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(32, 32), torch.nn.Tanh(), torch.nn.Linear(32, 8))
        >>> x = torch.from_numpy(wcinit.normal_(__import__("numpy").empty((256, 32), "float32"), generator=0))
        >>> rep = wcinit.torch.lsuv_(net, x, generator=1)
        >>> all(abs(r["variance"] - 1) < 0.1 for r in rep.rows())
        True
    """
    from ._lsuv import lsuv_callback
    fname = "lsuv_"
    names = {m: n for n, m in module.named_modules()}
    if layers is None:
        cand = [m for m in module.modules() if isinstance(m, _LSUV_TYPES)]
        order = []
        hooks = [m.register_forward_hook(lambda mod, i, o: order.append(mod)) for m in cand]
        try:
            with torch.no_grad():
                module(x)
        finally:
            for h in hooks:
                h.remove()
        seen = []
        for m in order:
            if m not in seen:
                seen.append(m)
        layers = seen
    if not layers:
        raise ValueError(f"{fname}: the module has no Linear or Conv layers to scale")
    _check_device([(names.get(m, "?") + ".weight", m.weight) for m in layers], fname)
    weights = [_core._check(m.weight, fname) for m in layers]
    biases = [None if getattr(m, "bias", None) is None else _core._check(m.bias, fname)
              for m in layers]

    def forward(inp, tap):
        hooks = [m.register_forward_hook(lambda mod, i, o, k=k: tap(k, o.detach().numpy()))
                 for k, m in enumerate(layers)]
        try:
            with torch.no_grad():
                module(inp)
        finally:
            for h in hooks:
                h.remove()

    return lsuv_callback(forward, x, weights, biases, [names.get(m, str(k)) for k, m in
                                                        enumerate(layers)],
                         tol=tol, max_iter=max_iter, generator=generator, center=center,
                         orthonormal=orthonormal, fname=fname, progress=progress)

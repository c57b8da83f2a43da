"""LSUV: layer-sequential unit-variance initialization (Mishkin & Matas 2015).

Algorithm 1 of "All you need is a good init" (ICLR 2016): pre-initialize every
layer with an orthonormal matrix (Saxe et al. 2013), then, layer by layer from
the input, run a batch forward, measure the variance of the layer's output
B_L (the Linear/Conv output, before its activation) and divide its weights by
sqrt(Var(B_L)), until |Var(B_L) - 1| < tol or max_iter rescalings.
"""
import math
import numbers
import sys

import numpy as np

from . import _api, _core
from ._models import InitReport, _family, name_stream

__all__ = ["lsuv_"]


class _Stop(BaseException):
    """Raised from the tap to stop the forward pass after the layer being tuned."""


_ACTIVATIONS = {
    None: lambda z: z, "linear": lambda z: z, "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "selu": lambda z: 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0))),
    "gelu": lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3))),
}


def _tuple(v, d, key, fname):
    if isinstance(v, numbers.Integral):
        return (int(v),) * d
    v = tuple(int(s) for s in v)
    if len(v) != d:
        raise ValueError(f"{fname}: {key} must be an int or {d} ints, got {v}")
    return v


def conv(x, w, b=None, stride=1, padding=0, groups=1):
    """N-d cross-correlation in torch's layout: x [N, C, *S], w [O, C/groups, *K]."""
    d = w.ndim - 2
    stride, padding = _tuple(stride, d, "stride", "conv"), _tuple(padding, d, "padding", "conv")
    if any(padding):
        x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    cin = w.shape[1]
    outs = []
    for g in range(groups):
        xg = x[:, g * cin:(g + 1) * cin]
        wg = w[g * (w.shape[0] // groups):(g + 1) * (w.shape[0] // groups)]
        win = np.lib.stride_tricks.sliding_window_view(xg, w.shape[2:], axis=tuple(range(2, 2 + d)))
        win = win[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)]
        y = np.tensordot(win, wg, axes=([1] + list(range(2 + d, 2 + 2 * d)),
                                        [1] + list(range(2, 2 + d))))
        outs.append(np.moveaxis(y, -1, 1))
    y = outs[0] if groups == 1 else np.concatenate(outs, axis=1)
    if b is not None:
        y = y + b.reshape((1, -1) + (1,) * d)
    return y


def _layer_forward(layer, x, fname, k):
    w, b = layer["weight"], layer.get("bias")
    if w.ndim == 2:
        if x.ndim > 2:
            x = x.reshape(x.shape[0], -1)
        y = x @ w.T
        if b is not None:
            y = y + b
        return y
    return conv(x, w, b, layer.get("stride", 1), layer.get("padding", 0), layer.get("groups", 1))


def _activation(a, fname, k):
    if callable(a):
        return a
    try:
        return _ACTIVATIONS[a]
    except (KeyError, TypeError):
        raise ValueError(f"{fname}: layer {k}: activation must be a callable or one of "
                         f"{sorted(n for n in _ACTIVATIONS if n)}, got {a!r}") from None


class _LSUVEntry:
    __slots__ = ("layer", "name", "shape", "iterations", "variance", "mean", "converged", "scale")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    def row(self):
        return {k: getattr(self, k) for k in self.__slots__}


class LSUVReport(InitReport):
    """Per-layer LSUV result: iterations (rescalings), the final variance and
    mean of the layer's output on the batch, whether |variance - 1| < tol, and
    the total factor the weights were multiplied by."""

    COLUMNS = ("layer", "name", "shape", "iterations", "variance", "mean", "converged", "scale")
    UNIT = "layers"

    def __str__(self):
        cells = self._table()
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.COLUMNS)]
        line = lambda r: "  ".join(s.ljust(w) for s, w in zip(r, widths)).rstrip()
        return "\n".join([f"{self.title}: {len(self._entries)} layers", line(self.COLUMNS),
                          line(["-" * w for w in widths])] + [line(r) for r in cells])


def lsuv_callback(forward, x, weights, biases, names, *, tol, max_iter, generator, center,
                  orthonormal, fname, progress=None):
    """LSUV over weight arrays the forward function uses, reading outputs from its tap."""
    tol = _api._float(tol, fname, "tol")
    if not tol > 0:
        raise ValueError(f"{fname}: tol must be positive, got {tol}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 0:
        raise ValueError(f"{fname}: max_iter must be a non-negative int, got {max_iter!r}")
    for k, w in enumerate(weights):
        if w.ndim < 2:
            raise ValueError(f"{fname}: layer {k} ({names[k]!r}): weight must have 2 or more "
                             f"dimensions, got shape {w.shape}")
        if center and biases[k] is None:
            raise ValueError(f"{fname}: layer {k} ({names[k]!r}): center=True needs a bias")
    seed, stream = _family(generator, fname)
    from ._progress import progress_bar
    with progress_bar(progress, len(weights), fname, fname) as bar:
        return _lsuv_layers(forward, x, weights, biases, names, tol, max_iter, seed, stream,
                            center, orthonormal, fname, bar)


def _lsuv_layers(forward, x, weights, biases, names, tol, max_iter, seed, stream, center,
                 orthonormal, fname, bar):
    if orthonormal:
        for k, w in enumerate(weights):
            _api.orthogonal_(w, generator=_core.Generator(seed, name_stream(f"{names[k]}.weight",
                                                                           stream)))
            if biases[k] is not None:
                biases[k][...] = 0
    entries = []
    for k in range(len(weights)):
        got = {}

        def tap(i, y, k=k, got=got):
            if i == k:
                got["y"] = np.asarray(y)
                raise _Stop

        iters, scale = 0, 1.0
        while True:
            got.clear()
            try:
                forward(x, tap)
            except _Stop:
                pass
            if "y" not in got:
                raise RuntimeError(f"{fname}: the forward pass never reported layer {k} "
                                   f"({names[k]!r})")
            y = got["y"].astype(np.float64)
            var, mean = float(y.var()), float(y.mean())
            if not (var > 0 and math.isfinite(var)):
                raise FloatingPointError(f"{fname}: layer {k} ({names[k]!r}): output variance "
                                         f"is {var}; cannot rescale to 1")
            if abs(var - 1.0) < tol or iters >= max_iter:
                break
            s = 1.0 / math.sqrt(var)
            w = weights[k]
            w *= np.asarray(s, dtype=w.dtype)
            if center:
                b = biases[k]
                axes = (0,) + tuple(range(2, y.ndim))
                cm = y.mean(axis=axes)
                b[...] = (s * (b.astype(np.float64) - cm)).astype(b.dtype)
            scale *= s
            iters += 1
        entries.append(_LSUVEntry(layer=k, name=names[k], shape=tuple(weights[k].shape),
                                  iterations=iters, variance=var, mean=mean,
                                  converged=abs(var - 1.0) < tol, scale=scale))
        bar(k + 1)
    return LSUVReport(entries, fname)


def lsuv_(layers, x, *, tol=0.1, max_iter=10, generator=None, center=False, orthonormal=True,
          forward=None, progress=None):
    r"""Layer-sequential unit-variance initialization (LSUV), in place.

    Mishkin & Matas, "All you need is a good init" (ICLR 2016), Algorithm 1:
    pre-initialize each layer's weight with an orthonormal matrix
    (``orthogonal_``, biases 0), then for each layer in order run the batch
    ``x`` forward, take the variance of the layer's own output :math:`B_L`
    (its Linear/Conv output, before the activation) and set

    .. math:: W_L \leftarrow W_L / \sqrt{\operatorname{Var}(B_L)}

    until :math:`|\operatorname{Var}(B_L) - 1| < \text{tol}` or ``max_iter``
    rescalings.  With ``center=True`` the bias is also moved so that each
    output channel has mean 0 on the batch.  Deterministic given the
    generator and the batch.

    Args:
        layers: (a) a list of dicts ``{"weight": W, "bias": b or None,
            "activation": "relu" | "tanh" | "sigmoid" | "leaky_relu" | "elu" |
            "selu" | "gelu" | "linear" | callable}``, W in torch layout ``[out,
            in, *kernel]`` (a 3/4/5-D W is a convolution, with optional
            ``"stride"``, ``"padding"``, ``"groups"``; a 2-D W after a conv
            flattens its input); (b) with ``forward=``, a list of weight arrays
            or of ``{"weight", "bias"}`` dicts that ``forward`` uses; (c) a
            ``torch.nn.Module`` (its Linear/Conv layers, read by forward hooks)
        x: the batch (a NumPy array, or a torch tensor for a module)
        tol: the variance tolerance (default 0.1)
        max_iter: the most rescalings per layer (default 10)
        generator: the generator of the orthonormal pre-init (name-keyed
            streams ``"<i>.weight"``, as ``init_params``)
        center: also centre each output channel's mean (needs biases)
        orthonormal: pre-initialize with orthonormal weights (default True)
        forward: ``forward(x, tap)`` computing the network from the arrays in
            ``layers`` and calling ``tap(i, out_i)`` with layer i's output
        progress: ``True`` for a progress bar (tqdm's when installed, else
            text), ``"tqdm"``, ``"text"``, or a callable ``f(done, total)``
            called after each layer; None (default) reports nothing

    Returns:
        LSUVReport: per layer the rescalings done, the final variance and mean
        of its output, whether it converged and the total scale applied.

    Examples:
        >>> import numpy as np, wcinit
        >>> layers = [{"weight": np.empty((64, 64), np.float32), "bias": np.zeros(64, np.float32),
        ...            "activation": "tanh"} for _ in range(5)]
        >>> x = wcinit.normal_(np.empty((512, 64), np.float32), generator=0)
        >>> rep = wcinit.lsuv_(layers, x, generator=1)
        >>> all(abs(r["variance"] - 1) < 0.1 for r in rep.rows())
        True
    """
    fname = "lsuv_"
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(layers, torch.nn.Module):
        from .torch import lsuv_ as torch_lsuv
        return torch_lsuv(layers, x, tol=tol, max_iter=max_iter, generator=generator,
                          center=center, orthonormal=orthonormal, progress=progress)
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"{fname}(): argument 'layers' must be a non-empty list of layer dicts "
                        f"or weight arrays, or a torch.nn.Module, not {type(layers).__name__}")
    dicts = []
    for k, l in enumerate(layers):
        if isinstance(l, dict):
            if "weight" not in l:
                raise ValueError(f"{fname}: layer {k} has no 'weight'")
            dicts.append(l)
        elif forward is not None:
            dicts.append({"weight": l})
        else:
            raise TypeError(f"{fname}: layer {k} must be a dict with 'weight' (or pass forward=)")
    weights = [_core._check(l["weight"], fname) for l in dicts]
    biases = [None if l.get("bias") is None else _core._check(l["bias"], fname) for l in dicts]
    names = [str(l.get("name", k)) for k, l in enumerate(dicts)]
    if forward is None:
        acts = [_activation(l.get("activation"), fname, k) for k, l in enumerate(dicts)]
        x = np.asarray(x)

        def forward(inp, tap):
            h = inp
            for k, l in enumerate(dicts):
                z = _layer_forward(l, h, fname, k)
                tap(k, z)
                h = acts[k](z)
            return h
    elif not callable(forward):
        raise TypeError(f"{fname}(): argument 'forward' must be callable")
    return lsuv_callback(forward, x, weights, biases, names, tol=tol, max_iter=max_iter,
                         generator=generator, center=center, orthonormal=orthonormal, fname=fname,
                         progress=progress)

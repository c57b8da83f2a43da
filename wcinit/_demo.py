"""``python -m wcinit``: the showcase, built only from the public API.

1. A small CNN + MLP initialized by ``wcinit.init_params`` with the usual rules,
   and ``wcinit.diagnostics.stats`` of every parameter against its rule.
2. ``stats`` catching two classic mistakes: a transposed weight, a forgotten init.
3. ``wcinit.diagnostics.compare``: the signal through 20 ReLU layers under
   zeros, N(0, 1), N(0, 0.01), Xavier, He and orthogonal init, and through
   tanh and SELU layers, each with its verdict.
4. ``--plot PATH``: those results as one PNG (needs matplotlib).
"""
import functools
import math

import numpy as np

import wcinit
from wcinit import diagnostics

SEED = 0

# The network of the stats table: (name, shape) and its rule.
LAYERS = [
    ("conv1.weight", (64, 3, 3, 3), functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")),
    ("conv2.weight", (128, 64, 3, 3), functools.partial(wcinit.kaiming_uniform_, nonlinearity="relu")),
    ("conv3.weight", (256, 128, 3, 3),
     functools.partial(wcinit.kaiming_normal_, mode="fan_out", nonlinearity="relu")),
    ("fc1.weight", (1024, 4096), wcinit.xavier_uniform_),
    ("fc1.bias", (1024,), wcinit.zeros_),
    ("fc2.weight", (512, 1024), wcinit.xavier_normal_),
    ("fc3.weight", (512, 512), functools.partial(wcinit.orthogonal_, gain=math.sqrt(2))),
    ("head.weight", (10, 512), functools.partial(wcinit.trunc_normal_, std=0.02, a=-0.04, b=0.04)),
    ("head.bias", (10,), wcinit.zeros_),
]

RELU_INITS = {
    "zeros": "zeros_",
    "N(0, 1)": ("normal_", {"std": 1.0}),
    "N(0, 0.01)": ("normal_", {"std": 0.01}),
    "Xavier normal": "xavier_normal_",
    "He normal": ("kaiming_normal_", {"nonlinearity": "relu"}),
    "orthogonal, gain sqrt 2": ("orthogonal_", {"gain": math.sqrt(2)}),
}
TANH_INITS = {
    "N(0, 1)": ("normal_", {"std": 1.0}),
    "N(0, 0.01)": ("normal_", {"std": 0.01}),
    "Xavier uniform": "xavier_uniform_",
    "Xavier, gain 5/3": ("xavier_uniform_", {"gain": 5 / 3}),
}
SELU_INITS = {
    "LeCun normal": ("kaiming_normal_", {"nonlinearity": "linear"}),
    "He normal": ("kaiming_normal_", {"nonlinearity": "relu"}),
}
WIDTH, DEPTH, BATCH = 256, 20, 128


def network(seed=SEED):
    """The demo network's parameters, initialized by init_params; and its rules."""
    params = {}
    for name, shape, _ in LAYERS:
        layer, leaf = name.split(".")
        params.setdefault(layer, {})[leaf] = np.empty(shape, np.float32)
    rules = {name: rule for name, _, rule in LAYERS}
    wcinit.init_params(params, list(rules.items()), generator=seed)
    return params, rules


def mistakes(seed=SEED):
    """Two parameters initialized wrongly, and the rules they were meant to follow."""
    he = functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")
    w = he(np.empty((256, 1024), np.float32), generator=seed)   # an [out, in] weight ...
    params = {"enc.weight (stored [in, out])": np.ascontiguousarray(w.T),   # ... stored transposed
              "dec.weight (never initialized)": np.zeros((1024, 256), np.float32),
              "enc.weight (as meant)": w}
    rules = {name: he for name in params}
    return params, rules


def comparisons(seed=SEED, progress=None):
    widths = [WIDTH] * (DEPTH + 1)
    return [diagnostics.compare(inits, widths=widths, activation=act, batch=BATCH,
                                generator=seed, progress=progress)
            for inits, act in ((RELU_INITS, "relu"), (TANH_INITS, "tanh"), (SELU_INITS, "selu"))]


def figure(params, rules, results):
    """One Figure: signal by depth, the layer heat strip, weight histograms."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(13, 15), layout="constrained")
    top, mid, bottom = fig.subfigures(3, 1, height_ratios=[1.05, 0.9, 1.25])
    diagnostics.plot_depth(results[0], fig=top)
    diagnostics.plot_table(results[0], fig=mid)
    shown = ["conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight", "fc3.weight",
             "head.weight", "enc.weight (stored [in, out])", "dec.weight (never initialized)"]
    bad, bad_rules = mistakes()
    flat = {f"{k}.{leaf}": v for k, d in params.items() for leaf, v in d.items()}
    sel = {n: (flat[n] if n in flat else bad[n]) for n in shown}
    sel_rules = {n: (rules[n] if n in rules else bad_rules[n]) for n in shown}
    diagnostics.plot_histograms(sel, sel_rules, fig=bottom, ncols=4)
    bottom.suptitle("weights against the analytical density of their rule "
                    "(the last two: a transposed He weight, a forgotten init)", fontsize=10)
    return fig


def main(args=None):
    plot = getattr(args, "plot", None)
    print(f"wcinit {wcinit.__version__}: kernels '{wcinit.get_simd()}', "
          f"{wcinit.get_num_threads()} threads, seed {SEED}\n")
    params, rules = network()
    print(diagnostics.stats(params, rules))
    print()
    bad, bad_rules = mistakes()
    print(diagnostics.stats(bad, bad_rules))
    print()
    print(f"signal through {DEPTH} ReLU layers (then tanh, then SELU layers) of width {WIDTH}, "
          f"a batch of {BATCH} N(0, 1) inputs, a N(0, 1) gradient at the top:\n")
    results = comparisons()
    for c in results:
        print(c)
        print()
    print("He keeps E[h^2] through ReLU layers (Var W = 2/fan_in); Xavier halves it at every "
          "layer;\nN(0, 1) multiplies the variance by fan_in/2 per layer, N(0, 0.01) by "
          "fan_in/20000;\nzeros never break the symmetry.  Through tanh, N(0, 1) saturates: the "
          "activations look\nbounded while the gradients explode.  SELU with LeCun's 1/fan_in keeps unit variance\n"
          "(self-normalizing); He's 2/fan_in drifts upward.")
    if plot:
        fig = figure(params, rules, results)
        fig.savefig(plot, dpi=90)
        print(f"\nwrote {plot}")
    return 0

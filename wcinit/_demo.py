"""The main job: initialize a small convolutional network's weights by the
usual rules and print, per layer, the rule, its analytical std, the measured
std and the worst deviation from the bound; then push a signal through the
fully connected stack to show the variance flowing through depth."""
import math
import time

import numpy as np

import wcinit

LAYERS = [
    # name, shape, initializer, kwargs, analytical std of the rule
    ("conv1", (64, 3, 3, 3), "kaiming_normal_", {"nonlinearity": "relu"}),
    ("conv2", (128, 64, 3, 3), "kaiming_uniform_", {"nonlinearity": "relu"}),
    ("conv3", (256, 128, 3, 3), "kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("fc1", (1024, 4096), "xavier_uniform_", {}),
    ("fc2", (512, 1024), "xavier_normal_", {}),
    ("fc3", (512, 512), "orthogonal_", {"gain": math.sqrt(2)}),
    ("head", (10, 512), "trunc_normal_", {"std": 0.02, "a": -0.04, "b": 0.04}),
]


def analytical_std(shape, rule, kw):
    fan_in, fan_out = wcinit.calculate_fan_in_and_fan_out(shape)
    if rule.startswith("kaiming"):
        fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
        return wcinit.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)) / math.sqrt(fan)
    if rule.startswith("xavier"):
        return kw.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    if rule == "orthogonal_":
        rows, cols = shape[0], int(np.prod(shape[1:]))
        return kw.get("gain", 1.0) * math.sqrt(min(rows, cols) / (rows * cols))
    if rule == "trunc_normal_":
        from math import erf, exp, pi, sqrt
        s, a, b = kw["std"], kw["a"] / kw["std"], kw["b"] / kw["std"]
        phi = lambda x: exp(-x * x / 2) / sqrt(2 * pi)
        Phi = lambda x: 0.5 * (1 + erf(x / sqrt(2)))
        z = Phi(b) - Phi(a)
        return s * math.sqrt(1 + (a * phi(a) - b * phi(b)) / z - ((phi(a) - phi(b)) / z) ** 2)
    raise ValueError(rule)


def main(argv=None):
    seed = 0
    g = wcinit.Generator(seed)
    print(f"wcinit {wcinit.__version__}: kernels '{wcinit.get_simd()}', "
          f"{wcinit.get_num_threads()} threads, seed {seed}\n")
    print(f"{'layer':6s} {'shape':18s} {'rule':18s} {'fan_in':>7s} {'fan_out':>7s} "
          f"{'std (rule)':>11s} {'std (meas.)':>11s} {'mean':>10s} {'max|w|':>9s} {'ms':>6s}")
    weights = {}
    for name, shape, rule, kw in LAYERS:
        w = np.empty(shape, dtype=np.float32)
        t0 = time.perf_counter()
        getattr(wcinit, rule)(w, generator=g, **kw)
        ms = (time.perf_counter() - t0) * 1e3
        fan_in, fan_out = wcinit.calculate_fan_in_and_fan_out(shape)
        weights[name] = w
        print(f"{name:6s} {str(shape):18s} {rule:18s} {fan_in:7d} {fan_out:7d} "
              f"{analytical_std(shape, rule, kw):11.5f} {w.std(dtype=np.float64):11.5f} "
              f"{w.mean(dtype=np.float64):10.2e} {np.abs(w).max():9.5f} {ms:6.1f}")
    # Signal variance through a deep ReLU stack: He init keeps E[x^2] constant.
    print("\nsignal through 20 ReLU layers of width 512 (mean square of the activations):")
    x = wcinit.normal_(np.empty((2048, 512)), generator=g)
    for rule in ("kaiming_normal_", "xavier_normal_"):
        h = x.copy()
        ms = []
        for _ in range(20):
            w = getattr(wcinit, rule)(np.empty((512, 512)), generator=g,
                                      **({"nonlinearity": "relu"} if rule.startswith("kaiming") else {}))
            h = np.maximum(h @ w.T, 0.0)
            ms.append(float(np.mean(h * h)))
        print(f"  {rule:16s} layer 1: {ms[0]:.3f}  layer 10: {ms[9]:.3g}  layer 20: {ms[19]:.3g}")
    print("\n(He init keeps E[x^2] near 1 through ReLU layers; Xavier halves it at every layer.)")
    return 0

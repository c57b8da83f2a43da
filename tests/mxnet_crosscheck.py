"""Cross-check wcinit.mxnet and the mxnet presets against MXNet itself (by hand).

MXNet 1.9.1, the last release, needs NumPy < 1.24 and cannot share the test venv
(NumPy 2.4.6), so this runs in two steps, in two environments:

    python3 -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/mxnet_crosscheck.py dump /tmp/mx.npz      # MXNet draws
    .venv/bin/python tests/mxnet_crosscheck.py compare /tmp/mx.npz         # wcinit compares

``dump`` imports only mxnet and numpy; ``compare`` prints, per initializer and
per Gluon layer parameter, the two-sample KS p-value of wcinit's values against
MXNet's (random rules) or whether they are equal (deterministic ones), and
exits non-zero if any p < 1e-4 or any deterministic value differs.
"""
import sys

import numpy as np

SHAPE = (64, 32, 3, 3)
REPS = 4

# name -> (mxnet initializer expression, wcinit call) ; evaluated on SHAPE
INITS = {
    "Xavier()": ("mx.init.Xavier()", "wcinit.mxnet.xavier_(a, generator=g)"),
    "Xavier(gaussian,out,2)": ("mx.init.Xavier('gaussian', 'out', 2)",
                               "wcinit.mxnet.xavier_(a, 'gaussian', 'out', 2, generator=g)"),
    "Xavier(uniform,in,3)": ("mx.init.Xavier('uniform', 'in', 3)",
                             "wcinit.mxnet.xavier_(a, 'uniform', 'in', 3, generator=g)"),
    "MSRAPrelu()": ("mx.init.MSRAPrelu()", "wcinit.mxnet.msra_prelu_(a, generator=g)"),
    "MSRAPrelu(in,0.1)": ("mx.init.MSRAPrelu('in', 0.1)",
                          "wcinit.mxnet.msra_prelu_(a, 'in', 0.1, generator=g)"),
    "Uniform()": ("mx.init.Uniform()", "wcinit.mxnet.uniform_(a, generator=g)"),
    "Normal(0.5)": ("mx.init.Normal(0.5)", "wcinit.mxnet.normal_(a, 0.5, generator=g)"),
    "Orthogonal()": ("mx.init.Orthogonal()", "wcinit.mxnet.orthogonal_(a, generator=g)"),
    "Orthogonal(1,normal)": ("mx.init.Orthogonal(1.0, 'normal')",
                             "wcinit.mxnet.orthogonal_(a, 1.0, 'normal', generator=g)"),
}
DETERMINISTIC = {
    "Bilinear()": ("mx.init.Bilinear()", "wcinit.mxnet.bilinear_(a)", (3, 1, 4, 4)),
    "LSTMBias(2.0)": ("mx.init.LSTMBias(2.0)", "wcinit.mxnet.lstm_bias_(a, 2.0)", (32,)),
}
# Gluon layer -> (constructor, wcinit preset kind); net.initialize() with defaults
LAYERS = {
    "Dense": ("gluon.nn.Dense(64, in_units=128)", "Dense"),
    "Conv2D": ("gluon.nn.Conv2D(32, 3, in_channels=16)", "Conv2D"),
    "Conv2DTranspose": ("gluon.nn.Conv2DTranspose(32, 3, in_channels=16)", "Conv2DTranspose"),
    "Embedding": ("gluon.nn.Embedding(100, 16)", "Embedding"),
    "BatchNorm": ("gluon.nn.BatchNorm(in_channels=16)", "BatchNorm"),
    "LayerNorm": ("gluon.nn.LayerNorm(in_channels=16)", "LayerNorm"),
    "LSTM": ("gluon.rnn.LSTM(16, input_size=10)", "LSTM"),
    "GRU": ("gluon.rnn.GRU(16, input_size=10)", "GRU"),
}
N_LAYERS = 40


def _role(name):
    for suffix in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias", "running_mean",
                   "running_var", "weight", "bias", "gamma", "beta"):
        if name.endswith(suffix):
            return suffix
    raise KeyError(name)


def dump(path):
    import mxnet as mx
    from mxnet import gluon  # noqa: F401  (used by the eval'd constructors)
    mx.random.seed(0)
    out = {}
    for key, (expr, _) in INITS.items():
        vals = []
        for _ in range(REPS):
            arr = mx.nd.zeros(SHAPE)
            eval(expr)._init_weight("x_weight", arr)
            vals.append(arr.asnumpy())
        out["init:" + key] = np.stack(vals)
    for key, (expr, _, shape) in DETERMINISTIC.items():
        arr = mx.nd.zeros(shape)
        eval(expr)._init_weight("x_weight", arr)
        out["det:" + key] = arr.asnumpy()
    for key, (expr, _) in LAYERS.items():
        pooled = {}
        for _ in range(N_LAYERS):
            layer = eval(expr)
            layer.initialize()
            for name, p in layer.collect_params().items():
                pooled.setdefault(_role(name), []).append(p.data().asnumpy())
        for role, arrs in pooled.items():
            out[f"layer:{key}:{role}"] = np.stack(arrs)
    np.savez(path, **out)
    print(f"wrote {len(out)} arrays to {path} (mxnet {mx.__version__})")


def compare(path):
    import scipy.stats as st

    import wcinit  # noqa: F401  (used by the eval'd calls)
    from wcinit import presets
    data = np.load(path)
    bad = 0
    g = wcinit.Generator(1)
    for key, (_, call) in INITS.items():
        theirs = data["init:" + key]
        ours = []
        for _ in range(REPS):
            a = np.empty(SHAPE, np.float32)
            eval(call)
            ours.append(a)
        p = st.ks_2samp(np.ravel(ours), theirs.ravel()).pvalue
        bad += p < 1e-4
        print(f"{key:28s} KS p = {p:.3g}   max|x| mxnet {np.abs(theirs).max():.5f} "
              f"wcinit {np.abs(ours).max():.5f}")
    for key, (_, call, shape) in DETERMINISTIC.items():
        a = np.empty(shape, np.float32)
        eval(call)
        same = np.array_equal(a, data["det:" + key])
        bad += not same
        print(f"{key:28s} equal: {same}")
    for key, (_, kind) in LAYERS.items():
        pre = presets.get_preset("mxnet", kind)
        for k in data.files:
            if not k.startswith(f"layer:{key}:"):
                continue
            role = k.split(":")[2]
            theirs = data[k]
            rule = pre[role]
            ours = [rule(np.empty(theirs.shape[1:], np.float32), generator=g)
                    for _ in range(theirs.shape[0])]
            e = rule.expected(theirs.shape[1:])
            if e.family == "constant":
                ok = np.array_equal(np.stack(ours), theirs)
                bad += not ok
                print(f"Gluon {key}.{role:14s} {theirs.shape[1:]} equal: {ok}")
            else:
                p = st.ks_2samp(np.ravel(ours), theirs.ravel()).pvalue
                bad += p < 1e-4
                print(f"Gluon {key}.{role:14s} {theirs.shape[1:]} KS p = {p:.3g}")
    print("FAILED" if bad else "all agree")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("dump", "compare"):
        sys.exit(__doc__)
    sys.exit(dump(sys.argv[2]) if sys.argv[1] == "dump" else compare(sys.argv[2]))

#!/usr/bin/env python3
"""Benchmarks: wcinit side by side with NumPy and torch.nn.init, in one process.

``python benchmarks/bench.py [options]`` (``--help`` lists them); see
benchmarks/README.md for what is measured and how to read the tables.  The
JSON results go to benchmarks/results/ beside this file, or to ``--json PATH``.

Sections (each can be selected with ``--only``):

* the main table: every initializer x size x dtype x thread count, timed for
  wcinit, NumPy's in-place primitives (Philox and PCG64), the NumPy expression
  a user would write, ``torch.nn.init`` and ``ndarray.fill`` (the memory-bus
  ceiling); elements/s, wcinit's speed ratio to each peer, fraction of fill;
* ``memory``: peak extra memory of one call (tracemalloc, and the RSS
  high-water mark of a fresh subprocess);
* ``overhead``: time per call on a (16, 16) float32 array;
* ``threads``: normal_ on the largest float32 array with 1 and all threads.

Nothing here is asserted: the numbers are reported, never tested.
"""
import argparse
import datetime
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:
    import wcinit
except ImportError:  # not installed: use the checkout this script lives in
    sys.path.insert(0, str(HERE.parent))
    import wcinit

# ---- what is benchmarked ------------------------------------------------------

INITS = ["uniform_", "normal_", "kaiming_normal_", "xavier_uniform_", "trunc_normal_",
         "orthogonal_", "sparse_"]
SECTIONS = ["memory", "overhead", "threads"]
TIERS = ["4K", "1M", "16M"]
# Shapes of each size tier; orthogonal_ (a QR per call) and sparse_ (a loop
# over columns in torch and NumPy) have their own, moderate, sizes.
TIER_SHAPES = {"4K": (64, 64), "1M": (1024, 1024), "16M": (4096, 4096)}
SPECIAL_SHAPES = {
    "orthogonal_": {"4K": None, "1M": (512, 512), "16M": (2048, 2048)},
    "sparse_": {"4K": (64, 64), "1M": (1024, 1024), "16M": (4096, 4096)},
}
SPARSITY, SPARSE_STD = 0.1, 0.01
# Peers in table order: key, column title.
PEERS = [("wcinit", "wcinit"), ("np_philox", "np.Philox"), ("np_pcg64", "np.PCG64"),
         ("np_user", "np.user"), ("torch", "torch"), ("fill", "fill")]
RATIO_PEERS = ["np_philox", "np_pcg64", "np_user", "torch"]
UNIFORM_FAMILY = {"uniform_", "xavier_uniform_"}
# The in-place NumPy primitives do a different amount of work than these.
NO_PRIMITIVE = {"orthogonal_", "sparse_"}
SUMMARY_INITS = ["normal_", "kaiming_normal_", "uniform_", "trunc_normal_"]
OVERHEAD_INITS = ["uniform_", "normal_", "kaiming_normal_"]
OVERHEAD_SHAPE = (16, 16)
MEMORY_IMPLS = [
    # key, description; every target is float32 and allocated before the call
    ("wcinit.normal_", "wcinit.normal_(a)"),
    ("wcinit.trunc_normal_", "wcinit.trunc_normal_(a)"),
    ("np.standard_normal_out", "rng.standard_normal(out=a, dtype=float32)"),
    ("np.normal", "rng.normal(size=shape)"),
    ("np.normal_astype", "rng.normal(size=shape).astype(float32)"),
    ("torch.normal_", "torch.nn.init.normal_(t)"),
    ("torch.trunc_normal_", "torch.nn.init.trunc_normal_(t)"),
]
ENV_NOTES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ENV_RECORD = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
              "MKL_NUM_THREADS", "GOTO_NUM_THREADS")


def _log(*args):
    print(*args, flush=True)


# ---- machine ------------------------------------------------------------------

def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _cpuinfo():
    model, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model is None:
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model or platform.processor() or platform.machine(), flags


def _git_commit():
    """The checkout's HEAD commit, read from .git without running git."""
    git = HERE.parent / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        if (git / ref).exists():
            return (git / ref).read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        pass
    return None


class _Blas:
    """NumPy's OpenBLAS, found in the process's maps: thread count and core name.

    Only the thread count is changed (to the benchmark's thread count, for the
    QR of orthogonal_); OPENBLAS_CORETYPE and friends are left alone.
    """

    def __init__(self):
        import ctypes
        self.lib = self._set = self._get = None
        self.corename = self.config = None
        self.path = None
        try:
            with open("/proc/self/maps") as f:
                paths = sorted({ln.split()[-1] for ln in f
                                if "openblas" in ln.rsplit("/", 1)[-1].lower()})
        except OSError:
            paths = []
        for path in paths:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            self.lib, self.path = lib, path
            break
        if self.lib is None:
            return

        def sym(*names):
            for n in names:
                try:
                    return getattr(self.lib, n)
                except AttributeError:
                    continue
            return None

        self._set = sym("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                        "openblas_set_num_threads64_", "openblas_set_num_threads")
        self._get = sym("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                        "openblas_get_num_threads64_", "openblas_get_num_threads")
        if self._set is not None:
            self._set.argtypes = [ctypes.c_int]
            self._set.restype = None
        if self._get is not None:
            self._get.restype = ctypes.c_int
        for attr, names in (("corename", ("scipy_openblas_get_corename64_",
                                          "scipy_openblas_get_corename",
                                          "openblas_get_corename64_", "openblas_get_corename")),
                            ("config", ("scipy_openblas_get_config64_",
                                        "scipy_openblas_get_config",
                                        "openblas_get_config64_", "openblas_get_config"))):
            fn = sym(*names)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                try:
                    setattr(self, attr, fn().decode(errors="replace").strip())
                except Exception:  # pragma: no cover - foreign library
                    pass

    @property
    def controllable(self):
        return self._set is not None

    def get(self):
        return self._get() if self._get is not None else None

    def set(self, n):
        if self._set is not None:
            self._set(int(n))


def machine_info(torch, blas):
    model, flags = _cpuinfo()
    try:
        import scipy
        scipy_version = scipy.__version__
    except ImportError:
        scipy_version = None
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu_model": model,
        "cpu_flags": sorted(f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw",
                                        "avx512dq", "avx512vl") if f in flags),
        "cores_affinity": _cpu_count(),
        "cores_online": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "torch": getattr(torch, "__version__", None) if torch is not None else None,
        "scipy": scipy_version,
        "wcinit": getattr(wcinit, "__version__", None),
        "wcinit_commit": _git_commit(),
        "wcinit_simd": wcinit.get_simd(),
        "wcinit_simd_paths": list(wcinit.simd_paths()),
        "wcinit_default_threads": wcinit.get_num_threads(),
        "openblas_corename": blas.corename,
        "openblas_config": blas.config,
        "openblas_threads_controllable": blas.controllable,
        "env": {k: os.environ[k] for k in ENV_RECORD if k in os.environ},
        "loadavg_start": list(load) if load else None,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


# ---- timing -------------------------------------------------------------------

def measure(fn, repeat, budget=3.0, min_sample=0.02):
    """Best of up to ``repeat`` samples after one warm-up call.

    A sample times ``loops`` back-to-back calls (enough for ~min_sample
    seconds, for small arrays) and keeps the time per call.  Slow calls get
    fewer samples: at most about ``budget`` seconds are spent after warm-up,
    but always at least one sample.
    """
    pc = time.perf_counter
    t0 = pc()
    fn()
    warm = pc() - t0
    loops, est = 1, warm
    if warm < min_sample:  # calibrate on warm calls, as timeit.autorange
        while True:
            t0 = pc()
            for _ in range(loops):
                fn()
            dt = pc() - t0
            if dt >= min_sample or loops >= 1 << 20:
                break
            loops *= 2 if dt > 0 else 10
        est = dt / loops
    n = max(1, min(repeat, int(budget / max(est * loops, 1e-9))))
    samples = []
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(n):
            t0 = pc()
            for _ in range(loops):
                fn()
            samples.append((pc() - t0) / loops)
    finally:
        if enabled:
            gc.enable()
    return {"seconds": min(samples), "samples": samples, "loops": loops, "warmup_s": warm}


def per_call_median(fn, calls):
    """Median wall time of single calls (timer overhead included)."""
    for _ in range(min(1000, max(10, calls // 10))):
        fn()
    pc = time.perf_counter
    ts = [0.0] * calls
    enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(calls):
            t0 = pc()
            fn()
            ts[i] = pc() - t0
    finally:
        if enabled:
            gc.enable()
    return statistics.median(ts)


# ---- the peers ----------------------------------------------------------------

def _fans(shape):
    rf = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * rf, shape[0] * rf


def _np_name(dtype):
    return np.dtype(dtype).name


def _trunc_reject(rng, shape, dtype, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """Truncated normal by rejection, as a user without SciPy writes it."""
    x = rng.normal(mean, std, size=shape)
    bad = (x < a) | (x > b)
    n = int(np.count_nonzero(bad))
    while n:
        x[bad] = rng.normal(mean, std, size=n)
        bad = (x < a) | (x > b)
        n = int(np.count_nonzero(bad))
    return x.astype(dtype, copy=False)


def _orthogonal_user(rng, shape, dtype):
    rows = shape[0]
    cols = math.prod(shape) // rows
    work = dtype if np.dtype(dtype) in (np.float32, np.float64) else np.float32
    a = rng.standard_normal((rows, cols) if rows >= cols else (cols, rows), dtype=work)
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diagonal(r))
    if rows < cols:
        q = q.T
    return q.reshape(shape).astype(dtype, copy=False)


def _sparse_user(rng, shape, dtype, sparsity=SPARSITY, std=SPARSE_STD):
    rows, cols = shape
    w = rng.normal(0.0, std, size=shape).astype(dtype, copy=False)
    nz = math.ceil(sparsity * rows)
    for j in range(cols):
        w[rng.permutation(rows)[:nz], j] = 0
    return w


def _numpy_user(name, rng, shape, dtype):
    """(expression text, callable): the NumPy code a user writes for ``name``."""
    dn = _np_name(dtype)
    cast = "" if dn == "float64" else f".astype({dn})"
    fan_in, fan_out = _fans(shape)
    if name == "uniform_":
        return (f"rng.uniform(0.0, 1.0, size=shape){cast}",
                lambda: rng.uniform(0.0, 1.0, size=shape).astype(dtype, copy=False))
    if name == "normal_":
        return (f"rng.normal(0.0, 1.0, size=shape){cast}",
                lambda: rng.normal(0.0, 1.0, size=shape).astype(dtype, copy=False))
    if name == "kaiming_normal_":
        def f():
            std = math.sqrt(2.0) / math.sqrt(fan_in)
            return rng.normal(0.0, std, size=shape).astype(dtype, copy=False)
        return f"rng.normal(0.0, sqrt(2)/sqrt(fan_in), size=shape){cast}", f
    if name == "xavier_uniform_":
        def f():
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-bound, bound, size=shape).astype(dtype, copy=False)
        return f"rng.uniform(-b, b, size=shape){cast}, b = sqrt(6/(fan_in+fan_out))", f
    if name == "trunc_normal_":
        try:
            from scipy.stats import truncnorm
        except ImportError:
            return (f"rejection: rng.normal(0, 1, shape), redraw outside [-2, 2]{cast}",
                    lambda: _trunc_reject(rng, shape, dtype))
        return (f"scipy.stats.truncnorm.rvs(-2, 2, size=shape, random_state=rng){cast}",
                lambda: truncnorm.rvs(-2.0, 2.0, size=shape, random_state=rng)
                .astype(dtype, copy=False))
    if name == "orthogonal_":
        return ("q, r = np.linalg.qr(rng.standard_normal(shape, dtype)); q *= sign(diag(r))",
                lambda: _orthogonal_user(rng, shape, dtype))
    if name == "sparse_":
        return (f"rng.normal(0, 0.01, shape){cast}; per column w[rng.permutation(rows)[:nz], j] = 0",
                lambda: _sparse_user(rng, shape, dtype))
    raise KeyError(name)


def _call_args(name):
    """Positional/keyword arguments shared by wcinit and torch (defaults otherwise)."""
    if name == "sparse_":
        return (SPARSITY,), {"std": SPARSE_STD}
    return (), {}


def _torch_dtype(torch, dtype):
    return {"float32": torch.float32, "float64": torch.float64,
            "float16": torch.float16}.get(_np_name(dtype))


def _peers(name, arr, tensor, torch):
    """Ordered {key: (expression, callable or None, why skipped)} for one case."""
    shape, dtype, dn = arr.shape, arr.dtype, _np_name(arr.dtype)
    args, kwargs = _call_args(name)
    argtext = "".join(f", {a!r}" for a in args) + "".join(f", {k}={v!r}" for k, v in kwargs.items())
    wc = getattr(wcinit, name)
    out = {"wcinit": (f"wcinit.{name}(a{argtext})", lambda: wc(arr, *args, **kwargs), None)}
    prim_ok = dn in ("float32", "float64") and name not in NO_PRIMITIVE
    for key, bitgen in (("np_philox", np.random.Philox), ("np_pcg64", np.random.PCG64)):
        g = np.random.Generator(bitgen(12345))
        if not prim_ok:
            why = ("not comparable (the initializer does more than one draw)"
                   if name in NO_PRIMITIVE else f"NumPy has no {dn} sampler")
            out[key] = (None, None, why)
        elif name in UNIFORM_FAMILY:
            out[key] = (f"Generator({bitgen.__name__}()).random(out=a, dtype={dn})",
                        (lambda g=g: g.random(out=arr, dtype=dtype)), None)
        else:
            out[key] = (f"Generator({bitgen.__name__}()).standard_normal(out=a, dtype={dn})",
                        (lambda g=g: g.standard_normal(out=arr, dtype=dtype)), None)
    expr, fn = _numpy_user(name, np.random.default_rng(12345), shape, dtype)
    out["np_user"] = (expr, fn, None)
    if torch is None:
        out["torch"] = (None, None, "torch not installed (or --no-torch)")
    elif tensor is None:
        out["torch"] = (None, None, f"torch has no {dn}")
    else:
        tf = getattr(torch.nn.init, name)
        out["torch"] = (f"torch.nn.init.{name}(t{argtext})",
                        lambda: tf(tensor, *args, **kwargs), None)
    out["fill"] = ("a.fill(0.5)", lambda: arr.fill(0.5), None)
    return out


# ---- sections -----------------------------------------------------------------

class Context:
    def __init__(self, args, torch, blas):
        self.args, self.torch, self.blas = args, torch, blas
        # --quick times single calls; otherwise small arrays are timed in loops
        self.min_sample = 0.0 if args.quick else 0.02

    def set_threads(self, n):
        wcinit.set_num_threads(n)
        if self.torch is not None:
            self.torch.set_num_threads(n)
        self.blas.set(n)


def _shape_for(name, tier):
    if isinstance(tier, tuple):
        return tier
    return SPECIAL_SHAPES.get(name, TIER_SHAPES)[tier]


def _fmt_shape(shape):
    return "x".join(str(s) for s in shape)


def _fmt_rate(r):
    if r is None:
        return "-"
    return f"{r / 1e9:.3g}"


def _fmt_ratio(x):
    return "-" if x is None else f"{x:.3g}x"


def _fmt_bytes(b):
    if b is None:
        return "-"
    sign = "-" if b < 0 else ""
    b = abs(b)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if b < 1024 or unit == "GiB":
            return f"{sign}{b:.0f} {unit}" if unit == "B" else f"{sign}{b:.1f} {unit}"
        b /= 1024


_HEAD = (f"{'init':<16}{'shape':>10} {'dtype':<8}{'thr':>3} |"
         + "".join(f"{t:>10}" for _, t in PEERS) + " |"
         + "".join(f"{'/' + t:>11}" for k, t in PEERS if k in RATIO_PEERS) + " |" + f"{'of fill':>8}")


def _row_text(r):
    rates = "".join(f"{_fmt_rate(r['peers'][k].get('elements_per_s')):>10}" for k, _ in PEERS)
    ratios = "".join(f"{_fmt_ratio(r['ratios'].get(k)):>11}" for k in RATIO_PEERS)
    frac = r["fraction_of_fill"]
    frac = "-" if frac is None else f"{100 * frac:.1f}%"
    return (f"{r['init']:<16}{_fmt_shape(r['shape']):>10} {r['dtype']:<8}{r['threads']:>3} |"
            f"{rates} |{ratios} |{frac:>8}")


def bench_case(ctx, name, shape, dtype, nthreads):
    torch = ctx.torch
    arr = np.empty(shape, dtype=dtype)
    arr.fill(0.0)  # fault the pages in before any timing
    tensor = None
    if torch is not None:
        td = _torch_dtype(torch, dtype)
        if td is not None:
            tensor = torch.empty(shape, dtype=td)
            tensor.fill_(0.0)
    ctx.set_threads(nthreads)
    numel = arr.size
    peers = {}
    for key, (expr, fn, why) in _peers(name, arr, tensor, torch).items():
        entry = {"expr": expr}
        if fn is None:
            entry["skipped"] = why
        else:
            try:
                m = measure(fn, ctx.args.repeat, budget=ctx.args.budget,
                            min_sample=ctx.min_sample)
            except Exception as e:  # a peer that cannot do this case is reported, not fatal
                entry["error"] = f"{type(e).__name__}: {e}"
            else:
                entry.update(m)
                entry["elements_per_s"] = numel / m["seconds"]
        peers[key] = entry
    wc = peers["wcinit"].get("elements_per_s")
    ratios = {}
    for k in RATIO_PEERS:
        p = peers[k].get("elements_per_s")
        ratios[k] = wc / p if wc and p else None
    fill = peers["fill"].get("elements_per_s")
    return {"init": name, "shape": list(shape), "numel": numel, "dtype": _np_name(dtype),
            "threads": nthreads, "peers": peers, "ratios": ratios,
            "fraction_of_fill": wc / fill if wc and fill else None}


def run_main_table(ctx, inits, tiers, dtypes, threads):
    _log("\n== Speed: elements/s in units of 1e9 (G el/s); /peer = wcinit speed / peer speed "
         "(>1: wcinit faster); of fill = wcinit speed / a.fill(0.5) speed")
    _log(_HEAD)
    _log("-" * len(_HEAD))
    rows = []
    for name in inits:
        for tier in tiers:
            shape = _shape_for(name, tier)
            if shape is None:
                continue
            for dtype in dtypes:
                for n in threads:
                    r = bench_case(ctx, name, shape, dtype, n)
                    rows.append(r)
                    _log(_row_text(r))
                    errs = [f"{k}: {v['error']}" for k, v in r["peers"].items() if "error" in v]
                    for e in errs:
                        _log(f"    ! {e}")
    return rows


def print_summary(rows, threads):
    """The headline: the largest float32 arrays of the element-wise initializers."""
    f32 = [r for r in rows if r["dtype"] == "float32" and r["init"] in SUMMARY_INITS]
    if not f32:
        return
    big = max(r["numel"] for r in f32)
    sel = [r for r in f32 if r["numel"] == big]
    sel.sort(key=lambda r: (SUMMARY_INITS.index(r["init"]), r["threads"]))
    _log(f"\n== Summary: {_fmt_shape(sel[0]['shape'])} float32")
    head = (f"{'init':<16}{'thr':>3} {'wcinit G el/s':>14}{'/torch':>9}{'/np.user':>10}"
            f"{'/np.PCG64':>11}{'/np.Philox':>12}{'of fill':>9}")
    _log(head)
    _log("-" * len(head))
    for r in sel:
        frac = r["fraction_of_fill"]
        _log(f"{r['init']:<16}{r['threads']:>3} "
             f"{_fmt_rate(r['peers']['wcinit'].get('elements_per_s')):>14}"
             f"{_fmt_ratio(r['ratios']['torch']):>9}{_fmt_ratio(r['ratios']['np_user']):>10}"
             f"{_fmt_ratio(r['ratios']['np_pcg64']):>11}{_fmt_ratio(r['ratios']['np_philox']):>12}"
             f"{'-' if frac is None else f'{100 * frac:.1f}%':>9}")


# -- memory


def _vm(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_hwm():
    """Reset the RSS high-water mark (Linux >= 4.0); True if it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _ru_maxrss():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024


def _mem_target(impl, shape, torch):
    if impl.startswith("torch."):
        t = torch.empty(shape, dtype=torch.float32)
        t.fill_(0.0)
        return t
    a = np.empty(shape, dtype=np.float32)
    a.fill(0.0)
    return a


def _mem_fn(impl, target, shape, torch):
    """The call measured for one memory impl; returns what it allocates (kept alive)."""
    if impl == "wcinit.normal_":
        return lambda: wcinit.normal_(target)
    if impl == "wcinit.trunc_normal_":
        return lambda: wcinit.trunc_normal_(target)
    rng = np.random.default_rng(0)
    if impl == "np.standard_normal_out":
        return lambda: rng.standard_normal(out=target, dtype=np.float32)
    if impl == "np.normal":
        return lambda: rng.normal(size=shape)
    if impl == "np.normal_astype":
        return lambda: rng.normal(size=shape).astype(np.float32)
    if impl == "torch.normal_":
        return lambda: torch.nn.init.normal_(target)
    if impl == "torch.trunc_normal_":
        return lambda: torch.nn.init.trunc_normal_(target)
    raise KeyError(impl)


def _memory_child(spec_json):
    """Run in a fresh interpreter: one call, RSS high-water mark around it."""
    spec = json.loads(spec_json)
    impl, shape, threads = spec["impl"], tuple(spec["shape"]), spec["threads"]
    torch = None
    wcinit.set_num_threads(threads)
    if impl.startswith("torch."):
        import torch
        torch.set_num_threads(threads)
    # warm-up on a small array: thread pools, lazy imports, allocator arenas
    small = (256, 1024)
    _mem_fn(impl, _mem_target(impl, small, torch), small, torch)()
    gc.collect()
    reset = _reset_hwm()
    m0 = _ru_maxrss()                      # before allocating the target
    target = _mem_target(impl, shape, torch)
    nbytes = math.prod(shape) * 4
    fn = _mem_fn(impl, target, shape, torch)
    gc.collect()
    rss_before = _vm("VmRSS")              # with the target resident
    reset2 = _reset_hwm()
    result = fn()
    m1 = _ru_maxrss()
    hwm = _vm("VmHWM")
    del result
    out = {
        "impl": impl, "shape": list(shape), "threads": threads, "target_bytes": nbytes,
        "ru_maxrss_before": m0, "ru_maxrss_after": m1,
        # the brief's recipe: high-water after allocating + filling, minus
        # before, minus the target array itself
        "extra_ru_maxrss": m1 - m0 - nbytes,
        "hwm_reset": bool(reset and reset2),
        "extra_rss_hwm": (hwm - rss_before) if (reset2 and hwm is not None
                                                and rss_before is not None) else None,
    }
    sys.stdout.write(json.dumps(out) + "\n")


# The measuring interpreter is started by a small relay interpreter, not by the
# benchmark process: a process inherits, through fork + exec, the RSS high-water
# mark of its parent in ru_maxrss (the kernel's signal->maxrss, which
# /proc/self/clear_refs does not reset), and the benchmark process is large.
_CHILD_CODE = "import runpy, sys; runpy.run_path(sys.argv[1])['_memory_child'](sys.argv[2])"
_RELAY_CODE = ("import subprocess, sys; "
               "sys.exit(subprocess.run([sys.executable, '-c'] + sys.argv[1:]).returncode)")


def _memory_subprocess(impl, shape, threads):
    spec = json.dumps({"impl": impl, "shape": list(shape), "threads": threads})
    try:
        p = subprocess.run([sys.executable, "-c", _RELAY_CODE, _CHILD_CODE,
                            str(HERE / "bench.py"), spec],
                           capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"exit {p.returncode}: {tail}"}
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"unreadable output: {p.stdout[-200:]!r}"}


def _memory_tracemalloc(impl, shape, torch):
    target = _mem_target(impl, shape, torch)
    fn = _mem_fn(impl, target, shape, torch)
    fn()  # warm-up outside the trace
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        cur0, _ = tracemalloc.get_traced_memory()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak - cur0


def run_memory(ctx, tiers, nthreads):
    shapes = []
    for tier in tiers:
        s = _shape_for("normal_", tier)
        if s is not None and math.prod(s) >= 1 << 20 and s not in shapes:
            shapes.append(s)
    if not shapes:
        shapes = [TIER_SHAPES["1M"]]
    _log(f"\n== Memory: peak extra bytes of one call on a float32 array, the array itself "
         f"excluded ({nthreads} threads)")
    _log("   tracemalloc: Python/NumPy allocations in this process (torch's allocator is "
         "invisible to it);")
    _log("   RSS HWM: VmHWM - VmRSS around the call in a fresh subprocess (high-water mark reset "
         "just before it);")
    _log("   ru_maxrss: getrusage high-water after allocating + calling, minus before, "
         "minus the array")
    head = (f"{'call':<44}{'shape':>10}{'array':>11}{'tracemalloc':>13}{'RSS HWM':>12}"
            f"{'ru_maxrss':>12}{'B/elem':>8}")
    _log(head)
    _log("-" * len(head))
    rows = []
    for shape in shapes:
        for impl, desc in MEMORY_IMPLS:
            if impl.startswith("torch.") and ctx.torch is None:
                continue
            row = {"impl": impl, "call": desc, "shape": list(shape), "dtype": "float32",
                   "target_bytes": math.prod(shape) * 4}
            try:
                row["extra_tracemalloc"] = _memory_tracemalloc(impl, shape, ctx.torch)
            except Exception as e:
                row["extra_tracemalloc"] = None
                row["tracemalloc_error"] = f"{type(e).__name__}: {e}"
            sub = _memory_subprocess(impl, shape, nthreads)
            row["subprocess"] = sub
            row["extra_rss_hwm"] = sub.get("extra_rss_hwm")
            row["extra_ru_maxrss"] = sub.get("extra_ru_maxrss")
            best = row["extra_rss_hwm"] if row["extra_rss_hwm"] is not None \
                else row["extra_ru_maxrss"]
            per = f"{best / math.prod(shape):.2f}" if best is not None else "-"
            _log(f"{desc:<44}{_fmt_shape(shape):>10}{_fmt_bytes(row['target_bytes']):>11}"
                 f"{_fmt_bytes(row['extra_tracemalloc']):>13}{_fmt_bytes(row['extra_rss_hwm']):>12}"
                 f"{_fmt_bytes(row['extra_ru_maxrss']):>12}{per:>8}")
            if "error" in sub:
                _log(f"    ! subprocess: {sub['error']}")
            rows.append(row)
    return rows


# -- call overhead


def run_overhead(ctx, calls, nthreads):
    torch = ctx.torch
    ctx.set_threads(nthreads)
    shape = OVERHEAD_SHAPE
    arr = np.empty(shape, dtype=np.float32)
    tensor = torch.empty(shape, dtype=torch.float32) if torch is not None else None
    floor = per_call_median(lambda: None, calls)
    _log(f"\n== Call overhead: {_fmt_shape(shape)} float32, median of {calls} single calls, "
         f"us/call (timer + lambda floor {floor * 1e6:.3f} us included)")
    head = (f"{'init':<18}{'wcinit':>9}{'torch':>9}{'np.user':>9}{'np.prim':>9}"
            f"{'torch/wcinit':>14}{'np.user/wcinit':>16}")
    _log(head)
    _log("-" * len(head))
    rows = []
    for name in OVERHEAD_INITS:
        rng = np.random.default_rng(0)
        g = np.random.Generator(np.random.PCG64(0))
        expr, user = _numpy_user(name, rng, shape, np.float32)
        wc = getattr(wcinit, name)
        impls = {"wcinit": (f"wcinit.{name}(a)", lambda: wc(arr))}
        if tensor is not None:
            tf = getattr(torch.nn.init, name)
            impls["torch"] = (f"torch.nn.init.{name}(t)", lambda: tf(tensor))
        impls["np_user"] = (expr, user)
        if name in UNIFORM_FAMILY:
            impls["np_prim"] = ("Generator(PCG64()).random(out=a, dtype=float32)",
                                lambda: g.random(out=arr, dtype=np.float32))
        else:
            impls["np_prim"] = ("Generator(PCG64()).standard_normal(out=a, dtype=float32)",
                                lambda: g.standard_normal(out=arr, dtype=np.float32))
        us = {k: per_call_median(fn, calls) * 1e6 for k, (_, fn) in impls.items()}
        row = {"init": name, "shape": list(shape), "dtype": "float32", "calls": calls,
               "threads": nthreads, "us_per_call": us,
               "exprs": {k: e for k, (e, _) in impls.items()}}
        rows.append(row)

        def cell(k):
            return f"{us[k]:.2f}" if k in us else "-"

        def ratio(k):
            return f"{us[k] / us['wcinit']:.2f}x" if k in us else "-"
        _log(f"{name:<18}{cell('wcinit'):>9}{cell('torch'):>9}{cell('np_user'):>9}"
             f"{cell('np_prim'):>9}{ratio('torch'):>14}{ratio('np_user'):>16}")
    return {"timer_floor_us": floor * 1e6, "rows": rows}


# -- threads scaling


def run_threads(ctx, tiers, all_threads):
    shapes = [_shape_for("normal_", t) for t in tiers]
    shape = max((s for s in shapes if s is not None), key=math.prod)
    _log(f"\n== Threads: normal_ {_fmt_shape(shape)} float32, 1 vs {all_threads} threads "
         "(G el/s)")
    if all_threads < 2:
        _log("   only one CPU available: skipped")
        return {"skipped": "one CPU"}
    arr = np.empty(shape, dtype=np.float32)
    arr.fill(0.0)
    torch = ctx.torch
    tensor = None
    if torch is not None:
        tensor = torch.empty(shape, dtype=torch.float32)
        tensor.fill_(0.0)
    out = {"shape": list(shape), "dtype": "float32", "threads": [1, all_threads]}
    impls = [("wcinit", lambda: wcinit.normal_(arr))]
    if tensor is not None:
        impls.append(("torch", lambda: torch.nn.init.normal_(tensor)))
    for key, fn in impls:
        rates = {}
        for n in (1, all_threads):
            ctx.set_threads(n)
            m = measure(fn, ctx.args.repeat, budget=ctx.args.budget,
                        min_sample=ctx.min_sample)
            rates[n] = arr.size / m["seconds"]
        speedup = rates[all_threads] / rates[1]
        out[key] = {"elements_per_s": {str(k): v for k, v in rates.items()}, "speedup": speedup}
        _log(f"   {key:<8} 1 thread {_fmt_rate(rates[1]):>7}   {all_threads} threads "
             f"{_fmt_rate(rates[all_threads]):>7}   speedup {speedup:.2f}x")
    return out


# ---- command line -------------------------------------------------------------

def _default_json(quick):
    """benchmarks/results/ beside this script, whatever the working directory."""
    return HERE / "results" / ("quick.json" if quick else "latest.json")


def _parse_list(text):
    return [t.strip() for t in text.split(",") if t.strip()]


def _parse_sizes(text):
    out = []
    for tok in _parse_list(text):
        up = tok.upper()
        if up in TIER_SHAPES:
            out.append(up)
            continue
        try:
            shape = tuple(int(x) for x in tok.lower().split("x"))
        except ValueError:
            shape = ()
        if len(shape) < 2 or any(s <= 0 for s in shape):
            raise argparse.ArgumentTypeError(
                f"size {tok!r}: use 4K, 1M, 16M or a shape such as 512x512")
        out.append(shape)
    return out


def _parse_threads(text, ncpu):
    out = []
    for tok in _parse_list(text):
        n = ncpu if tok.lower() in ("all", "max") else int(tok)
        if n < 1:
            raise argparse.ArgumentTypeError(f"threads must be >= 1, got {n}")
        if n not in out:
            out.append(n)
    return out


def build_parser():
    p = argparse.ArgumentParser(
        prog="python benchmarks/bench.py",
        description="Time wcinit against NumPy and torch.nn.init side by side "
                    "(see benchmarks/README.md).")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1M sizes only, 1 repeat after the warm-up, fewer "
                        "overhead calls; JSON to benchmarks/results/quick.json unless --json")
    p.add_argument("--sizes", default=None,
                   help="comma list of 4K, 1M, 16M (tiers) or shapes like 512x512 "
                        "(default 4K,1M,16M; --quick: 1M)")
    p.add_argument("--dtypes", default="float32,float64",
                   help="comma list of float32, float64, float16 (default float32,float64)")
    p.add_argument("--threads", default="1,all",
                   help="comma list of thread counts, 'all' = CPUs in this process's "
                        "affinity (default 1,all)")
    p.add_argument("--only", default=None,
                   help="comma list of initializers (" + ", ".join(INITS) + ") and/or "
                        "sections (" + ", ".join(SECTIONS) + "); default: everything")
    p.add_argument("--no-torch", action="store_true", help="skip the torch columns")
    p.add_argument("--json", default=None, metavar="PATH",
                   help="where to write the JSON results (default "
                        "benchmarks/results/latest.json; 'none' to skip)")
    p.add_argument("--repeat", type=int, default=None,
                   help="best of N timed samples after one warm-up call (default 5; "
                        "--quick: 1); slow cases get fewer, see --budget")
    p.add_argument("--budget", type=float, default=3.0,
                   help="seconds of timed samples per measurement beyond which fewer "
                        "repeats are taken (default 3)")
    p.add_argument("--calls", type=int, default=None,
                   help="calls for the (16, 16) overhead medians (default 20000; --quick: 2000)")
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    ncpu = _cpu_count()
    try:
        tiers = _parse_sizes(args.sizes if args.sizes is not None
                             else ("1M" if args.quick else ",".join(TIERS)))
        threads = _parse_threads(args.threads, ncpu)
    except (argparse.ArgumentTypeError, ValueError) as e:
        parser.error(str(e))
    dtypes = []
    for d in _parse_list(args.dtypes):
        if d not in ("float32", "float64", "float16"):
            parser.error(f"dtype {d!r}: use float32, float64 or float16")
        dtypes.append(np.dtype(d))
    only = set(_parse_list(args.only)) if args.only else None
    if only is not None:
        unknown = only - set(INITS) - set(SECTIONS)
        if unknown:
            parser.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from "
                         f"{', '.join(INITS + SECTIONS)}")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    calls = args.calls if args.calls is not None else (2000 if args.quick else 20000)
    inits = [n for n in INITS if only is None or n in only]
    sections = [s for s in SECTIONS if only is None or s in only]
    json_path = None if (args.json or "").lower() == "none" else (
        Path(args.json) if args.json else _default_json(args.quick))

    notes = []
    torch = None
    if args.no_torch:
        notes.append("torch skipped (--no-torch)")
    else:
        try:
            import torch
        except ImportError:
            notes.append("torch is not installed: torch columns skipped "
                         "(pip install torch==2.13.0 for the comparison)")
    blas = _Blas()
    machine = machine_info(torch, blas)
    saved = {"wcinit": wcinit.get_num_threads(),
             "torch": torch.get_num_threads() if torch is not None else None,
             "blas": blas.get()}

    for k in ENV_NOTES:
        if k in os.environ:
            notes.append(f"{k}={os.environ[k]} is set in the environment: it slows NumPy's "
                         "OpenBLAS (the QR of orthogonal_ in wcinit and in the NumPy column); "
                         "left unchanged (see benchmarks/README.md)")
    if not blas.controllable:
        notes.append("NumPy's BLAS thread count could not be set: orthogonal_'s QR uses "
                     "its default")
    load = machine["loadavg_start"]
    if load and load[0] > 0.5:
        notes.append(f"load average {load[0]:.2f} at start: other processes use the CPU, "
                     "timings are noisy")
    if machine["torch"] and not str(machine["torch"]).startswith("2.13.0"):
        notes.append(f"torch {machine['torch']} (the reference is 2.13.0)")

    _log(f"wcinit benchmark  {machine['date']}")
    _log(f"CPU: {machine['cpu_model']}  ({machine['cores_affinity']} CPUs in affinity, "
         f"{machine['cores_online']} online; {' '.join(machine['cpu_flags'])})")
    _log(f"wcinit {machine['wcinit']} (commit {str(machine['wcinit_commit'])[:10]}), "
         f"SIMD path {machine['wcinit_simd']}; python {machine['python']}, "
         f"numpy {machine['numpy']}, torch {machine['torch']}, scipy {machine['scipy']}; "
         f"OpenBLAS core {machine['openblas_corename']}")
    _log(f"threads {threads}, dtypes {[d.name for d in dtypes]}, sizes "
         f"{[t if isinstance(t, str) else _fmt_shape(t) for t in tiers]}, repeat {args.repeat} "
         f"(best of, after a warm-up; budget {args.budget:g} s)")
    for n in notes:
        _log(f"note: {n}")

    ctx = Context(args, torch, blas)
    result = {"machine": machine, "notes": notes, "complete": False,
              "config": {"quick": args.quick, "sizes": [t if isinstance(t, str) else list(t)
                                                        for t in tiers],
                         "dtypes": [d.name for d in dtypes], "threads": threads,
                         "repeat": args.repeat, "budget_s": args.budget, "calls": calls,
                         "inits": inits, "sections": sections,
                         "argv": list(sys.argv[1:] if argv is None else argv)}}
    t_start = time.perf_counter()
    timing = result["section_seconds"] = {}

    def section(key, fn, *a):
        t0 = time.perf_counter()
        result[key] = fn(*a)
        timing[key] = round(time.perf_counter() - t0, 2)

    try:
        if inits:
            section("results", run_main_table, ctx, inits, tiers, dtypes, threads)
            print_summary(result["results"], threads)
        if "threads" in sections:
            section("threads_scaling", run_threads, ctx, tiers, ncpu)
        if "memory" in sections:
            section("memory", run_memory, ctx, tiers, max(threads))
        if "overhead" in sections:
            section("overhead", run_overhead, ctx, calls, max(threads))
        result["complete"] = True
    except KeyboardInterrupt:
        _log("\ninterrupted: writing the partial results")
    finally:
        wcinit.set_num_threads(saved["wcinit"])
        if torch is not None:
            torch.set_num_threads(saved["torch"])
        if saved["blas"]:
            blas.set(saved["blas"])
        try:
            result["machine"]["loadavg_end"] = list(os.getloadavg())
        except OSError:
            pass
        result["elapsed_s"] = time.perf_counter() - t_start
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(result, indent=1, default=str) + "\n")
            _log(f"\nJSON: {json_path}")
        _log(f"elapsed {result['elapsed_s']:.0f} s ("
             + ", ".join(f"{k} {v:.0f} s" for k, v in timing.items()) + ")")
    return 0 if result["complete"] else 130


if __name__ == "__main__":
    sys.exit(main())

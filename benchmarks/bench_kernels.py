#!/usr/bin/env python3
"""How close each kernel is to the machine: cycles per element per stage.

``python benchmarks/bench_kernels.py [--ghz F] [--reps N] [--dram-mb M] [--quick]``

Sections (one thread, the SIMD path in use unless ``--simd`` names another):

* **stages**: cycles per element of the raw Philox words alone, then of each
  transform on top (uniform, normal, trunc_normal; float32, float64, float16,
  bfloat16), on a cache-resident array (256 KiB of output), and the port-bound
  limit of the Philox words for the path in use (the model below);
* **memory**: ``uniform_`` float32 against ``ndarray.fill`` and ``memset``
  (``np.zeros``-free: ``ctypes.memset``) on a cache-resident and a DRAM-sized
  array (``--dram-mb``, default 4x the last-level cache, at least 64 MB), on
  touched memory and on first touch (a fresh ``np.empty`` each call, so the
  page faults are inside the timing; a cache-sized ``np.empty`` usually gets
  malloc's recycled, already touched pages, a DRAM-sized one fresh mmap pages);
* **streaming**: ``uniform_`` and the raw words on the DRAM-sized array with
  ordinary stores and with streaming stores (``WCINIT_NT_THRESHOLD=0``, in a
  fresh interpreter, since the threshold is read once per process).

Cycles are wall time times the clock (``--ghz``; default the largest
``cpu MHz`` of /proc/cpuinfo, which on a turbo CPU or a VM may be off: pass the
real clock).  Every number is the best of ``--reps`` calls, and the
before/after pairs are interleaved in one process.  Nothing is asserted.

Port-bound model of the Philox4x32-10 words (per round, per vector of blocks;
uop port assignments from uops.info for Skylake-X/Ice Lake and Zen):

* avx512: 8 blocks (32 words) per zmm chain; per round 2 vpmuludq, 1 vpsrlq,
  1 vpshufd, 2 vpternlogq = 6 uops on the two 512-bit ports (p0, p5):
  10 * 6 / 2 / 32 = 0.94 cycles per word;
* avx2: 4 blocks (16 words) per ymm chain; per round 2 vpmuludq, 1 vpsrlq,
  1 vpshufd, 4 vpxor = 8 uops on three vector ports: 10 * 8 / 3 / 16 = 1.67;
* scalar: per block (4 words) and round 2 64-bit multiplies on the one
  multiplier port: 10 * 2 / 4 = 5.0 cycles per word (a lower bound).
A float32 element takes one word, a float64 element two.
"""
import argparse
import ctypes
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:
    import wcinit
except ImportError:  # the checkout, not installed
    sys.path.insert(0, str(HERE.parent))
    import wcinit
from wcinit import _core

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # bfloat16 rows are skipped
    BF16 = None

PORT_BOUND = {"avx512": 0.94, "avx2": 1.67, "scalar": 5.0}  # cycles per Philox word


def clock_ghz():
    mhz = []
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("cpu MHz"):
                mhz.append(float(line.split(":")[1]))
    except OSError:
        pass
    return max(mhz) / 1000 if mhz else 3.0


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def llc_bytes():
    best = (0, 0)
    base = Path("/sys/devices/system/cpu/cpu0/cache")
    for d in sorted(base.glob("index*")):
        try:
            if (d / "type").read_text().startswith("Instruction"):
                continue
            level = int((d / "level").read_text())
            s = (d / "size").read_text().strip()
            size = int(s[:-1]) * {"K": 1024, "M": 1 << 20}[s[-1]] if s[-1] in "KM" else int(s)
            best = max(best, (level, size))
        except (OSError, ValueError):
            continue
    return best[1] or 32 << 20


def best_of(fn, reps):
    fn()
    t = float("inf")
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - s)
    return t


def raw_words(out_u32, gen):
    _core._raw(out_u32, gen)


def stages(ghz, reps):
    path = wcinit.get_simd()
    n_bytes = 256 << 10
    g = wcinit.Generator(1)
    rows = []
    w = np.empty(n_bytes // 4, np.uint32)
    t_raw = best_of(lambda: raw_words(w, g), reps)
    c_word = t_raw * ghz * 1e9 / w.size
    rows.append(("Philox words (raw)", "uint32", c_word, None))
    dts = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)]
    if BF16 is not None:
        dts.append(BF16)
    fills = {
        "uniform_": lambda x: wcinit.uniform_(x, -1.0, 1.0, generator=g),
        "normal_": lambda x: wcinit.normal_(x, 0.0, 1.0, generator=g),
        "trunc_normal_": lambda x: wcinit.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0, generator=g),
    }
    for name, f in fills.items():
        for dt in dts:
            x = np.empty(n_bytes // dt.itemsize, dt)
            t = best_of(lambda: f(x), reps)
            c = t * ghz * 1e9 / x.size
            words = 2 if dt == np.float64 else 1
            rows.append((name, str(dt), c, c - words * c_word))
    print(f"## stages: cycles per element, one thread, path {path}, {ghz:.2f} GHz, "
          f"{n_bytes >> 10} KiB of output (cache-resident)\n")
    print("| stage | dtype | cycles/el | transform + store (cycles/el beyond the words) |")
    print("|---|---|---|---|")
    for name, dt, c, extra in rows:
        print(f"| {name} | {dt} | {c:.2f} | {'' if extra is None else f'{extra:+.2f}'} |")
    pb = PORT_BOUND.get(path)
    if pb:
        print(f"\nPort-bound limit of the Philox words on {path}: {pb:.2f} cycles/word "
              f"(model in the module docstring); measured {c_word:.2f}, "
              f"i.e. {pb / c_word:.0%} of the port-bound rate.")
        model = cpu_model()
        if "intel" not in model.lower():
            print(f"Note: the model's port assignments are Intel's (uops.info); this CPU is "
                  f"{model or 'unknown'}, whose vector ports differ, and the cycles above are "
                  f"wall time x {ghz:.2f} GHz: on a VM or a turbo CPU pass the real clock "
                  f"(--ghz) before reading the percentage as a limit.")
        print()


def memory(ghz, reps, dram):
    llc = llc_bytes()
    g = wcinit.Generator(2)
    print(f"## memory: float32, one thread (last-level cache {llc >> 20} MiB)\n")
    print("| size | operation | touched G el/s | first touch G el/s |")
    print("|---|---|---|---|")
    for label, nbytes in (("256 KiB (cache)", 256 << 10), (f"{dram >> 20} MiB (DRAM)", dram)):
        n = nbytes // 4
        x = np.zeros(n, np.float32)
        ops = {
            "uniform_": lambda a: wcinit.uniform_(a, -1.0, 1.0, generator=g),
            "normal_": lambda a: wcinit.normal_(a, 0.0, 1.0, generator=g),
            "ndarray.fill": lambda a: a.fill(1.0),
            "memset": lambda a: ctypes.memset(a.ctypes.data, 0, a.nbytes),
        }
        r = max(1, reps if nbytes < (64 << 20) else reps // 3)
        for name, op in ops.items():
            touched = best_of(lambda: op(x), r)
            fresh = best_of(lambda: op(np.empty(n, np.float32)), r)
            print(f"| {label} | {name} | {n / touched * 1e-9:.2f} | {n / fresh * 1e-9:.2f} |")
    print()


_NT_CHILD = r"""
import sys, time, numpy as np, wcinit
from wcinit import _core
wcinit.set_num_threads(int(sys.argv[2]))
n, reps = int(sys.argv[1]) // 4, int(sys.argv[3])
x = np.zeros(n, np.float32); g = wcinit.Generator(3)
def best(f):
    f(); t = float("inf")
    for _ in range(reps):
        s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
    return n / t * 1e-9
print(best(lambda: wcinit.uniform_(x, -1.0, 1.0, generator=g)),
      best(lambda: _core._raw(x.view(np.uint32), g)),
      best(lambda: x.fill(1.0)))
"""


def streaming(reps, dram):
    print(f"## streaming stores: {dram >> 20} MiB float32, G el/s (best of {reps}, "
          "interleaved fresh interpreters)\n")
    print("| threads | stores | uniform_ | raw words | ndarray.fill (1 thread) |")
    print("|---|---|---|---|---|")
    for threads in (1, min(2, os.cpu_count() or 1)):
        res = {"ordinary": [], "streaming": []}
        for _ in range(2):
            for kind, thr in (("ordinary", None), ("streaming", "0")):
                env = dict(os.environ)
                env.pop("WCINIT_NT_THRESHOLD", None)
                if thr is not None:
                    env["WCINIT_NT_THRESHOLD"] = thr
                out = subprocess.run([sys.executable, "-c", _NT_CHILD, str(dram), str(threads),
                                      str(reps)], env=env, capture_output=True, text=True,
                                     check=True).stdout.split()
                res[kind].append([float(v) for v in out])
        for kind, runs in res.items():
            b = [max(r[i] for r in runs) for i in range(3)]
            print(f"| {threads} | {kind} | {b[0]:.2f} | {b[1]:.2f} | {b[2]:.2f} |")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ghz", type=float, default=None, help="core clock (default /proc/cpuinfo)")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--dram-mb", type=int, default=None)
    ap.add_argument("--simd", default=None, help="scalar, avx2 or avx512 (default: the best)")
    ap.add_argument("--quick", action="store_true", help="few repetitions, 64 MB DRAM array")
    ap.add_argument("--only", default="stages,memory,streaming")
    a = ap.parse_args()
    ghz = a.ghz or clock_ghz()
    reps = 3 if a.quick else a.reps
    dram = (a.dram_mb << 20) if a.dram_mb else (64 << 20 if a.quick else max(4 * llc_bytes(), 64 << 20))
    if a.simd:
        wcinit.set_simd(a.simd)
    wcinit.set_num_threads(1)
    only = set(a.only.split(","))
    print(f"# bench_kernels: wcinit {wcinit.__version__}, numpy {np.__version__}, "
          f"path {wcinit.get_simd()} (of {', '.join(wcinit.simd_paths())})\n")
    if "stages" in only:
        stages(ghz, reps)
    if "memory" in only:
        memory(ghz, reps, dram)
    if "streaming" in only:
        streaming(max(3, reps // 5), dram)


if __name__ == "__main__":
    main()

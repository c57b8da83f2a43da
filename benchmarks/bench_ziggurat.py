"""Is a ziggurat worth adopting for normal_?  (issue 12, item 6: "measure before
deciding"; adopt only at a gain of 20% or more over Box-Muller.)

Compiles benchmarks/ziggurat_probe.c with gcc once per SIMD path this CPU runs
(scalar, avx2, avx512: ``wcinit.simd_paths()``), with the flags setup.py gives
that path, and runs it: per element, on the same Philox words, the library's
Box-Muller transform (kern.h as it is) against a complete 256-layer ziggurat
(fast path by scalar table loads or vector gathers, whichever is faster;
rejections resolved from a second, element-keyed counter space), plus the
ziggurat's fast path alone, both ways. Prints one table; the "whole fill"
columns add the Philox words, which both methods use one per element.

    python benchmarks/bench_ziggurat.py [--reps 2000] [--cc gcc]

The probe also checks its own values' moments (mean 0, E x^2 = 1, E x^4 = 3),
so that what is timed is a real sampler, not only its fast path.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
try:
    import wcinit
except ImportError:  # the checkout, not installed
    sys.path.insert(0, str(HERE.parent))
    import wcinit
CSRC = HERE.parent / "csrc"
BASE = ["-std=c11", "-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math",
        "-Wall", "-Wextra", "-Wno-unused-function", f"-I{CSRC}"]
PATHS = {  # as setup.py's per-file flags
    "scalar": [],
    "avx2": ["-mavx2", "-mfma", "-mf16c", "-DPROBE_AVX2"],
    "avx512": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma", "-DPROBE_AVX512"],
}


def run_probe(cc, path, reps, tmp):
    exe = os.path.join(tmp, f"probe_{path}")
    subprocess.run([cc, *BASE, *PATHS[path], str(HERE / "ziggurat_probe.c"), "-o", exe, "-lm"],
                   check=True)
    out = subprocess.run([exe, str(reps)], check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        k, *v = line.split()
        res[k] = v
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    a = ap.parse_args(argv)
    paths = wcinit.simd_paths()  # what this CPU and OS run, as the library dispatches
    print("| path | words | Box-Muller | ziggurat fast path: scalar loads | by gathers | ziggurat | rejected "
          "| whole fill: BM | whole fill: ziggurat | gain | gain bound | moments (sigma) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for path in PATHS:
            if path not in paths:
                print(f"| {path} | not run: not among wcinit.simd_paths() here |||||||||||")
                continue
            r = run_probe(a.cc, path, a.reps, tmp)
            w, bm, zs, zgt, zg = (float(r[k][0]) for k in
                                  ("words", "bm", "zig-fast-scalar", "zig-fast-gather", "zig"))
            zf = min(zs, zgt)
            n, m1, m2, m4 = (float(x) for x in r["moments"])
            # standard errors of the sample moments of N(0, 1): var x = 1,
            # var x^2 = 2, var x^4 = 105 - 9 = 96
            sig = (m1 / math.sqrt(1 / n), (m2 - 1) / math.sqrt(2 / n), (m4 - 3) / math.sqrt(96 / n))
            gain = (w + bm) / (w + zg)
            bound = (w + bm) / (w + zf)
            print(f"| {path} | {w:.3f} | {bm:.3f} | {zs:.3f} | {zgt:.3f} | {zg:.3f} | {float(r['reject'][0]):.2%} "
                  f"| {w + bm:.3f} | {w + zg:.3f} | {gain:.2f}x | {bound:.2f}x | "
                  + " ".join(f"{s:+.1f}" for s in sig) + " |")
    print("\nns per element, best of --reps, one thread, 16384 elements (cache-resident). "
          "gain = whole-fill Box-Muller time / whole-fill ziggurat time; gain bound = the same "
          "with the rejections free (the fast path alone): no slow path, however vectorized, "
          "does better.  The issue's rule adopts the ziggurat at a gain of 1.20x or more.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

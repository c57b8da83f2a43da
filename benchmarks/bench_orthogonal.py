#!/usr/bin/env python3
"""orthogonal_ side by side with torch.nn.init.orthogonal_, in one process.

``python benchmarks/bench_orthogonal.py [--shapes 1024x1024,4096x1024,...]
[--dtypes float32,float64] [--threads 1,2] [--repeat N]``

For every shape x dtype x thread count, three contenders are timed
interleaved (one call of each in turn, ``--repeat`` rounds, best time kept, so
a load spike on a shared machine hits all three alike):

* ``wcinit``: ``wcinit.orthogonal_`` (CholeskyQR2, wcinit/_linalg.py);
* ``householder``: what orthogonal_ did before: the same wcinit normal draw,
  then SciPy's Householder QR (geqrf/orgqr) and the sign fix, with the BLAS
  limited to the same thread count;
* ``torch``: ``torch.nn.init.orthogonal_`` on a torch tensor (MKL's LAPACK),
  ``torch.set_num_threads`` set to the thread count.

Printed: best milliseconds and the ratios torch/wcinit and torch/householder
(> 1: faster than torch).  Nothing is asserted.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:
    import wcinit
except ImportError:  # not installed: use the checkout this script lives in
    sys.path.insert(0, str(HERE.parent))
    import wcinit

import scipy.linalg
from threadpoolctl import threadpool_limits


def householder(shape, dtype, threads):
    rows = shape[0]
    cols = int(np.prod(shape)) // rows
    a = wcinit.normal_(np.empty((rows, cols), dtype), generator=1)
    if rows < cols:
        a = a.T
    with threadpool_limits(threads, user_api="blas"):
        q, r = scipy.linalg.qr(a, mode="economic", overwrite_a=True, check_finite=False)
    q *= np.sign(np.diagonal(r))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shapes", default="1024x1024,4096x1024,1024x4096,2048x2048,4096x4096")
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-householder", action="store_true", help="skip the before column")
    args = p.parse_args(argv)
    import torch

    shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
    dtypes = args.dtypes.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    print(f"# torch {torch.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"wcinit {wcinit.__version__}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"# best of {args.repeat}, interleaved; ratio = torch time / contender time")
    print(f"{'shape':>11} {'dtype':>8} {'thr':>3} {'wcinit ms':>10} {'hh ms':>9} "
          f"{'torch ms':>9} {'torch/wcinit':>12} {'torch/hh':>9}")
    for nt in threads:
        old_w, old_t = wcinit.get_num_threads(), torch.get_num_threads()
        wcinit.set_num_threads(nt)
        torch.set_num_threads(nt)
        try:
            for shape in shapes:
                for name in dtypes:
                    dt = np.dtype(name)
                    tt = getattr(torch, name)
                    arr = np.empty(shape, dt)
                    ten = torch.empty(shape, dtype=tt)
                    fns = {"wcinit": lambda: wcinit.orthogonal_(arr, generator=1),
                           "torch": lambda: torch.nn.init.orthogonal_(ten)}
                    if not args.no_householder:
                        fns["hh"] = lambda: householder(shape, dt, nt)
                    best = {k: float("inf") for k in fns}
                    for f in fns.values():  # warm-up
                        f()
                    for _ in range(args.repeat):
                        for k, f in fns.items():
                            t0 = time.perf_counter()
                            f()
                            best[k] = min(best[k], time.perf_counter() - t0)
                    hh = best.get("hh", float("nan"))
                    print(f"{'x'.join(map(str, shape)):>11} {name:>8} {nt:>3} "
                          f"{best['wcinit'] * 1e3:10.1f} {hh * 1e3:9.1f} {best['torch'] * 1e3:9.1f} "
                          f"{best['torch'] / best['wcinit']:12.2f} {best['torch'] / hh:9.2f}",
                          flush=True)
        finally:
            wcinit.set_num_threads(old_w)
            torch.set_num_threads(old_t)


if __name__ == "__main__":
    main()

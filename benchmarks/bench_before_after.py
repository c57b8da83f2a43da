#!/usr/bin/env python3
"""Before/after: an older build of wcinit, this one and torch.nn.init, in one process.

``python benchmarks/bench_before_after.py OLD_CHECKOUT [--threads 1,2] [--size 4096]
[--only uniform_,normal_] [--rounds 3]``

``OLD_CHECKOUT`` is a source tree of an earlier wcinit with its extension built
in place, e.g.::

    git worktree add /tmp/old f496076      # or: git archive f496076 | tar -x -C /tmp/old
    (cd /tmp/old && python setup.py build_ext --inplace)
    python benchmarks/bench_before_after.py /tmp/old

Its ``wcinit`` package is copied to a temporary directory under the name
``wcold`` and imported beside the current ``wcinit``, so both builds and torch
run in the same process, on the same arrays' sizes, interleaved: each round
times the current build, the old one and torch (best of ``--repeat`` calls
each), and the best of ``--rounds`` rounds is printed -- a load spike on a
shared machine hits all three alike.  Nothing is asserted.
"""
import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:
    import wcinit
except ImportError:  # the checkout, not installed
    sys.path.insert(0, str(HERE.parent))
    import wcinit

DEFAULT = "uniform_,normal_,trunc_normal_,xavier_uniform_,kaiming_normal_,kaiming_uniform_"


def best(f, repeat):
    b = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        b = min(b, time.perf_counter() - t)
    return b


def load_old(checkout):
    src = Path(checkout) / "wcinit"
    if not any(src.glob("_core*.so")) and not any(src.glob("_core*.pyd")):
        sys.exit(f"bench_before_after: {src} has no built _core extension "
                 "(run `python setup.py build_ext --inplace` there)")
    tmp = Path(tempfile.mkdtemp(prefix="wcold-"))
    shutil.copytree(src, tmp / "wcold")
    sys.path.insert(0, str(tmp))
    import wcold  # noqa: E402  (the copied package; its imports are relative)
    return wcold


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old", help="a source tree of the older wcinit, extension built in place")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--size", type=int, default=4096, help="square side (default 4096)")
    p.add_argument("--only", default=DEFAULT)
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-torch", action="store_true")
    a = p.parse_args()
    old = load_old(a.old)
    torch = None
    if not a.no_torch:
        try:
            import torch
        except ImportError:
            pass
    n = a.size
    print(f"# {n}x{n}; old = {a.old} (wcinit {getattr(old, '__version__', '?')}), "
          f"now = wcinit {wcinit.__version__}; best of {a.rounds} interleaved rounds "
          f"x {a.repeat} calls")
    print(f"{'thr':>3} {'dtype':8} {'initializer':17} {'old':>6} {'now':>6} {'torch':>6}  G el/s"
          f"   now/old  now/torch")
    for nt in (int(t) for t in a.threads.split(",")):
        wcinit.set_num_threads(nt)
        old.set_num_threads(nt)
        if torch is not None:
            torch.set_num_threads(nt)
        for dname in a.dtypes.split(","):
            dt = np.dtype(dname)
            arr = np.zeros((n, n), dt)
            ten = torch.zeros((n, n), dtype=getattr(torch, dname)) if torch is not None else None
            for name in a.only.split(","):
                fn, fo = getattr(wcinit, name), getattr(old, name)
                tn = getattr(torch.nn.init, name) if torch is not None else None
                g1, g2 = wcinit.Generator(1), old.Generator(1)
                rows = []
                for _ in range(a.rounds):
                    rows.append((best(lambda: fn(arr, generator=g1), a.repeat),
                                 best(lambda: fo(arr, generator=g2), a.repeat),
                                 best(lambda: tn(ten), max(1, a.repeat // 2)) if tn else None))
                tw = min(r[0] for r in rows)
                to = min(r[1] for r in rows)
                tt = min(r[2] for r in rows) if tn else None
                el = n * n / 1e9
                ts = f"{el / tt:6.2f}" if tt else f"{'-':>6}"
                rt = f"{tt / tw:9.2f}" if tt else f"{'-':>9}"
                print(f"{nt:>3} {dname:8} {name:17} {el / to:6.2f} {el / tw:6.2f} {ts}"
                      f"          {to / tw:6.2f} {rt}", flush=True)


if __name__ == "__main__":
    main()

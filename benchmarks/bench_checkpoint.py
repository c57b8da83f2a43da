#!/usr/bin/env python3
"""Out-of-core checkpoint writing: wcinit.save_initialized against the disk itself.

``python benchmarks/bench_checkpoint.py [--gib 4] [--dir DIR] [--piece-mib 64]
[--formats safetensors,zarr,npy-dir] [--no-fsync] [--quick]``

For each format, a float32 model of ``--gib`` GiB (four equal 2-D tensors,
normal_ everywhere) is written to ``--dir`` in a fresh subprocess, which
reports its wall time and its peak RSS (VmHWM) before and after.  The
baseline is a ``dd``-style write of the same number of bytes to the same
directory: one reused buffer of the piece size, ``os.write`` in a loop.  Both
end with an fsync unless ``--no-fsync`` (then the page cache absorbs the
writes and the numbers say more about memory than about the disk).

GB/s are 10^9 bytes per second.  Nothing is asserted.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    import wcinit

    def hwm():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    class Leaf:
        def __init__(self, shape):
            self.shape, self.dtype = shape, np.dtype(np.float32)

    path, fmt, nbytes, piece, fsync = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
    if fmt == "zarr":
        import dask, dask.array, zarr  # imported before the baseline RSS is taken
    cols = 8192
    rows = max(1, nbytes // 4 // 4 // cols)
    spec = {f"layer{i}.weight": Leaf((rows, cols)) for i in range(4)}
    base = hwm()
    t0 = time.perf_counter()
    wcinit.save_initialized(path, spec, [("*", wcinit.normal_)], generator=1, format=fmt,
                            piece_bytes=piece, fsync=fsync and fmt != "zarr")
    if fsync and fmt == "zarr":
        os.sync()
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "bytes": 4 * rows * cols * 4, "base": base, "peak": hwm()}))
""")


def dd(path, nbytes, piece, fsync):
    buf = os.urandom(min(piece, 1 << 20)) * max(1, piece // (1 << 20))
    buf = buf[:piece]
    t0 = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        left = nbytes
        while left > 0:
            left -= os.write(fd, buf[:min(left, len(buf))])
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - t0


def rm(path):
    p = Path(path)
    if p.is_dir():
        import shutil
        shutil.rmtree(p)
    elif p.exists():
        p.unlink()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gib", type=float, default=4.0, help="checkpoint size in GiB (default 4)")
    ap.add_argument("--dir", default=None, help="directory to write in (default: a temp dir in .)")
    ap.add_argument("--piece-mib", type=int, default=64, help="piece size (default 64 MiB)")
    ap.add_argument("--formats", default="safetensors,zarr,npy-dir")
    ap.add_argument("--no-fsync", action="store_true")
    ap.add_argument("--quick", action="store_true", help="128 MiB, 16 MiB pieces: a smoke test")
    args = ap.parse_args(argv)
    if args.quick:
        args.gib, args.piece_mib = 0.125, 16
    nbytes = int(args.gib * (1 << 30))
    piece = args.piece_mib << 20
    fsync = not args.no_fsync
    workdir = Path(tempfile.mkdtemp(prefix="wcinit-bench-", dir=args.dir or "."))
    print(f"checkpoint {nbytes / 2**30:.3g} GiB float32, pieces {args.piece_mib} MiB, "
          f"fsync {'on' if fsync else 'off'}, in {workdir}")
    rows = []
    try:
        target = workdir / "dd.bin"
        t = dd(target, nbytes, piece, fsync)
        rm(target)
        rows.append(("dd-style write (os.write, one buffer)", nbytes / t / 1e9, None, t))
        for fmt in args.formats.split(","):
            target = workdir / {"safetensors": "m.safetensors", "zarr": "m.zarr",
                                "npy-dir": "m"}[fmt]
            out = subprocess.run([sys.executable, "-c", CHILD, str(target), fmt, str(nbytes),
                                  str(piece), "1" if fsync else "0"],
                                 capture_output=True, text=True)
            if out.returncode:
                print(f"{fmt}: failed\n{out.stderr}", file=sys.stderr)
                continue
            r = json.loads(out.stdout)
            rm(target)
            rows.append((f"save_initialized {fmt}", r["bytes"] / r["seconds"] / 1e9,
                         (r["peak"] - r["base"]) / 2**20, r["seconds"]))
    finally:
        rm(workdir)
    base = rows[0][1]
    print(f"{'writer':42s} {'GB/s':>7s} {'of dd':>7s} {'RSS growth MiB':>15s} {'s':>7s}")
    for name, gbs, rss, sec in rows:
        print(f"{name:42s} {gbs:7.2f} {gbs / base:6.0%} "
              f"{'-' if rss is None else f'{rss:.0f}':>15s} {sec:7.2f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""wcinit.dask on dask.distributed: throughput on 1 vs 2 worker processes, and
the per-task overhead against the chunk size.

``python benchmarks/bench_dask.py [--n 16384] [--chunk-mib 1,4,16,64,256]
[--wcinit-threads 1] [--repeat 3] [--quick]``

* **Throughput**: ``wcinit.dask.normal((n, n))`` (float32; 16384² = 1 GiB) in
  64 MiB row chunks, computed on a ``LocalCluster`` of 1 and of 2 worker
  processes (one thread each, loopback only).  Each chunk is reduced to one
  element on its worker, so what is timed is the fill (and the scheduling),
  not shipping 1 GiB to the client.  Reference: the same fill in memory
  (``wcinit.normal_`` with the same wcinit thread count, into a fresh array as
  a chunk task fills one, and into a warm one).  Each worker's
  wcinit pool gets ``--wcinit-threads`` threads (``WCINIT_NUM_THREADS``;
  default 1, so one process = one core).
* **Per-task overhead**: the same array in chunks of 1 to 256 MiB (whole rows),
  on the 2-process cluster and on the local threaded scheduler; overhead per
  task = (time - in-memory fill time at the same core count) / tasks.

Best of ``--repeat`` runs.  Nothing is asserted.
"""
import argparse
import os
import sys
import time

import numpy as np


def best(f, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        out.append(time.perf_counter() - t0)
    return min(out)


def tiny(block):
    return block[:1, :1].copy()


def reduced(x):
    return x.map_blocks(tiny, chunks=(1, 1), dtype=x.dtype)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=16384)
    ap.add_argument("--chunk-mib", default="1,4,16,64,256")
    ap.add_argument("--wcinit-threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="n=2048, chunks 1 and 4 MiB, 1 repeat")
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.chunk_mib, args.repeat = 2048, "1,4", 1
    os.environ["WCINIT_NUM_THREADS"] = str(args.wcinit_threads)
    import logging

    import dask
    import distributed
    import wcinit
    import wcinit.dask as wd

    n = args.n
    nbytes = n * n * 4
    row = n * 4
    wcinit.set_num_threads(args.wcinit_threads)
    mem = np.empty((n, n), np.float32)
    wcinit.normal_(mem, generator=1)  # first touch of the pages, outside the timing
    t_warm = best(lambda: wcinit.normal_(mem, generator=1), args.repeat)
    del mem
    # what a chunk task does: a fresh array (first touch of its pages) filled
    t_mem = best(lambda: wcinit.normal_(np.empty((n, n), np.float32), generator=1), args.repeat)
    print(f"normal {n}x{n} float32 ({nbytes / 2**30:.3g} GiB); wcinit threads per process: "
          f"{args.wcinit_threads}")
    print(f"in memory, one process, fresh array: {t_mem:.3f} s  ({nbytes / t_mem / 1e9:.2f} GB/s); "
          f"into a warm array: {t_warm:.3f} s  ({nbytes / t_warm / 1e9:.2f} GB/s)")

    def chunks_for(mib):
        return (max(1, (mib << 20) // row), n)

    results = {}
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None,
                                      silence_logs=logging.ERROR,
                                      env={"WCINIT_NUM_THREADS": str(args.wcinit_threads)}) as c, \
                distributed.Client(c) as client:
            client.wait_for_workers(workers, timeout=120)
            x = reduced(wd.normal((n, n), chunks=chunks_for(64), generator=1))
            x.compute()  # warm-up: imports on the workers
            t = best(lambda: x.compute(), args.repeat)
            results[workers] = t
            print(f"cluster, {workers} worker process(es), 64 MiB chunks: {t:.3f} s  "
                  f"({nbytes / t / 1e9:.2f} GB/s)")
            if workers == 2:
                print(f"  2 vs 1 workers: {results[1] / t:.2f}x")
                print(f"{'chunk MiB':>9s} {'tasks':>6s} {'cluster s':>10s} {'per task ms':>12s} "
                      f"{'threads s':>10s} {'per task ms':>12s}")
                for mib in [int(m) for m in args.chunk_mib.split(",")]:
                    arr = wd.normal((n, n), chunks=chunks_for(mib), generator=1)
                    tasks = arr.npartitions
                    y = reduced(arr)
                    y.compute()  # warm-up
                    tc = best(lambda: y.compute(), args.repeat)
                    with dask.config.set(scheduler="threads", num_workers=2):
                        tt = best(lambda: y.compute(), args.repeat)
                    # the in-memory reference at the same parallelism: 2 processes ~ 2 cores
                    ref = t_mem / 2 if args.wcinit_threads == 1 else t_mem
                    print(f"{mib:9d} {tasks:6d} {tc:10.3f} {(tc - ref) / tasks * 1e3:12.2f} "
                          f"{tt:10.3f} {(tt - ref) / tasks * 1e3:12.2f}")


if __name__ == "__main__":
    sys.exit(main())

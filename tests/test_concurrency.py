"""Concurrency (issue #4): threads, fork and KeyboardInterrupt.

* Many Python threads filling at once, on one shared Generator and on their own:
  no crash, no deadlock (every join has a timeout), and no two calls share random
  numbers -- each call reserves its own counter range, so the per-call outputs are
  exactly the pieces of one long stream, at the offsets the generator reported.
* Large fills (GIL released, thread pool) from several threads at once are each
  bit-identical to the same fill done alone, also while another thread switches the
  SIMD path and the thread count.
* fork() while another thread fills: the child can fill (the pool re-creates its
  threads) and exits 0 in time; the parent does not deadlock.
* KeyboardInterrupt during a huge fill (a documented failure mode).  The glue checks
  for signals between pieces of 2**24 elements.  When SIGINT arrives:
    - KeyboardInterrupt is raised from the fill call;
    - the elements of every piece finished before the check (logical indices
      [0, k * 2**24) for some k >= 1) hold their final values, the rest of the array
      is untouched;
    - the generator has advanced by the whole reservation (as if the fill had
      completed), so the next fill does not reuse the interrupted fill's numbers.
"""
import os
import random
import signal
import threading
import time

import numpy as np
import pytest

import wcinit
from wcinit import _core

JOIN_TIMEOUT = 120.0


# every test here changes threads and SIMD paths: conftest's fixtures put them back
pytestmark = pytest.mark.usefixtures("restore_threads", "restore_simd")


def run_threads(target, args_list, timeout=JOIN_TIMEOUT):
    """Run target(*args) on one daemon thread per args; fail on a timeout (deadlock)
    or re-raise the first exception of any thread."""
    errors = []

    def wrap(*args):
        try:
            target(*args)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=a, daemon=True) for a in args_list]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, f"threads still running after {timeout} s (deadlock?): {alive}"
    if errors:
        raise errors[0]


def blocks_f32(n):
    return -(-n // 64) * 16


def blocks_f64(n):
    return -(-n // 32) * 16


# ---- one shared generator, many threads ------------------------------------------------------

def _locate(calls, stream, unit, blocks_per_unit):
    """Map each call's output to its position in the single-call reference stream and
    check they tile [0, len(stream)) exactly once, consistent with the offsets seen."""
    tiles = stream.reshape(-1, unit)
    keys = np.ascontiguousarray(tiles[:, :2]).view(np.uint64).ravel() if tiles.dtype.itemsize == 4 \
        else np.ascontiguousarray(tiles[:, 0]).view(np.uint64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    assert np.all(sorted_keys[1:] != sorted_keys[:-1]), "the reference stream repeats a tile"
    intervals = []
    for before, after, out in calls:
        k = out[:2].view(np.uint64)[0] if out.dtype.itemsize == 4 else out[:1].view(np.uint64)[0]
        i = np.searchsorted(sorted_keys, k)
        assert i < len(sorted_keys) and sorted_keys[i] == k, "a call's output is not in the stream"
        tile = int(order[i])
        start = tile * unit
        assert np.array_equal(out.view(np.uint8),
                              stream[start:start + out.size].view(np.uint8)), \
            "a call's output is not one contiguous piece of the stream"
        first_block = tile * blocks_per_unit
        nblocks = out.size // unit * blocks_per_unit
        # the reservation happened between the two reads of the (monotonic) offset
        assert before <= first_block and first_block + nblocks <= after
        intervals.append((first_block, first_block + nblocks))
    intervals.sort()
    pos = 0
    for lo, hi in intervals:
        assert lo == pos, f"calls overlap or leave a gap at block {pos} (next call at {lo})"
        pos = hi
    return pos


@pytest.mark.parametrize("nthreads_pool", [1, 4])
def test_shared_generator_raw_calls_reserve_distinct_ranges(nthreads_pool):
    wcinit.set_num_threads(nthreads_pool)
    g = wcinit.Generator(2024, 7)
    sizes = [64, 128, 640, 4096, 8192, 65536, 262144]
    calls_per_thread = 30
    barrier = threading.Barrier(8)
    results = [[] for _ in range(8)]

    def worker(t):
        rnd = random.Random(t)
        barrier.wait(timeout=JOIN_TIMEOUT)
        for _ in range(calls_per_thread):
            out = np.empty(rnd.choice(sizes), np.uint32)
            before = g.offset
            _core._raw(out, g)
            after = g.offset
            results[t].append((before, after, out))

    run_threads(worker, [(t,) for t in range(8)])
    calls = [c for r in results for c in r]
    total_words = sum(c[2].size for c in calls)
    assert g.offset == total_words // 4
    # no duplicated blocks anywhere in the concatenation of all outputs
    allwords = np.concatenate([c[2] for c in calls]).reshape(-1, 4)
    assert len(np.unique(allwords.view(np.dtype((np.void, 16))))) == len(allwords)
    stream = np.empty(total_words, np.uint32)
    _core._raw(stream, wcinit.Generator(2024, 7))
    assert _locate(calls, stream, 64, 16) == g.offset


def test_shared_generator_normal_calls_reserve_distinct_ranges():
    g = wcinit.Generator(99)
    sizes = [32, 96, 4096, 4128, 8192, 2**17 + 32]  # multiples of 32: whole float64 tiles
    barrier = threading.Barrier(8)
    results = [[] for _ in range(8)]

    def worker(t):
        rnd = random.Random(100 + t)
        barrier.wait(timeout=JOIN_TIMEOUT)
        for _ in range(25):
            out = np.empty(rnd.choice(sizes))
            before = g.offset
            wcinit.normal_(out, generator=g)
            after = g.offset
            results[t].append((before, after, out))

    run_threads(worker, [(t,) for t in range(8)])
    calls = [c for r in results for c in r]
    total = sum(c[2].size for c in calls)
    assert g.offset == blocks_f64(total)
    stream = np.empty(total)
    wcinit.normal_(stream, generator=wcinit.Generator(99))
    assert _locate(calls, stream, 32, 16) == g.offset


def test_default_generator_shared_by_threads():
    """generator=None uses the module's default generator: same guarantees."""
    wcinit.manual_seed(5)
    results = [[] for _ in range(6)]

    def worker(t):
        for _ in range(20):
            out = np.empty(8192, np.uint32)
            before = wcinit.default_generator.offset
            _core._raw(out, None)
            results[t].append((before, wcinit.default_generator.offset, out))

    run_threads(worker, [(t,) for t in range(6)])
    calls = [c for r in results for c in r]
    stream = np.empty(sum(c[2].size for c in calls), np.uint32)
    _core._raw(stream, wcinit.Generator(5))
    assert _locate(calls, stream, 64, 16) == wcinit.default_generator.offset


# ---- own generators, many threads ---------------------------------------------------------------

def _program(seed):
    """A deterministic sequence of fills (all the random initializers) on one generator."""
    g = wcinit.Generator(seed)
    rnd = random.Random(seed)
    outs = []
    for _ in range(12):
        shape = (rnd.choice([3, 64, 300]), rnd.choice([5, 70, 129]))
        dtype = rnd.choice([np.float16, np.float32, np.float64])
        a = np.empty(shape, dtype)
        which = rnd.randrange(8)
        if which == 0:
            wcinit.uniform_(a, -1, 1, generator=g)
        elif which == 1:
            wcinit.normal_(a.T, 0.5, 2.0, generator=g)
        elif which == 2:
            wcinit.trunc_normal_(a[::-1], 0, 1, 25, 30, generator=g)
        elif which == 3:
            wcinit.kaiming_uniform_(a, generator=g)
        elif which == 4:
            wcinit.xavier_normal_(a, generator=g)
        elif which == 5:
            wcinit.sparse_(a, 0.3, generator=g)
        elif which == 6:
            wcinit.orthogonal_(a, generator=g)
        else:
            wcinit.kaiming_normal_(a, mode="fan_out", generator=g)
        outs.append(a)
    outs.append(g.offset)
    return outs


def test_threads_with_own_generators_match_serial():
    n = 8
    got = [None] * n
    barrier = threading.Barrier(n)

    def worker(t):
        barrier.wait(timeout=JOIN_TIMEOUT)
        got[t] = _program(1000 + t)

    run_threads(worker, [(t,) for t in range(n)])
    for t in range(n):
        want = _program(1000 + t)
        assert got[t][-1] == want[-1]
        for a, b in zip(got[t][:-1], want[:-1]):
            assert a.tobytes() == b.tobytes()


# ---- large fills at once ---------------------------------------------------------------------------

LARGE_JOBS = [
    ("normal f32 contiguous", (2**21,), np.float32,
     lambda a, g: wcinit.normal_(a, 0.0, 1.0, generator=g), lambda a: a),
    ("uniform f64 strided", (1024, 2048), np.float64,
     lambda a, g: wcinit.uniform_(a, -2.0, 3.0, generator=g), lambda a: a[:, ::2]),
    ("trunc f16 reversed", (2**20 + 77,), np.float16,
     lambda a, g: wcinit.trunc_normal_(a, 0, 1, -2, 2, generator=g), lambda a: a[::-1]),
    ("kaiming f32 transposed", (1536, 1024), np.float32,
     lambda a, g: wcinit.kaiming_normal_(a, generator=g), lambda a: a.T),
    ("xavier f64 deep tail", (1200, 1000), np.float64,
     lambda a, g: wcinit.trunc_normal_(a, 0, 1, 30, 35, generator=g), lambda a: a),
    ("raw u32", (2**21,), np.uint32, lambda a, g: _core._raw(a, g), lambda a: a),
]


def _do_large(job, seed):
    name, shape, dtype, fill, view = job
    base = np.full(shape, 7, dtype)
    g = wcinit.Generator(seed)
    fill(view(base), g)
    return base, g.offset


def test_large_fills_from_several_threads_match_alone():
    wcinit.set_num_threads(4)
    alone = [_do_large(job, 31 + i) for i, job in enumerate(LARGE_JOBS)]
    n = len(LARGE_JOBS)
    for _ in range(3):
        got = [None] * n
        barrier = threading.Barrier(n)

        def worker(i):
            barrier.wait(timeout=JOIN_TIMEOUT)
            got[i] = _do_large(LARGE_JOBS[i], 31 + i)

        run_threads(worker, [(i,) for i in range(n)])
        for i in range(n):
            assert got[i][1] == alone[i][1], LARGE_JOBS[i][0]
            assert got[i][0].tobytes() == alone[i][0].tobytes(), LARGE_JOBS[i][0]


def test_large_fills_while_switching_simd_and_threads():
    """Every SIMD path and thread count writes the same bits, so switching them while other
    threads fill cannot change any result."""
    alone = [_do_large(job, 77 + i) for i, job in enumerate(LARGE_JOBS[:4])]
    stop = threading.Event()
    paths = wcinit.simd_paths()

    def switcher():
        k = 0
        while not stop.is_set():
            wcinit.set_simd(paths[k % len(paths)])
            wcinit.set_num_threads(1 + k % 4)
            k += 1
            time.sleep(0.001)

    sw = threading.Thread(target=switcher, daemon=True)
    sw.start()
    try:
        got = [[None] * 4 for _ in range(2)]

        def worker(r, i):
            got[r][i] = _do_large(LARGE_JOBS[i], 77 + i)

        run_threads(worker, [(r, i) for r in range(2) for i in range(4)])
    finally:
        stop.set()
        sw.join(JOIN_TIMEOUT)
    assert not sw.is_alive()
    for r in range(2):
        for i in range(4):
            assert got[r][i][0].tobytes() == alone[i][0].tobytes(), LARGE_JOBS[i][0]


# ---- fork while filling -------------------------------------------------------------------------------

def _wait_child(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_fork_while_another_thread_fills():
    wcinit.set_num_threads(4)
    n = 2**21
    ref = np.empty(n, np.float32)
    wcinit.normal_(ref, generator=wcinit.Generator(3))
    ref_u = np.empty((512, 1024))
    wcinit.uniform_(ref_u[:, ::-1], generator=wcinit.Generator(4))
    stop = threading.Event()
    bg_count = [0]
    bg_errors = []

    def filler():
        a = np.empty(n, np.float32)
        try:
            while not stop.is_set():
                wcinit.normal_(a, generator=wcinit.Generator(3))
                if a.tobytes() != ref.tobytes():
                    bg_errors.append("background fill differs")
                bg_count[0] += 1
        except BaseException as e:  # noqa: BLE001
            bg_errors.append(repr(e))

    bg = threading.Thread(target=filler, daemon=True)
    bg.start()
    codes = []
    try:
        while bg_count[0] == 0 and bg.is_alive():
            time.sleep(0.001)
        for k in range(6):
            time.sleep(0.003 * k)  # land at different points of the background fill
            pid = os.fork()
            if pid == 0:  # child: only this thread exists; never return into pytest
                code = 3
                try:
                    a = np.empty(n, np.float32)
                    wcinit.normal_(a, generator=wcinit.Generator(3))  # parallel: new pool
                    u = np.empty((512, 1024))
                    wcinit.uniform_(u[:, ::-1], generator=wcinit.Generator(4))
                    code = 0 if (a.tobytes() == ref.tobytes()
                                 and u.tobytes() == ref_u.tobytes()) else 1
                finally:
                    os._exit(code)
            codes.append(_wait_child(pid, 30))
            if codes[-1] is None:
                break  # one hang is enough to fail; do not wait for five more
    finally:
        stop.set()
        bg.join(JOIN_TIMEOUT)
    assert not bg.is_alive(), "background filler deadlocked after fork"
    assert not bg_errors, bg_errors
    assert codes == [0] * 6, f"child exit codes (None = hung, killed after 30 s): {codes}"
    # the parent's pool still works
    a = np.empty(n, np.float32)
    wcinit.normal_(a, generator=wcinit.Generator(3))
    assert a.tobytes() == ref.tobytes()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_fork_child_of_child_can_fill():
    """The pool is rebuilt in the child, and again in a grandchild."""
    wcinit.set_num_threads(3)
    a = np.empty(2**20, np.float32)
    wcinit.normal_(a, generator=wcinit.Generator(8))  # the pool exists in the parent
    ref = a.tobytes()
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            b = np.empty(2**20, np.float32)
            wcinit.normal_(b, generator=wcinit.Generator(8))
            pid2 = os.fork()
            if pid2 == 0:
                c2 = 3
                try:
                    c = np.empty(2**20, np.float32)
                    wcinit.normal_(c, generator=wcinit.Generator(8))
                    c2 = 0 if c.tobytes() == ref else 1
                finally:
                    os._exit(c2)
            sub = _wait_child(pid2, 30)
            code = 0 if (sub == 0 and b.tobytes() == ref) else 1
        finally:
            os._exit(code)
    assert _wait_child(pid, 60) == 0, "child or grandchild failed or hung (exit code 1)"


# ---- KeyboardInterrupt during a huge fill (documented failure mode) ------------------------------

PIECE = 2**24  # WC_SIGNAL_CHUNK in csrc/pymodule.c


def test_keyboard_interrupt_during_huge_fill():
    n = 2**27  # 512 MB of float32: 8 pieces
    pieces = n // PIECE
    seed = 424242
    wcinit.set_num_threads(2)
    ref = np.empty(n, np.float32)
    t0 = time.monotonic()
    wcinit.normal_(ref, generator=wcinit.Generator(seed))
    t_fill = time.monotonic() - t0
    ref_u = ref.view(np.uint32)
    sentinel = np.float32(1234.5)
    arr = np.empty(n, np.float32)
    arr_u = arr.view(np.uint32)
    sent_u = np.array(sentinel).view(np.uint32)

    main = threading.main_thread().ident
    state = {"armed": False}

    def handler(signum, frame):
        if state["armed"]:
            state["armed"] = False
            raise KeyboardInterrupt

    # The trigger is not a timer (a loaded CI machine stretches any delay past
    # the fill): a watcher thread polls the first element of piece 1 and sends
    # SIGINT as soon as the C core has written it. The GIL is released while a
    # piece is filled, so the watcher runs; the signal is then seen between
    # pieces, after piece 1 or a later one, never after the last (retry then).
    def watcher(stop):
        while not stop.is_set():
            if arr_u[PIECE] != sent_u:
                signal.pthread_kill(main, signal.SIGINT)
                return
            time.sleep(0.0002)

    old = signal.signal(signal.SIGINT, handler)
    outcome = None
    try:
        for attempt in range(10):
            arr.fill(sentinel)
            g = wcinit.Generator(seed)
            stop = threading.Event()
            w = threading.Thread(target=watcher, args=(stop,))
            interrupted = False
            try:
                try:
                    state["armed"] = True
                    w.start()
                    wcinit.normal_(arr, generator=g)
                finally:
                    state["armed"] = False
            except KeyboardInterrupt:
                interrupted = True
            stop.set()
            w.join(JOIN_TIMEOUT)
            time.sleep(0.01)  # let a late signal reach the (now disarmed) handler
            if not interrupted:
                continue
            # which pieces were written?
            written = [np.array_equal(arr_u[i * PIECE:(i + 1) * PIECE],
                                      ref_u[i * PIECE:(i + 1) * PIECE]) for i in range(pieces)]
            k = written.index(False) if False in written else pieces
            if k == 0 or k == pieces:
                continue  # raised before the C fill began or after it ended: retry
            outcome = (k, written, g)
            break
    finally:
        signal.signal(signal.SIGINT, old)
    assert outcome is not None, f"could not interrupt a {t_fill:.2f} s fill mid-way in 10 tries"
    k, written, g = outcome
    # pieces [0, k) hold their final values; everything after is untouched
    assert all(written[:k])
    assert np.all(arr_u[k * PIECE:] == sent_u)
    # the generator advanced by the whole reservation
    assert g.offset == blocks_f32(n)
    # the pool and the generator still work: the next fill starts after the reservation
    nxt = np.empty(4096, np.float32)
    wcinit.normal_(nxt, generator=g)
    same = wcinit.fill_shard(np.empty(4096, np.float32), n, "normal",
                             generator=wcinit.Generator(seed))
    assert nxt.tobytes() == same.tobytes()
    again = np.empty(n, np.float32)
    wcinit.normal_(again, generator=wcinit.Generator(seed))
    assert again.tobytes() == ref.tobytes()

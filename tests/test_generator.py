"""The Generator's state, spawn and seeding, and the C enums the core exports.

Exact tests: every assertion compares bits or integers, no tolerance.
"""
import math

import numpy as np
import pytest

import wcinit
from wcinit import _core


# ---- the C enums, exported so Python does not repeat them -------------------------

TORCH_NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                        "leaky_relu", "selu"]


def test_nonlinearities_exported_with_their_gains():
    """Every torch.nn.init.calculate_gain name has a code, and the code gives the gain
    torch documents: tanh 5/3, relu sqrt(2), leaky_relu sqrt(2/(1+s^2)), selu 3/4, else 1."""
    nl = _core.NONLINEARITIES
    assert sorted(nl) == sorted(TORCH_NONLINEARITIES)
    assert sorted(nl.values()) == list(range(len(TORCH_NONLINEARITIES)))
    expected = {"tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 0.75,
                "leaky_relu": math.sqrt(2.0 / (1 + 0.2 ** 2))}
    for name, code in nl.items():
        assert _core._gain(code, 0.2) == expected.get(name, 1.0), name


def test_samplers_exported_and_used_by_fill():
    s = _core.SAMPLERS
    assert set(s) == {"uniform", "normal", "trunc_normal"}
    assert sorted(s.values()) == [0, 1, 2]
    # each code selects its sampler: the same bits as the public function
    for name, args, public in [
            ("uniform", (-2.0, 3.0, 0.0, 0.0), lambda a, g: wcinit.uniform_(a, -2.0, 3.0, generator=g)),
            ("normal", (1.0, 2.0, 0.0, 0.0), lambda a, g: wcinit.normal_(a, 1.0, 2.0, generator=g)),
            ("trunc_normal", (0.0, 1.0, -1.0, 0.5),
             lambda a, g: wcinit.trunc_normal_(a, 0.0, 1.0, -1.0, 0.5, generator=g))]:
        x = _core._fill(np.empty(300, np.float32), "t", s[name], *args, wcinit.Generator(4))
        y = public(np.empty(300, np.float32), wcinit.Generator(4))
        assert x.tobytes() == y.tobytes(), name


def test_exported_tables_are_read_only():
    with pytest.raises(TypeError):
        _core.SAMPLERS["uniform"] = 5
    with pytest.raises(TypeError):
        _core.NONLINEARITIES["relu"] = 0


# ---- state: the spawn counter is part of it ----------------------------------------

def _streams(kids):
    return [k.stream for k in kids]


def test_state_carries_the_spawn_counter():
    """A generator restored from get_state() spawns the children the saved one would
    have spawned next, never children already handed out."""
    g = wcinit.Generator(3, stream=8)
    issued = _streams(g.spawn(4))
    state = g.get_state()
    nxt = _streams(g.spawn(3))
    h = wcinit.Generator().set_state(state)
    assert h.spawned == 4
    again = _streams(h.spawn(3))
    assert again == nxt
    assert not set(again) & set(issued)


def test_pickle_carries_the_spawn_counter():
    import copy
    import pickle
    g = wcinit.Generator(12)
    wcinit.normal_(np.empty(10), generator=g)
    issued = _streams(g.spawn(5))
    for clone in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g), copy.copy(g)):
        assert (clone.initial_seed(), clone.stream, clone.offset, clone.spawned) == (12, 0, g.offset, 5)
        assert not set(_streams(clone.spawn(5))) & set(issued)


def test_set_state_reads_the_0_1_format():
    """wcinit 0.1's state: 32 bytes, magic wcPhx1, seed, stream, offset (little-endian);
    it has no spawn counter, which restores as 0 (what 0.1 did)."""
    old = b"wcPhx1\x00\x00" + (7).to_bytes(8, "little") + (3).to_bytes(8, "little") \
        + (160).to_bytes(8, "little")
    for state in (np.frombuffer(old, np.uint8), old):
        g = wcinit.Generator(99).set_state(state)
        assert (g.initial_seed(), g.stream, g.offset, g.spawned) == (7, 3, 160, 0)
    h = wcinit.Generator.__new__(wcinit.Generator)
    h.__setstate__(old)  # a 0.1 pickle
    assert (h.initial_seed(), h.stream, h.offset) == (7, 3, 160)


def test_state_layout():
    g = wcinit.Generator(0x0102030405060708, stream=9)
    wcinit.uniform_(np.empty(65, np.float32), generator=g)  # 2 tiles of 16 blocks
    g.spawn(2)
    want = (b"wcPhx2\x00\x00" + (0x0102030405060708).to_bytes(8, "little")
            + (9).to_bytes(8, "little") + (32).to_bytes(8, "little") + (2).to_bytes(8, "little"))
    assert g.get_state().tobytes() == want


@pytest.mark.parametrize("reseed", ["manual_seed", "seed"])
def test_reseeding_equals_a_fresh_generator(reseed):
    """manual_seed(s) (and seed()) leaves the generator exactly as Generator(s): stream 0,
    offset 0, no children spawned -- the same state, values and children."""
    g = wcinit.Generator(1, stream=77)
    wcinit.normal_(np.empty(1000), generator=g)
    g.spawn(3)
    s = 5 if reseed == "manual_seed" else None
    r = g.manual_seed(s) if s is not None else g.seed()
    s = g.initial_seed()
    if reseed == "manual_seed":
        assert r is g
    else:
        assert r == s
    fresh = wcinit.Generator(s)
    assert g.get_state().tobytes() == fresh.get_state().tobytes()
    assert _streams(g.spawn(2)) == _streams(fresh.spawn(2))
    assert wcinit.normal_(np.empty(100), generator=g).tobytes() == \
        wcinit.normal_(np.empty(100), generator=fresh).tobytes()


def test_spawn_counter_exhaustion_is_an_error_and_changes_nothing():
    g = wcinit.Generator(1)
    state = bytearray(g.get_state().tobytes())
    state[32:40] = (2**64 - 2).to_bytes(8, "little")
    g.set_state(bytes(state))
    with pytest.raises(OverflowError, match="spawn"):
        g.spawn(3)
    assert g.get_state().tobytes() == bytes(state)
    assert len(g.spawn(1)) == 1 and g.spawned == 2**64 - 1  # the last child index


# ---- the default generator: OS entropy at import, or WCINIT_SEED --------------------

_PROBE = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import numpy as np
    import wcinit
print(json.dumps({"seed": wcinit.initial_seed(),
                  "values": wcinit.normal_(np.empty(8)).tolist(),
                  "warnings": [f"{w.category.__name__}: {w.message}" for w in caught]}))
"""


def _probe(seed_env):
    import json
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "WCINIT_SEED"}
    if seed_env is not None:
        env["WCINIT_SEED"] = seed_env
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def test_default_generator_is_seeded_from_entropy():
    """As torch's default generator: two processes without a seed get different seeds
    and values (equal with probability 2**-64), and not torch's fixed Generator() seed."""
    a, b = _probe(None), _probe(None)
    assert a["seed"] != b["seed"] and a["values"] != b["values"]
    assert 67280421310721 not in (a["seed"], b["seed"])
    assert a["warnings"] == [] and b["warnings"] == []


@pytest.mark.parametrize("env,seed", [("5", 5), (" 1_000 ", 1000), ("-1", 2**64 - 1)])
def test_wcinit_seed_fixes_the_default_generator(env, seed):
    r = _probe(env)
    assert r["seed"] == seed
    assert r["values"] == wcinit.normal_(np.empty(8), generator=wcinit.Generator(seed)).tolist()
    assert r["warnings"] == []


@pytest.mark.parametrize("env", ["abc", "2**64", str(2**64), "1.5"])
def test_bad_wcinit_seed_warns_and_uses_entropy(env):
    a, b = _probe(env), _probe(env)
    for r in (a, b):
        assert len(r["warnings"]) == 1, r["warnings"]
        assert r["warnings"][0].startswith(f"RuntimeWarning: WCINIT_SEED={env!r} ignored")
        assert "entropy" in r["warnings"][0]
    assert a["seed"] != b["seed"]


def test_empty_wcinit_seed_means_unset():
    a, b = _probe(""), _probe("")
    assert a["warnings"] == [] and a["seed"] != b["seed"]


def test_reserve_is_atomic_and_positions_a_new_generator():
    """Generator._reserve(n) (what wcinit.dask plans use) hands out disjoint
    block ranges under threads, interleaved with in-place fills of the same
    generator: every range starts where no other did, and the generator ends
    advanced by exactly the sum of all reservations and fills."""
    import threading
    g = wcinit.Generator(11, stream=3)
    starts, lock = [], threading.Lock()
    per, n_threads, nblocks = 300, 6, 5

    def work(k):
        mine = []
        for _ in range(per):
            if k % 2:
                mine.append(g._reserve(nblocks).offset)
            else:
                wcinit.uniform_(np.empty(64 * nblocks, np.float32), generator=g)  # 5 tiles of 16 blocks
        with lock:
            starts.extend(mine)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n_res = per * (n_threads // 2)
    assert len(set(starts)) == n_res
    assert g.offset == n_res * nblocks + per * (n_threads - n_threads // 2) * 16 * nblocks
    h = wcinit.Generator(11, stream=3)._reserve(7)
    assert (h.initial_seed(), h.stream, h.offset) == (11, 3, 0)

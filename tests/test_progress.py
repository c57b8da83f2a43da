"""wcinit._progress: the progress= contract and chunked fills with progress.

fill_progress splits a fill into pieces addressed by fill_shard; the
element-addressed stream makes the pieces' bits those of one fill, which is
what these tests check exactly (no tolerance: the same bits or a failure).
"""
import io

import numpy as np
import pytest

import wcinit
from wcinit._progress import fill_progress, progress_bar

CASES = [("uniform", {"a": -0.5, "b": 2.0}), ("normal", {"mean": 0.1, "std": 0.02}),
         ("trunc_normal", {"mean": 0.0, "std": 1.0, "a": -1.5, "b": 2.0})]
ONE_SHOT = {"uniform": wcinit.uniform_, "normal": wcinit.normal_, "trunc_normal": wcinit.trunc_normal_}


@pytest.mark.parametrize("dist,params", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("chunk", [1, 37, 64, 1000, 10**6])
def test_pieces_give_the_bits_of_one_fill(dist, params, dtype, chunk):
    n = 3001 if chunk > 1 else 257
    whole = ONE_SHOT[dist](np.empty(n, dtype), generator=wcinit.Generator(42), **params)
    seen = []
    got = fill_progress(np.empty(n, dtype), dist, generator=wcinit.Generator(42), chunk=chunk,
                        progress=lambda done, total: seen.append((done, total)), **params)
    assert got.tobytes() == whole.tobytes()
    assert [t for _, t in seen] == [n] * len(seen)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and dones[-1] == n and len(dones) == -(-n // chunk)


def test_pieces_of_a_shard_and_of_a_strided_memmap(tmp_path):
    g = wcinit.Generator(7, stream=3)
    whole = wcinit.normal_(np.empty((40, 90), np.float32), generator=wcinit.Generator(7, stream=3))
    # a shard: rows 10..39 start at logical index 900
    shard = fill_progress(np.empty((30, 90), np.float32), "normal", generator=g, start=900,
                          chunk=500, progress=lambda d, t: None)
    assert shard.tobytes() == whole[10:].tobytes()
    # a Fortran-ordered memmap (not C-contiguous: filled by blocks of rows)
    mm = np.lib.format.open_memmap(tmp_path / "w.npy", mode="w+", dtype=np.float32,
                                   shape=(40, 90), fortran_order=True)
    fill_progress(mm, "normal", generator=g, chunk=200, progress=lambda d, t: None)
    mm.flush()
    assert np.array_equal(np.load(tmp_path / "w.npy"), whole)
    # a strided view
    base = np.zeros((40, 180), np.float32)
    fill_progress(base[:, ::2], "normal", generator=g, chunk=333, progress=lambda d, t: None)
    assert np.array_equal(base[:, ::2], whole) and not base[:, 1::2].any()
    assert g.offset == 0          # read, not advanced (fill_shard's contract)


def test_no_progress_is_one_fill_shard():
    a = fill_progress(np.empty(1000), "uniform", generator=wcinit.Generator(1))
    b = wcinit.fill_shard(np.empty(1000), 0, "uniform", generator=wcinit.Generator(1))
    assert a.tobytes() == b.tobytes()


def test_bad_input_leaves_the_array_untouched():
    a = np.full(500, 7.0)
    with pytest.raises(TypeError, match="fill_progress: progress must be"):
        fill_progress(a, "normal", generator=wcinit.Generator(1), progress=5)
    with pytest.raises(ValueError, match="fill_progress: progress must be"):
        fill_progress(a, "normal", generator=wcinit.Generator(1), progress="bar")
    with pytest.raises(ValueError, match="fill_progress: chunk must be positive"):
        fill_progress(a, "normal", generator=wcinit.Generator(1), chunk=0, progress=True)
    with pytest.raises(ValueError, match="fill_shard: distribution must be"):
        fill_progress(a, "cauchy", generator=wcinit.Generator(1), progress=lambda d, t: None)
    with pytest.raises(RuntimeError, match="uniform_ expects"):
        fill_progress(a, "uniform", a=2.0, b=1.0, generator=wcinit.Generator(1), chunk=100,
                      progress=lambda d, t: None)
    with pytest.raises(OverflowError, match="exceeds 2\\*\\*63"):
        fill_progress(a, "normal", start=2**63 - 100, generator=wcinit.Generator(1), chunk=100,
                      progress=lambda d, t: None)
    assert (a == 7.0).all()


def test_text_bar_and_tqdm(capsys):
    out = io.StringIO()
    from wcinit._progress import _TextBar
    with _TextBar(10, "work", stream=out) as bar:
        for i in range(10):
            bar(i + 1)
    text = out.getvalue()
    assert text.endswith("100%  10/10\n") and "work [" in text
    pytest.importorskip("tqdm")
    fill_progress(np.empty(1000), "normal", generator=wcinit.Generator(1), chunk=100,
                  progress="tqdm")
    assert "1000/1000" in capsys.readouterr().err


def test_null_bar_is_shared_and_silent(capsys):
    assert progress_bar(None, 10) is progress_bar(False, 5)
    with progress_bar(None, 10) as bar:
        bar(3)
    assert capsys.readouterr() == ("", "")


# ---- progress= on whole-model work: init_params, init_module, lsuv_ --------------------

def _mlp():
    return {"fc1": {"weight": np.full((64, 32), 9.0, np.float32), "bias": np.full(64, 9.0, np.float32)},
            "fc2": {"weight": np.full((8, 64), 9.0, np.float32), "bias": np.full(8, 9.0, np.float32)}}


def test_init_params_reports_elements_and_keeps_the_bits():
    seen = []
    rules = [("*.weight", wcinit.xavier_normal_), ("*.bias", wcinit.zeros_)]
    a = wcinit.init_params(_mlp(), rules, generator=3, progress=lambda d, t: seen.append((d, t)))
    b = wcinit.init_params(_mlp(), rules, generator=3)
    total = 64 * 32 + 64 + 8 * 64 + 8
    assert [t for _, t in seen] == [total] * 4
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == total and len(set(done)) == 4
    for name in ("fc1.weight", "fc2.weight"):
        assert a[name].value.tobytes() == b[name].value.tobytes()


def test_init_params_bad_progress_writes_nothing():
    params = _mlp()
    with pytest.raises(TypeError, match="init_params: progress must be"):
        wcinit.init_params(params, [("*", wcinit.zeros_)], generator=0, progress=5)
    assert all((leaf == 9.0).all() for layer in params.values() for leaf in layer.values())


def test_init_params_text_bar(capsys):
    wcinit.init_params(_mlp(), [("*", wcinit.ones_)], generator=0, progress="text")
    err = capsys.readouterr().err
    assert "init_params [" in err and err.rstrip().endswith("2632/2632")


def test_lsuv_reports_layers():
    layers = [{"weight": np.empty((32, 32), np.float32), "bias": np.zeros(32, np.float32),
               "activation": "tanh"} for _ in range(4)]
    x = wcinit.normal_(np.empty((256, 32), np.float32), generator=0)
    seen = []
    wcinit.lsuv_(layers, x, generator=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    with pytest.raises(ValueError, match="lsuv_: progress must be"):
        wcinit.lsuv_(layers, x, generator=1, progress="bar")


def test_torch_module_progress():
    torch = pytest.importorskip("torch")
    import wcinit.torch as wt
    net = torch.nn.Sequential(torch.nn.Linear(16, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    seen = []
    wt.init_module(net, generator=0, progress=lambda d, t: seen.append((d, t)))
    total = sum(p.numel() for p in net.parameters())
    assert seen[-1] == (total, total) and len(seen) == 4
    lay = []
    x = torch.from_numpy(wcinit.normal_(np.empty((128, 16), np.float32), generator=0))
    wt.lsuv_(net, x, generator=1, progress=lambda d, t: lay.append((d, t)))
    assert lay == [(1, 2), (2, 2)]


@pytest.mark.parametrize("init", [wcinit.normal_, wcinit.kaiming_uniform_,
                                  __import__("functools").partial(wcinit.trunc_normal_, std=0.02)],
                         ids=["normal", "kaiming_uniform", "trunc_normal"])
def test_init_params_large_parameter_moves_the_bar_with_the_same_bits(init, monkeypatch):
    from wcinit import _models
    monkeypatch.setattr(_models, "PROGRESS_PIECE", 1000)
    shape = (37, 101)  # 3737 elements: pieces of 1000, 1000, 1000, 737
    seen = []
    a = wcinit.init_params({"emb": np.empty(shape, np.float32), "b": np.empty(5, np.float32)},
                           [("emb", init), ("b", wcinit.zeros_)], generator=11,
                           progress=lambda d, t: seen.append((d, t)))
    b = wcinit.init_params({"emb": np.empty(shape, np.float32), "b": np.empty(5, np.float32)},
                           [("emb", init), ("b", wcinit.zeros_)], generator=11)
    assert a["emb"].value.tobytes() == b["emb"].value.tobytes()
    done = [d for d, _ in seen]
    assert done == [1000, 2000, 3000, 3737, 3742]  # each count once
    assert all(t == 3742 for _, t in seen)


def test_fill_progress_bad_arguments_show_no_bar(capsys):
    a = np.full(1000, 7.0, np.float32)
    with pytest.raises(ValueError, match="fill_shard: distribution must be"):
        fill_progress(a, "cauchy", generator=wcinit.Generator(1), chunk=100, progress="text")
    with pytest.raises(ValueError, match="fill_progress: progress must be"):
        fill_progress(a, "normal", generator=wcinit.Generator(1), chunk=100, progress="bar")
    assert capsys.readouterr().err == "" and (a == 7.0).all()
    fill_progress(a, "normal", generator=wcinit.Generator(1), chunk=100, progress="text")
    assert capsys.readouterr().err.rstrip().endswith("1000/1000")


def test_save_initialized_text_bar_reaches_100_once(tmp_path, capsys):
    wcinit.save_initialized(tmp_path / "m.safetensors", {"w": np.empty((64, 64), np.float32)},
                            [("w", wcinit.normal_)], generator=0, progress="text")
    err = capsys.readouterr().err
    assert err.count("100%") == 1, err

"""Packaging and the command line: what a user meets before the first fill.

* ``python -m wcinit`` parses its arguments (argparse): an unknown one is a
  usage error with exit status 2, ``--version`` prints the version, the demo
  is the default action; the benchmark is not part of the installed package.
* The version is written once (wcinit/_version.py) and is what the installed
  metadata says.
* WCINIT_SIMD / WCINIT_NUM_THREADS values the C core ignores raise a
  RuntimeWarning at import naming the variable and the value.
* -Werror is added to the build flags only when WCINIT_WERROR=1 (CI, dev).
* torch tensors are filled in place through a writable view on every NumPy
  (np.from_dlpack gives read-only arrays before NumPy 2.0).

The sdist's contents and the install from it are checked by .ci/run, which
builds both artifacts and runs this suite against the installed sdist.
"""
import functools
import importlib.metadata
import importlib.util
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import wcinit
from wcinit import _coerce

ROOT = Path(__file__).resolve().parent.parent


def _run(args, env=None, cwd=None):
    full_env = dict(os.environ)
    for k in ("WCINIT_SIMD", "WCINIT_NUM_THREADS", "WCINIT_NT_THRESHOLD", "WCINIT_WERROR"):  # .ci/run sets WERROR
        full_env.pop(k, None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=300)


# ---- the command line -----------------------------------------------------------------------

@pytest.mark.parametrize("arg", ["benchh", "bench", "--bogus"])
def test_cli_rejects_unknown_arguments(arg, tmp_path):
    p = _run(["-m", "wcinit", arg], cwd=tmp_path)
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr[-500:])
    assert "usage: python -m wcinit" in p.stderr
    assert f"unrecognized arguments: {arg}" in p.stderr
    assert p.stdout == ""  # the demo did not run
    assert list(tmp_path.iterdir()) == []  # nothing written in the caller's directory


def test_cli_version():
    p = _run(["-m", "wcinit", "--version"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"wcinit {wcinit.__version__}"


def test_cli_help():
    p = _run(["-m", "wcinit", "--help"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("usage: python -m wcinit")
    assert "--version" in p.stdout and "benchmarks/bench.py" in p.stdout


def test_cli_default_runs_the_demo(tmp_path):
    p = _run(["-m", "wcinit"], cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.startswith(f"wcinit {wcinit.__version__}: kernels ")
    assert "signal through 20 ReLU layers" in p.stdout


def test_benchmark_is_not_in_the_package():
    assert importlib.util.find_spec("wcinit._bench") is None
    pkg = Path(wcinit.__file__).parent
    assert not any("bench" in f.name for f in pkg.iterdir())


def test_benchmark_results_go_beside_the_script(tmp_path):
    """The default JSON path does not depend on the working directory."""
    script = ROOT / "benchmarks" / "bench.py"
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        ns = runpy.run_path(str(script))  # defines the functions; main() does not run
    finally:
        os.chdir(old)
    for quick, name in ((False, "latest.json"), (True, "quick.json")):
        assert ns["_default_json"](quick) == script.parent / "results" / name
    p = _run([str(script), "--bogus"], cwd=tmp_path)
    assert p.returncode == 2 and "usage: python benchmarks/bench.py" in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_bench_ziggurat_runs_and_its_sampler_is_normal(tmp_path):
    """The ziggurat probe builds and runs on every path this CPU has, and what it
    times is a sampler: its values' mean, E x^2 and E x^4 (20 x 16384 of them)
    lie within 6 standard errors of N(0, 1)'s 0, 1 and 3."""
    p = _run([str(ROOT / "benchmarks" / "bench_ziggurat.py"), "--reps", "20"], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows = [r.split("|")[1:-1] for r in p.stdout.splitlines() if r.startswith("| ")][1:]
    ran = [r for r in rows if "not run" not in r[1]]
    assert {r[0].strip() for r in ran} >= {"scalar"}
    for r in ran:
        sigmas = [float(s) for s in r[-1].split()]
        assert len(sigmas) == 3 and max(abs(s) for s in sigmas) < 6, r


# ---- the version ----------------------------------------------------------------------------

def test_version_is_written_once():
    from wcinit._version import __version__
    assert wcinit.__version__ == __version__ == "0.2.0"
    assert importlib.metadata.version("wcinit") == __version__


def test_license_metadata():
    meta = importlib.metadata.metadata("wcinit")
    assert meta["License-Expression"] == "BSD-3-Clause"
    assert "LICENSE" in (meta.get_all("License-File") or [])


# ---- environment variables the C core reads ------------------------------------------------

CHECK = "import wcinit; print(wcinit.get_simd(), wcinit.get_num_threads())"


@functools.lru_cache(maxsize=None)
def _defaults():
    """The core's choices with neither variable set (and no warning)."""
    p = _run(["-W", "error", "-c", CHECK])
    assert p.returncode == 0, p.stderr
    simd, threads = p.stdout.split()
    return simd, int(threads)


@pytest.mark.parametrize("value", ["avx513", "AVX2", "sse2", " scalar"])
def test_invalid_simd_warns(value):
    best, _ = _defaults()
    p = _run(["-c", CHECK], env={"WCINIT_SIMD": value})
    assert p.returncode == 0, p.stderr
    assert f"RuntimeWarning: WCINIT_SIMD={value!r} ignored" in p.stderr
    assert f"using {best!r}" in p.stderr
    assert p.stdout.split()[0] == best


@pytest.mark.parametrize("value", ["abc", "4abc", "0", "-2", "2.5", "3 "])
def test_invalid_num_threads_warns(value):
    _, cores = _defaults()
    p = _run(["-c", CHECK], env={"WCINIT_NUM_THREADS": value})
    assert p.returncode == 0, p.stderr
    assert f"RuntimeWarning: WCINIT_NUM_THREADS={value!r} ignored" in p.stderr
    assert f"using {cores} threads" in p.stderr
    assert int(p.stdout.split()[1]) == cores  # the core ignored it too


@pytest.mark.parametrize("value", ["LLC", "64MB", "-1", "1e9", "12 "])
def test_invalid_nt_threshold_warns(value):
    p = _run(["-c", CHECK], env={"WCINIT_NT_THRESHOLD": value})
    assert p.returncode == 0, p.stderr
    assert f"RuntimeWarning: WCINIT_NT_THRESHOLD={value!r} ignored" in p.stderr


@pytest.mark.parametrize("value", ["llc", "0", "67108864", "+4096", ""])
def test_valid_nt_threshold_is_silent(value):
    p = _run(["-W", "error", "-c", CHECK], env={"WCINIT_NT_THRESHOLD": value})
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("env, expect", [
    ({"WCINIT_SIMD": "scalar"}, ("scalar", None)),
    ({"WCINIT_NUM_THREADS": "3"}, (None, 3)),
    ({"WCINIT_NUM_THREADS": "+1"}, (None, 1)),
    ({"WCINIT_SIMD": "", "WCINIT_NUM_THREADS": ""}, (None, None)),  # empty = unset
])
def test_valid_environment_is_used_silently(env, expect):
    best, cores = _defaults()
    p = _run(["-W", "error", "-c", CHECK], env=env)
    assert p.returncode == 0, p.stderr  # -W error: any warning would fail the import
    simd, threads = p.stdout.split()
    assert simd == (expect[0] or best)
    assert int(threads) == (expect[1] or cores)


# ---- build flags ----------------------------------------------------------------------------

@pytest.mark.parametrize("werror", [None, "0", "1"])
def test_werror_only_when_asked(werror):
    # setup.py's flags without building: setuptools replaced by stubs (the test env
    # need not have the setuptools>=77 that pyproject.toml asks of build environments)
    code = "\n".join([
        "import runpy, sys, types",
        "st = types.ModuleType('setuptools')",
        "st.setup = lambda **kw: None",
        "st.Extension = lambda *a, **kw: None",
        "be = types.ModuleType('setuptools.command.build_ext')",
        "be.build_ext = type('build_ext', (), {})",
        "sys.modules.update({'setuptools': st, 'setuptools.command': types.ModuleType('c'),",
        "                    'setuptools.command.build_ext': be})",
        "print(repr(runpy.run_path('setup.py')['BASE_FLAGS']))",
    ])
    p = _run(["-c", code], env={} if werror is None else {"WCINIT_WERROR": werror}, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    flags = eval(p.stdout.strip().splitlines()[-1])
    assert ("-Werror" in flags) == (werror == "1")
    assert "-Wall" in flags and "-Wextra" in flags


# ---- torch tensors: a writable view on every NumPy ------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_torch_tensor_view_is_writable_and_shared(torch, dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    t = torch.zeros(4, 6, dtype=getattr(torch, dtype))
    for obj in (t, t.t(), t[:, ::2], torch.nn.Parameter(t.clone())):
        a = _coerce.as_target(obj, "uniform_")
        assert a.flags.writeable
        assert a.shape == tuple(obj.shape)
        assert a.ctypes.data == obj.data_ptr()
    wcinit.uniform_(t, 1.0, 2.0, generator=5)
    ref = np.empty((4, 6), np.float32 if dtype == "bfloat16" else dtype)
    if dtype == "bfloat16":
        import ml_dtypes
        ref = ref.astype(ml_dtypes.bfloat16)
    wcinit.uniform_(ref, 1.0, 2.0, generator=5)
    got = t.view(torch.int16).numpy() if dtype == "bfloat16" else t.numpy()
    want = ref.view(np.int16) if dtype == "bfloat16" else ref
    np.testing.assert_array_equal(got, want)


def test_torch_view_through_a_transposed_tensor(torch):
    t = torch.zeros(5, 3)
    wcinit.normal_(t.t(), generator=1)
    ref = np.zeros((5, 3), np.float32)
    wcinit.normal_(ref.T, generator=1)
    np.testing.assert_array_equal(t.numpy(), ref)


# ---- tests' environment ---------------------------------------------------------------------

def test_keras_uses_jax_backend():
    """tests/conftest.py sets KERAS_BACKEND=jax (unless set) before keras is imported."""
    assert os.environ.get("KERAS_BACKEND") == "jax"
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() == "jax"

"""The public API's types (wcinit/_typing.py, inline annotations, py.typed).

mypy (CI installs mypy==2.4.1) checks a snippet of user code: it must report an
error on each line marked ``# E`` and on no other line, and reveal that every
initializer returns the type of its argument -- what torch's stubs let mypy
catch with torch.nn.init.  The Literal types are held against the core's tables.
"""
import os
import re
import sys
import typing

import pytest

import wcinit
from wcinit import _core, _dists, _typing

SNIPPET = '''\
import numpy as np
import numpy.typing as npt
import wcinit

w = np.empty((64, 32), np.float32)
g = wcinit.Generator(0)
wcinit.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=g)
wcinit.kaiming_uniform_(w, a=0.1, mode="fan_in", nonlinearity="leaky_relu", generator=3)
wcinit.xavier_uniform_(w, gain=wcinit.calculate_gain("tanh"), generator=np.random.default_rng(0))
wcinit.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
wcinit.fill_shard(np.empty(10), 5, "trunc_normal", generator=g, std=0.5)
wcinit.set_simd(wcinit.get_simd())
fans: tuple[int, int] = wcinit.calculate_fan_in_and_fan_out((64, 3, 3, 3))
fan: int = wcinit._calculate_correct_fan(w, "fan_in")
w2: npt.NDArray[np.float32] = wcinit.normal_(w)
reveal_type(w)
reveal_type(wcinit.uniform_(w))
reveal_type(wcinit.kaiming_normal(w))
wcinit.kaiming_normal_(w, mode="fan_avg")  # E
wcinit.kaiming_uniform_(w, nonlinearity="gelu")  # E
wcinit.calculate_gain("ReLU")  # E
wcinit.uniform_([1.0, 2.0])  # E
wcinit.normal_(w, std="1")  # E
wcinit.uniform_(w, generator="seed")  # E
wcinit.fill_shard(w, 0, "gamma", generator=g)  # E
wcinit._calculate_correct_fan(w, "fan_avg")  # E
s: str = wcinit.zeros_(w)  # E
wcinit.set_simd("sse2")  # E
'''


def _run_mypy(tmp_path, targets=None):
    api = pytest.importorskip("mypy.api")  # a guard: CI installs mypy==2.4.1
    if targets is None:
        src = tmp_path / "snippet.py"
        src.write_text(SNIPPET)
        targets = [str(src)]
    env_path = os.environ.get("MYPYPATH")
    pkg_parent = os.path.dirname(os.path.dirname(wcinit.__file__))
    # An editable install is found through an import hook mypy does not run: point
    # MYPYPATH at the checkout then (never at site-packages, which mypy refuses).
    if not re.search(r"[/\\](site|dist)-packages$", pkg_parent):
        os.environ["MYPYPATH"] = pkg_parent
    try:
        out, err, status = api.run([
            *targets, "--follow-imports=silent", "--no-error-summary", "--show-error-codes",
            "--python-version", f"{sys.version_info[0]}.{sys.version_info[1]}",
            "--cache-dir", str(tmp_path / "mypy-cache")])
    finally:
        if env_path is None:
            os.environ.pop("MYPYPATH", None)
        else:
            os.environ["MYPYPATH"] = env_path
    return out, err, status


def test_mypy_catches_what_torchs_stubs_catch(tmp_path):
    out, err, status = _run_mypy(tmp_path)
    assert not err, err
    lines = SNIPPET.splitlines()
    errors, notes = {}, {}
    for m in re.finditer(r"^.*snippet\.py:(\d+): (error|note): (.*)$", out, re.M):
        (errors if m.group(2) == "error" else notes).setdefault(int(m.group(1)), []).append(
            m.group(3))
    want = {i + 1 for i, line in enumerate(lines) if line.endswith("# E")}
    assert set(errors) == want, out
    assert status == 1
    # every initializer returns its argument's type (TypeVar), the deprecated aliases too
    revealed = [x for i in sorted(notes) for x in notes[i] if x.startswith("Revealed type")]
    assert len(revealed) == 3 and "numpy.ndarray" in revealed[0], out
    assert revealed[1] == revealed[2] == revealed[0], out


def test_the_annotated_modules_type_check(tmp_path):
    """The annotations agree with the code they annotate (mypy's defaults)."""
    out, err, status = _run_mypy(tmp_path, ["-p", "wcinit._api", "-p", "wcinit._dists",
                                            "-p", "wcinit._typing", "-p", "wcinit._random"])
    assert status == 0 and not err, out + err


def test_literals_match_the_core():
    """The Literal types name exactly the nonlinearities and samplers the core exports,
    and they are what get_type_hints reports for the public functions."""
    nl = typing.get_args(_typing.NonlinearityType)
    assert set(nl) == set(_core.NONLINEARITIES) and len(nl) == len(_core.NONLINEARITIES)
    assert set(typing.get_args(_typing.DistributionName)) == set(_dists.NAMES)
    assert typing.get_args(_typing.FanMode) == ("fan_in", "fan_out")
    for name in ["kaiming_uniform_", "kaiming_normal_"]:
        hints = typing.get_type_hints(getattr(wcinit, name))
        assert hints["mode"] == _typing.FanMode and hints["nonlinearity"] == _typing.NonlinearityType
        assert hints["tensor"] is hints["return"] is _typing.TensorT
    assert typing.get_type_hints(wcinit.calculate_gain)["nonlinearity"] == _typing.NonlinearityType
    assert typing.get_type_hints(wcinit.fill_shard)["distribution"] == _typing.DistributionName


def test_simd_literal_matches_the_core():
    """_core.pyi's SimdPath names every path set_simd knows: each name it lists is
    accepted or refused as unsupported by this CPU, any other name is refused as unknown."""
    import ast
    stub = open(os.path.join(os.path.dirname(_core.__file__), "_core.pyi")).read()
    node = next(n for n in ast.parse(stub).body
                if isinstance(n, ast.Assign) and n.targets[0].id == "SimdPath")
    names = [e.value for e in node.value.slice.elts]
    assert set(wcinit.simd_paths()) <= set(names)
    old = wcinit.get_simd()
    try:
        for n in names:
            try:
                wcinit.set_simd(n)
            except ValueError as e:
                assert "does not support" in str(e)
        with pytest.raises(ValueError, match="path must be"):
            wcinit.set_simd("sse2")
    finally:
        wcinit.set_simd(old)


def test_literals_match_torchs(torch):
    ours = typing.get_type_hints(wcinit.calculate_gain)["nonlinearity"]
    theirs = typing.get_type_hints(torch.nn.init.calculate_gain)["nonlinearity"]
    assert typing.get_args(ours) == typing.get_args(theirs)
    theirs_mode = typing.get_type_hints(torch.nn.init.kaiming_normal_)["mode"]
    assert typing.get_args(_typing.FanMode) == typing.get_args(theirs_mode)


@pytest.mark.parametrize("name", [n for n in wcinit.__all__ if n.endswith("_") and
                                  n.rstrip("_") in ("uniform", "normal", "trunc_normal", "constant",
                                                    "ones", "zeros", "eye", "dirac",
                                                    "xavier_uniform", "xavier_normal",
                                                    "kaiming_uniform", "kaiming_normal",
                                                    "orthogonal", "sparse")])
def test_every_initializer_returns_its_argument_type(name):
    hints = typing.get_type_hints(getattr(wcinit, name))
    assert hints["tensor"] is hints["return"] is _typing.TensorT

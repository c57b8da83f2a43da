"""Every docstring example (``>>>``) in the package runs and prints what it shows.

The modules are enumerated with pkgutil.walk_packages, so a new module's examples
join without a change here.  A module is skipped only when importing it needs an
optional dependency (torch, jax, dask, ...) that is not installed, and the skip
names it; any other import error fails.
"""
import doctest
import importlib
import pkgutil

import pytest

import wcinit

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
# Optional dependencies a module may import at its top (DESIGN.md: never at `import wcinit`).
OPTIONAL = {"torch", "jax", "jaxlib", "flax", "keras", "dask", "distributed", "matplotlib",
            "tqdm", "ml_dtypes", "scipy", "zarr", "safetensors", "sklearn"}
# Modules that must not be imported for their docstrings: running them has effects.
NOT_IMPORTED = {"wcinit.__main__"}  # `python -m wcinit`; its docstring has no examples


def module_names():
    names = ["wcinit"] + [m.name for m in pkgutil.walk_packages(wcinit.__path__, "wcinit.")]
    return [n for n in names if n not in NOT_IMPORTED]


def _import(name):
    try:
        return importlib.import_module(name)
    except ImportError as e:
        top = (e.name or "").split(".")[0]
        if top in OPTIONAL:
            pytest.skip(f"{name} imports the optional dependency {e.name}, not installed")
        raise


@pytest.mark.parametrize("name", module_names())
def test_module_doctests(name):
    mod = _import(name)
    result = doctest.testmod(mod, optionflags=FLAGS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_every_public_function_has_a_running_example():
    """Each public function of the torch API carries an Examples block (STYLE.md 3)."""
    finder = doctest.DocTestFinder()
    for name in ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
                 "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_",
                 "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_", "fill_shard",
                 "calculate_fan_in_and_fan_out"]:
        tests = finder.find(getattr(wcinit, name), name)
        assert sum(len(t.examples) for t in tests) >= 1, name

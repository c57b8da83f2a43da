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

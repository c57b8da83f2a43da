"""wcinit: torch.nn.init for NumPy arrays, with a C core.

Fast, element-addressed (counter-based Philox4x32-10) weight initialization:
the same seed gives the same bits for any thread count, memory layout or
shard.  The public API mirrors ``torch.nn.init`` name for name; beside it are
every framework's initializers (``wcinit.jax``, ``flax``, ``keras``,
``mxnet``, ``presets``), whole-model rules, LSUV and Fixup, diagnostics
(``wcinit.diagnostics``), Dask arrays (``wcinit.dask``) and out-of-core
checkpoints.  No optional dependency is imported here.
"""
from . import _core
from ._coerce import as_target as _as_target, coerce_generator as _coerce_generator
from ._version import __version__


def _bfloat16_dtype():
    try:
        import ml_dtypes
    except ImportError:
        return None
    return ml_dtypes.bfloat16


# The C glue calls back into these for torch tensors, generators and bfloat16.
_core._set_hooks(_as_target, _coerce_generator, _bfloat16_dtype())

# Warn about WCINIT_SIMD / WCINIT_NUM_THREADS / WCINIT_NT_THRESHOLD values the core ignores.
from ._env import check_environment as _check_environment  # noqa: E402
_check_environment()

# torch.nn.init, name for name (and torch's private fan helpers, which third-party code calls)
from ._api import (  # noqa: E402
    _calculate_correct_fan, _calculate_fan_in_and_fan_out, calculate_fan_in_and_fan_out,
    calculate_gain, constant, constant_, dirac, dirac_, eye, eye_, kaiming_normal,
    kaiming_normal_, kaiming_uniform, kaiming_uniform_, normal, normal_, ones_,
    orthogonal, orthogonal_, sparse, sparse_, trunc_normal_, uniform, uniform_,
    xavier_normal, xavier_normal_, xavier_uniform, xavier_uniform_, zeros_,
)
# generators, threads, SIMD paths, errors
from ._core import (  # noqa: E402
    DtypeError, Generator, NotAnArrayError, default_generator, get_num_threads,
    get_simd, set_num_threads, set_simd, simd_paths,
)
from ._random import (  # noqa: E402
    fill_shard, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
# every framework's initializers: variance scaling, JAX/Keras/MXNet names, presets
from ._frameworks import (  # noqa: E402
    bilinear_, delta_orthogonal_, glorot_normal_, glorot_uniform_, he_normal_, he_uniform_,
    identity_, lecun_normal_, lecun_uniform_, lstm_bias_, truncated_normal_, variance_scaling_,
)
from ._rules import Expectation, expected  # noqa: E402
from . import flax, jax, keras, mxnet, presets  # noqa: E402,F401  (alias namespaces; import no framework)
# whole models: parameter trees, name-keyed streams, schemes, LSUV, Fixup
from ._models import InitReport, Rule, init_params, name_stream, named_generator  # noqa: E402
from ._schemes import (  # noqa: E402
    bert_rules, gpt2_rules, lstm_forget_bias_, lstm_forget_bias_rule, torch_bias_, vit_rules,
    zero_last_rules,
)
from ._lsuv import lsuv_  # noqa: E402
from ._fixup import fixup_, fixup_rules  # noqa: E402
# long work: chunked fills with progress; checkpoints initialized out of core
from ._progress import fill_progress  # noqa: E402
from ._checkpoint import save_initialized  # noqa: E402

__all__ = [
    # torch.nn.init
    "calculate_gain", "calculate_fan_in_and_fan_out",
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_", "orthogonal_", "sparse_",
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
    # generators, threads, SIMD, errors
    "Generator", "default_generator", "manual_seed", "initial_seed", "seed",
    "get_rng_state", "set_rng_state", "fill_shard",
    "set_num_threads", "get_num_threads", "set_simd", "get_simd", "simd_paths",
    "DtypeError", "NotAnArrayError",
    # every framework's initializers
    "variance_scaling_", "lecun_uniform_", "lecun_normal_", "glorot_uniform_", "glorot_normal_",
    "he_uniform_", "he_normal_", "truncated_normal_", "delta_orthogonal_", "identity_",
    "bilinear_", "lstm_bias_", "expected", "Expectation",
    # whole models
    "init_params", "Rule", "InitReport", "name_stream", "named_generator", "torch_bias_",
    "lstm_forget_bias_", "lstm_forget_bias_rule", "gpt2_rules", "bert_rules", "vit_rules",
    "zero_last_rules", "lsuv_", "fixup_", "fixup_rules",
    # long work
    "fill_progress", "save_initialized",
]

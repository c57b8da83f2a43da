"""Flax linen's initializer names (``flax.linen.initializers``), in place on NumPy arrays.

Flax re-exports ``jax.nn.initializers`` and adds ``zeros_init()`` / ``ones_init()``;
so does this module: everything of :mod:`wcinit.jax`, plus ``zeros_init_`` and
``ones_init_``.  The layer defaults (``Dense``'s lecun_normal kernel, ``Embed``'s
N(0, 1/features), ``LSTMCell``'s orthogonal recurrent kernels) are
``wcinit.presets.get_preset('flax', kind)``.  No Flax import.
"""
from .jax import *  # noqa: F401,F403
from .jax import __all__ as _jax_all
from .jax import ones_, zeros_

zeros_init_ = zeros_
ones_init_ = ones_

__all__ = list(_jax_all) + ["zeros_init_", "ones_init_"]

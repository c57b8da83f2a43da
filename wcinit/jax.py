"""JAX's (and Flax linen's) initializer names, in place on NumPy arrays.

``jax.nn.initializers.X(...)(key, shape)`` is ``wcinit.jax.X_(array, ..., generator=)``:
the same arguments (``in_axis``/``out_axis``/``batch_axis``, ``column_axis``,
``stddev``, ``scale``), the JAX layout ``(*kernel, in, out)``, the same std and
bounds.  ``flax.linen.initializers`` re-exports these names.  Like JAX,
``kaiming_*`` and ``xavier_*`` here are aliases of ``he_*`` and ``glorot_*``
in the JAX layout (torch's own ``wcinit.kaiming_*`` keep torch's layout).
No JAX import: these are aliases of functions in ``wcinit._frameworks``.
"""
from ._api import ones_, zeros_
from ._frameworks import (
    delta_orthogonal_, glorot_normal_, glorot_uniform_, he_normal_, he_uniform_,
    jax_normal_ as normal_, jax_uniform_ as uniform_, lecun_normal_, lecun_uniform_,
    mxnet_constant_ as constant_, orthogonal_columns_ as orthogonal_, truncated_normal_,
    variance_scaling_,
)

xavier_uniform_ = glorot_uniform_
xavier_normal_ = glorot_normal_
kaiming_uniform_ = he_uniform_
kaiming_normal_ = he_normal_

__all__ = [
    "zeros_", "ones_", "constant_", "uniform_", "normal_", "truncated_normal_",
    "variance_scaling_", "glorot_uniform_", "glorot_normal_", "lecun_uniform_",
    "lecun_normal_", "he_uniform_", "he_normal_", "xavier_uniform_", "xavier_normal_",
    "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "delta_orthogonal_",
]

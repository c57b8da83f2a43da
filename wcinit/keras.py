"""Keras 3's initializer names, in place on NumPy arrays.

``keras.initializers.X(...)(shape)`` is ``wcinit.keras.x_(array, ..., generator=)``
(snake_case, as Keras's own aliases ``keras.initializers.glorot_uniform``...):
Keras's arguments (``input_axes``/``output_axes``, ``gain``, ``stddev``,
``minval``/``maxval``), Keras's fans (``(*kernel, in, out)``; ``max(1, fan)``)
and Keras's meaning of ``VarianceScaling(distribution='normal')``, which is
*truncated*.  No Keras import: aliases of functions in ``wcinit._frameworks``.
"""
from ._api import ones_, zeros_
from ._frameworks import (
    identity_, keras_glorot_normal_ as glorot_normal_, keras_glorot_uniform_ as glorot_uniform_,
    keras_he_normal_ as he_normal_, keras_he_uniform_ as he_uniform_,
    keras_lecun_normal_ as lecun_normal_, keras_lecun_uniform_ as lecun_uniform_,
    keras_orthogonal_ as orthogonal_, keras_random_normal_ as random_normal_,
    keras_random_uniform_ as random_uniform_, keras_stft_ as stft_,
    keras_truncated_normal_ as truncated_normal_,
    keras_variance_scaling_ as variance_scaling_, mxnet_constant_,
)


def constant_(tensor, value=0.0):
    """Keras's ``Constant(value)``: every value ``value`` (default 0.0).

    Args:
        tensor: a writable float array
        value: the value (default 0.0)

    Examples:
        >>> import numpy as np, wcinit
        >>> wcinit.keras.constant_(np.empty(2), 3.0)
        array([3., 3.])
    """
    return mxnet_constant_(tensor, value)


__all__ = [
    "zeros_", "ones_", "constant_", "identity_", "random_normal_", "random_uniform_",
    "truncated_normal_", "variance_scaling_", "glorot_uniform_", "glorot_normal_",
    "lecun_uniform_", "lecun_normal_", "he_uniform_", "he_normal_", "orthogonal_", "stft_",
]

"""MXNet's initializer names (``mxnet.initializer`` / ``mx.init``), in place on NumPy arrays.

``mx.init.X(...)`` is ``wcinit.mxnet.x_(array, ..., generator=)`` with MXNet's
arguments and MXNet's layout ``[out, in, *kernel]`` (the same as torch's).
No MXNet import: aliases of functions in ``wcinit._frameworks``.
"""
from ._api import ones_ as one_, zeros_ as zero_
from ._frameworks import (
    bilinear_, lstm_bias_, mxnet_constant_ as constant_, mxnet_msra_prelu_ as msra_prelu_,
    mxnet_normal_ as normal_, mxnet_orthogonal_ as orthogonal_, mxnet_uniform_ as uniform_,
    mxnet_xavier_ as xavier_,
)

__all__ = [
    "zero_", "one_", "constant_", "uniform_", "normal_", "orthogonal_", "xavier_",
    "msra_prelu_", "bilinear_", "lstm_bias_",
]

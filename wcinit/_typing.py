"""Types of the public API, for annotations (PEP 561: the package ships py.typed).

As torch.nn.init's: ``mode`` and ``nonlinearity`` are Literal types, so a type
checker catches ``kaiming_normal_(w, mode='fan_avg')``; every initializer returns
the type of its ``tensor`` argument (a TypeVar), so ``w = init.normal_(w)`` keeps
``w``'s type, an ndarray or a torch tensor alike.

Nothing here is needed at run time beyond ``typing``; the tensor bound names
``typing_extensions.Buffer`` (PEP 688, ``collections.abc.Buffer`` from Python
3.12) for type checkers only.
"""
from typing import TYPE_CHECKING, Any, Literal, Optional, Protocol, Sequence, TypeVar, Union

import numpy as np

from ._core import Generator

# torch.nn.init's names (its _NonlinearityType); tests check them against _core.NONLINEARITIES
NonlinearityType = Literal[
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]
FanMode = Literal["fan_in", "fan_out"]  # torch's _FanMode (the functions accept any case)
# fill_shard's distributions; tests check them against _dists.NAMES
DistributionName = Literal["uniform", "normal", "trunc_normal"]

# generator=: a wcinit.Generator, an int seed, a numpy.random.Generator or None
GeneratorLike = Optional[Union[Generator, int, np.random.Generator]]


class SupportsDLPack(Protocol):
    """A DLPack exporter (a torch CPU tensor): filled in place through np.from_dlpack."""
    def __dlpack_device__(self) -> Any: ...


class HasShape(Protocol):
    """Anything with a shape (an ndarray, a torch tensor): calculate_fan_in_and_fan_out."""
    @property
    def shape(self) -> Sequence[int]: ...


if TYPE_CHECKING:
    from typing_extensions import Buffer

    TensorLike = Union[np.ndarray, SupportsDLPack, Buffer]

# The array an initializer fills and returns (the bound is evaluated by type checkers only).
TensorT = TypeVar("TensorT", bound="TensorLike")

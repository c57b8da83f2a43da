"""Module-level generator functions (as torch's) and shard fills."""
from __future__ import annotations

import operator

import numpy as np

from . import _core, _dists
from ._typing import DistributionName, TensorT


def manual_seed(seed):
    """Seed the default generator and return it.

    The default generator (``generator=None``) is seeded from the operating
    system's entropy at ``import wcinit``, as torch's is, or from the environment
    variable ``WCINIT_SEED`` when it is set to an int before the import (another
    value warns and entropy is used).  ``manual_seed(s)`` puts it exactly in the
    state of ``wcinit.Generator(s)``: stream 0, offset 0, no children spawned.

    Args:
        seed: an int in [-2**63, 2**64); a negative seed means 2**64 + seed, as in torch

    Examples:
        >>> import numpy as np, wcinit
        >>> g = wcinit.manual_seed(7)
        >>> a = wcinit.normal_(np.empty(3))
        >>> bool((a == wcinit.normal_(np.empty(3), generator=wcinit.Generator(7))).all())
        True
    """
    return _core.default_generator.manual_seed(seed)


def initial_seed():
    """The seed of the default generator: OS entropy or ``WCINIT_SEED`` at import, or
    the last ``manual_seed``/``seed``."""
    return _core.default_generator.initial_seed()


def seed():
    """Seed the default generator from OS entropy; return the seed."""
    return _core.default_generator.seed()


def get_rng_state():
    """The default generator's state (a uint8 array)."""
    return _core.default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state."""
    _core.default_generator.set_state(new_state)


def fill_shard(shard: TensorT, start: int, distribution: DistributionName = "normal", *,
               generator: _core.Generator, **params: float) -> TensorT:
    """Fill ``shard`` as the part of a larger tensor beginning at logical index ``start``.

    Element i of the shard (row-major) receives exactly the value that element
    ``start + i`` of the whole tensor would receive from the same generator
    state, so a checkpoint can be initialized shard by shard (or memory-mapped
    piece by piece) and match a one-shot fill bit for bit.  ``start + size``
    must stay below 2**63 (OverflowError otherwise).  The generator is
    not advanced: pass a Generator positioned where the whole fill would start
    (e.g. ``Generator(seed)``), the same for every shard.

    Args:
        shard: a writable float array (the shard, in the whole tensor's row-major order)
        start: logical index of the shard's first element in the whole tensor
        distribution: ``'uniform'`` (params a, b), ``'normal'`` (mean, std) or
            ``'trunc_normal'`` (mean, std, a, b)
        generator: a wcinit.Generator (required; its state is read, not advanced)

    Examples:
        >>> import numpy as np, wcinit
        >>> whole = wcinit.normal_(np.empty(1000), generator=wcinit.Generator(7))
        >>> part = wcinit.fill_shard(np.empty(400), 600, "normal", generator=wcinit.Generator(7))
        >>> bool((part == whole[600:]).all())
        True
    """
    if not isinstance(generator, _core.Generator):
        raise TypeError("fill_shard(): argument 'generator' must be a wcinit.Generator")
    if isinstance(start, (bool, np.bool_)):
        raise TypeError("fill_shard(): argument 'start' must be int, not bool")
    try:
        start = operator.index(start)
    except TypeError:
        raise TypeError(f"fill_shard(): argument 'start' must be int, not {type(start).__name__}") from None
    if start < 0:
        raise ValueError(f"fill_shard: start must be non-negative, got {start}")
    if start >= 2**63:
        raise OverflowError("fill_shard: start + size exceeds 2**63 elements, the counter space of one fill")
    arr = _core._check(shard, "fill_shard")
    dist = _dists.get(distribution, "fill_shard")
    values = dist.validate(arr.dtype, "fill_shard", **params)
    _dists.fill(arr, dist, values, generator, start=start, fname="fill_shard")
    return shard

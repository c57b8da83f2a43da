"""Argument coercion the C glue calls for arguments that are not already an
ndarray or a wcinit.Generator (kept in Python: these are the slow paths)."""
import numpy as np

from . import _core


def as_target(obj, fname):
    """Return an ndarray that shares memory with ``obj``, or raise.

    Accepts objects exporting DLPack (a torch CPU tensor) or a writable
    buffer; refuses anything that would need a copy (lists, scalars, ...),
    since the fill must land in the caller's memory.
    """
    if isinstance(obj, np.ndarray):
        return obj
    if hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
        try:
            if getattr(obj, "requires_grad", False):
                obj = obj.detach()
            arr = _from_dlpack(obj)
        except (TypeError, BufferError, RuntimeError) as e:
            raise _core.NotAnArrayError(
                f"{fname}: tensor of type {type(obj).__name__} cannot be viewed as a "
                f"NumPy array in place ({e})") from None
        if not arr.flags.writeable:
            arr = _writable_view(arr)
        return arr
    if isinstance(obj, (bytes, str, list, tuple, int, float, complex, bool)) or obj is None:
        pass
    else:
        try:
            mv = memoryview(obj)
        except TypeError:
            mv = None
        if mv is not None:
            if mv.readonly:
                raise ValueError(f"{fname}: tensor is read-only (its buffer is not writable)")
            return np.asarray(mv)
    raise _core.NotAnArrayError(
        f"{fname}: tensor must be a numpy.ndarray (or an object sharing its memory, such as "
        f"a torch CPU tensor), got {type(obj).__name__}")


def _from_dlpack(obj):
    """np.from_dlpack, and for bfloat16 tensors (which NumPy's DLPack import
    refuses) a 16-bit integer view re-typed as ml_dtypes.bfloat16."""
    try:
        return np.from_dlpack(obj)
    except (BufferError, TypeError, RuntimeError):
        if "bfloat16" not in str(getattr(obj, "dtype", "")) or not hasattr(obj, "view"):
            raise
        import torch  # only torch tensors get here: they have a bfloat16 dtype and .view
        import ml_dtypes
        return np.from_dlpack(obj.view(torch.int16)).view(ml_dtypes.bfloat16)


def _writable_view(arr):
    # np.from_dlpack marks every import read-only on some NumPy versions even
    # when the producer (a torch CPU tensor) is writable.  The memory belongs
    # to a writable producer, so a writable view of it is sound.
    arr.flags.writeable = True  # raises ValueError when truly read-only
    return arr


def coerce_generator(obj, fname):
    """An int seed or a numpy.random.Generator becomes a fresh wcinit.Generator."""
    if isinstance(obj, _core.Generator):
        return obj
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, (bool, np.bool_)):
        return _core.Generator(int(obj))
    if isinstance(obj, np.random.Generator):
        seed = int(obj.integers(0, 2**64, dtype=np.uint64))
        return _core.Generator(seed)
    raise TypeError(
        f"{fname}(): argument 'generator' must be a wcinit.Generator, an int seed, a "
        f"numpy.random.Generator or None, not {type(obj).__name__}")

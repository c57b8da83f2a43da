"""Argument coercion the C glue calls for arguments that are not already an
ndarray or a wcinit.Generator (kept in Python: these are the slow paths)."""
import sys

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
            arr = _writable_view(arr, fname)
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
    """A writable ndarray over the memory of a DLPack producer.

    A torch tensor goes through ``Tensor.numpy()``, which shares its memory and
    is writable on every NumPy version (``np.from_dlpack`` marks its result
    read-only before NumPy 2.0); bfloat16, which NumPy has no dtype for, as a
    16-bit integer view re-typed as ml_dtypes.bfloat16.  Other producers go
    through ``np.from_dlpack``.
    """
    torch = sys.modules.get("torch")  # a torch tensor means torch is imported
    if torch is not None and isinstance(obj, torch.Tensor):
        if obj.dtype == torch.bfloat16:
            import ml_dtypes
            return obj.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return obj.numpy()
    return np.from_dlpack(obj)


def _writable_view(arr, fname):
    # np.from_dlpack marks every import read-only before NumPy 2.0, and a
    # producer may share memory it does not let others write (a JAX array).
    try:
        arr.flags.writeable = True
    except ValueError:
        raise ValueError(f"{fname}: tensor is read-only (its DLPack export is not "
                         "writable)") from None
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

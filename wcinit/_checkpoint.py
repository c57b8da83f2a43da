"""Checkpoints initialized out of core: a whole model written piece by piece.

``save_initialized(path, spec, rules, ...)`` plans every parameter exactly as
``wcinit.init_params`` would initialize it (rules, presets, name-keyed
streams; everything validated before the first byte is written), then writes
the values straight into the file, one piece of at most ``piece_bytes`` at a
time, each piece filled through a memory map of its own range of the file (or
by the format's chunked writer): memory stays bounded by the piece size, not
the model.  Reading the file back gives the bits ``init_params`` would have
written in memory.
"""
import json
import math
import os
import pathlib

import numpy as np

from . import _plan

__all__ = ["save_initialized", "FORMATS"]

FORMATS = ("safetensors", "npy-dir", "zarr")
_SAFETENSORS_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16"}
_FNAME = "save_initialized"


def _progress(progress, total):
    from ._progress import progress_bar
    return progress_bar(progress, total, _FNAME, _FNAME)


def _pieces(plan, piece_bytes):
    """Row-major element ranges [lo, hi) of at most piece_bytes each."""
    n = math.prod(plan[2])
    step = max(1, piece_bytes // _plan.dtype_from_name(plan[3]).itemsize)
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)]


def _write_tensor(plan, path, offset, piece_bytes, bar, done):
    """Fill one tensor's bytes of ``path`` at ``offset``, piece by piece through
    memory maps of just that piece; returns the running byte count."""
    dt = _plan.dtype_from_name(plan[3])
    whole = _plan.compute_whole(plan).reshape(-1) if plan[0] == "whole" else None
    for lo, hi in _pieces(plan, piece_bytes):
        mm = np.memmap(path, dtype=dt, mode="r+", offset=offset + lo * dt.itemsize,
                       shape=(hi - lo,))
        if whole is None:
            _plan.fill_range(plan, lo, mm)
        else:
            mm[...] = whole[lo:hi]
        del mm  # unmapped: its pages leave this process (they stay in the page cache)
        done += (hi - lo) * dt.itemsize
        bar(done)
    return done


def _safetensors_header(plans, metadata):
    # larger items first, so every tensor starts aligned to its item size
    order = sorted(plans, key=lambda np_: -_plan.dtype_from_name(np_[1][3]).itemsize)
    header, pos = {}, 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offsets = []
    for name, p in order:
        if p[3] not in _SAFETENSORS_DTYPES:  # pragma: no cover - _plan accepts only these
            raise ValueError(f"{_FNAME}: safetensors has no dtype {p[3]}")
        nbytes = math.prod(p[2]) * _plan.dtype_from_name(p[3]).itemsize
        header[name] = {"dtype": _SAFETENSORS_DTYPES[p[3]], "shape": list(p[2]),
                        "data_offsets": [pos, pos + nbytes]}
        offsets.append((name, p, pos))
        pos += nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)  # the data region starts 8-byte aligned
    return text, offsets, pos


def _save_safetensors(path, plans, piece_bytes, bar, metadata, fsync):
    text, offsets, nbytes = _safetensors_header(plans, metadata)
    start = 8 + len(text)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        f.truncate(start + nbytes)  # sparse until written
    done = 0
    for name, p, pos in offsets:
        done = _write_tensor(p, path, start + pos, piece_bytes, bar, done)
    if fsync:
        _fsync(path)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _npy_path(root, name):
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts) or os.path.isabs(name) or "\\" in name:
        raise ValueError(f"{_FNAME}: parameter name {name!r} cannot be a file name")
    return root.joinpath(*parts[:-1], parts[-1] + ".npy")


def _save_npy_dir(root, plans, piece_bytes, bar, metadata, fsync):
    files = [(name, p, _npy_path(root, name)) for name, p in plans]
    root.mkdir(parents=True, exist_ok=True)
    index = {"format": "wcinit npy-dir 1", "metadata": dict(metadata or {}), "tensors": {}}
    done = 0
    for name, p, file in files:
        dt = _plan.dtype_from_name(p[3])
        file.parent.mkdir(parents=True, exist_ok=True)
        with open(file, "wb") as f:
            # bfloat16 is stored as its 2-byte void descr ('<V2'); index.json names the dtype
            np.lib.format.write_array_header_2_0(
                f, {"descr": np.lib.format.dtype_to_descr(dt), "fortran_order": False,
                    "shape": tuple(p[2])})
            offset = f.tell()
            f.truncate(offset + math.prod(p[2]) * dt.itemsize)
        done = _write_tensor(p, file, offset, piece_bytes, bar, done)
        if fsync:
            _fsync(file)
        index["tensors"][name] = {"file": str(file.relative_to(root)), "dtype": p[3],
                                  "shape": list(p[2])}
    with open(root / "index.json", "w") as f:
        json.dump(index, f, indent=1)


def _zarr_chunks(shape, dtype, piece_bytes):
    from dask.array.core import normalize_chunks
    rest = math.prod(shape[1:]) * dtype.itemsize if len(shape) > 1 else dtype.itemsize
    if len(shape) > 1 and rest <= piece_bytes:
        spec = {0: "auto", **{d: -1 for d in range(1, len(shape))}}
    else:
        spec = "auto"
    return normalize_chunks(spec, shape, limit=piece_bytes, dtype=dtype)


def _save_zarr(root, plans, piece_bytes, bar, metadata, fsync):
    import dask
    import dask.array as da
    from dask.callbacks import Callback
    import zarr
    from .dask import from_plan

    for name, p in plans:
        if p[3] == "bfloat16":
            raise ValueError(f"{_FNAME}: zarr has no bfloat16 data type (parameter {name!r}); "
                             "use format='safetensors' or 'npy-dir'")
    group = zarr.open_group(str(root), mode="w")
    if metadata:
        group.attrs.update({str(k): str(v) for k, v in metadata.items()})
    writes, sizes = [], {}
    for name, p in plans:
        dt = _plan.dtype_from_name(p[3])
        arr = from_plan(p, _zarr_chunks(p[2], dt, piece_bytes))
        # random weights do not compress: zarr's default codec would only cost CPU
        w = da.to_zarr(arr, str(root), component=name, compute=False, overwrite=True,
                       compressors=None)
        # to_zarr's store tasks (each fused with its chunk's fill) carry the chunk indices
        for idx in np.ndindex(*arr.numblocks):
            sizes[(w.name,) + idx] = math.prod(arr.chunks[d][i] for d, i in enumerate(idx)) * dt.itemsize
        writes.append(w)
    state = {"done": 0}

    class _Progress(Callback):
        def _posttask(self, key, result, dsk, st, worker_id):
            n = sizes.get(key)
            if n:
                state["done"] += n
                bar(state["done"])

    client = _distributed_client()
    if client is not None:
        # a dask.distributed cluster: local callbacks see nothing; follow the
        # store tasks' futures as they finish instead
        from distributed import as_completed, futures_of
        futures = [f for w in client.persist(writes) for f in futures_of(w)]
        for fut in as_completed(futures):
            fut.result()  # a failed write raises here
            state["done"] += sizes.get(fut.key, 0)
            bar(state["done"])
    else:
        with _Progress():
            dask.compute(*writes)
    total = sum(sizes.values())
    if state["done"] < total:
        bar(total)


def _distributed_client():
    """The dask.distributed Client in use, if one is (dask's default scheduler)."""
    import sys
    if "distributed" not in sys.modules:
        return None
    from distributed import get_client
    try:
        return get_client()
    except ValueError:
        return None


def save_initialized(path, spec, rules=None, *, preset=None, generator=None, default=None,
                     format="safetensors", piece_bytes=64 << 20, progress=None,
                     metadata=None, fsync=False):
    r"""Write a whole model's initialized parameters to disk, out of core.

    Every parameter of ``spec`` is initialized exactly as ``wcinit.init_params``
    would initialize an array of its shape and dtype (the same rules, presets,
    defaults and name-keyed streams), but straight into the file, one piece of
    at most ``piece_bytes`` at a time: each piece is filled, element-addressed,
    through a memory map of its own byte range (zarr: dask's ``to_zarr``, one
    chunk per task, so a ``dask.distributed`` cluster writes it in parallel).
    Memory stays bounded by the piece size, not the model (zarr: one piece
    per running dask task).  All rules are
    matched and validated before the first byte is written.  Reading the file
    back gives ``init_params``'s bits.

    Not element-wise initializers (``orthogonal_``, ``sparse_``, a custom
    callable) are computed whole in memory, one tensor at a time, up to
    ``wcinit.dask.MAX_WHOLE_ELEMENTS`` elements (larger ones are refused
    before anything is written).  Parameters whose rule is ``None`` are left
    out.

    Formats:

    * ``"safetensors"``: one file; the header (8-byte little-endian length,
      JSON with each tensor's dtype, shape and ``data_offsets``) is written
      first, then the data region is filled piece by piece.  Load it with
      ``safetensors.numpy.load_file`` (or ``safe_open``, lazily).
    * ``"npy-dir"``: a directory with one ``<name>.npy`` per parameter (``/``
      in a name makes subdirectories) and ``index.json``; ``np.load(...,
      mmap_mode="r")`` reads each (bfloat16 reads as ``'<V2'``: view it as
      ``ml_dtypes.bfloat16``, as index.json says).
    * ``"zarr"``: a zarr group, one uncompressed array per parameter (random
      weights do not compress), chunks of at most ``piece_bytes`` (no
      bfloat16: zarr has no such data type).

    Args:
        path: the file (safetensors) or directory (npy-dir, zarr) to create;
            an existing one is overwritten
        spec: a parameter tree whose leaves have ``.shape`` and ``.dtype``
            (see ``wcinit.dask.init_params``); nothing is allocated for them
        rules, preset, generator, default: as ``wcinit.init_params``
        format: ``"safetensors"`` (default), ``"npy-dir"`` or ``"zarr"``
        piece_bytes: the most bytes filled at once (default 64 MiB)
        progress: None/False, True (a tqdm bar if tqdm is installed, else a
            text bar), ``"tqdm"``, ``"text"``, or a callable ``f(done, total)``
            in bytes
        metadata: a dict of strings stored with the checkpoint (safetensors'
            ``__metadata__``, zarr attributes, npy-dir's index.json)
        fsync: fsync every file before returning (default False: the data is
            in the page cache, written back by the OS)

    Returns:
        dict: ``{name: (shape, dtype name)}`` of the tensors written

    Examples:
        >>> import functools, os, tempfile, numpy as np, wcinit
        >>> spec = {"fc": {"weight": np.empty((64, 32), np.float32), "bias": np.empty(64, np.float32)}}
        >>> rules = [("*.weight", functools.partial(wcinit.kaiming_normal_, nonlinearity="relu")),
        ...          ("*.bias", wcinit.zeros_)]
        >>> path = os.path.join(tempfile.mkdtemp(), "init")
        >>> wcinit.save_initialized(path, spec, rules, generator=0, format="npy-dir", piece_bytes=1024)
        {'fc.weight': ((64, 32), 'float32'), 'fc.bias': ((64,), 'float32')}
        >>> _ = wcinit.init_params(spec, rules, generator=0, measure=False)
        >>> w = np.load(os.path.join(path, "fc.weight.npy"), mmap_mode="r")
        >>> bool((w == spec["fc"]["weight"]).all())
        True
    """
    if format not in FORMATS:
        raise ValueError(f"{_FNAME}: format must be one of {', '.join(map(repr, FORMATS))}, "
                         f"got {format!r}")
    if isinstance(piece_bytes, bool) or not isinstance(piece_bytes, int) or piece_bytes < 1:
        raise ValueError(f"{_FNAME}: piece_bytes must be a positive int, got {piece_bytes!r}")
    if progress is not None and progress is not False and progress is not True and \
            progress not in ("tqdm", "text") and not callable(progress):
        raise TypeError(f"{_FNAME}(): argument 'progress' must be None, a bool, 'tqdm', 'text' "
                        f"or a callable(done, total), not {type(progress).__name__}")
    plans = _plan.tree_plans(spec, rules, preset, generator, default, _FNAME)
    if format == "npy-dir":
        root = pathlib.Path(path)
        for name, _ in plans:
            _npy_path(root, name)  # every name checked before anything is written
    total = sum(math.prod(p[2]) * _plan.dtype_from_name(p[3]).itemsize for _, p in plans)
    writer = {"safetensors": _save_safetensors, "npy-dir": _save_npy_dir,
              "zarr": _save_zarr}[format]
    target = pathlib.Path(path) if format != "safetensors" else os.fspath(path)
    with _progress(progress, total) as bar:
        writer(target, plans, piece_bytes, bar, metadata, fsync)
        bar(total)
    return {name: (tuple(p[2]), p[3]) for name, p in plans}

"""Progress reporting for long work: chunked fills, whole-model inits, LSUV, diagnostics.

One small contract, shared by every long-running function in wcinit that takes
``progress=``:

* ``None`` or ``False`` (the default): nothing is reported and nothing extra is
  done -- :func:`fill_progress` then makes one single fill, other callers get
  a do-nothing reporter.
* ``True``: a progress bar -- tqdm's (``tqdm.auto``: a widget in notebooks, text
  in terminals) when tqdm is installed, otherwise a plain text bar on stderr.
* ``"tqdm"`` (tqdm required) or ``"text"`` (the plain bar, never tqdm).
* a callable ``f(done, total)``: called after each piece of work with the
  cumulative count ``done`` (increasing: each count once) and the fixed
  ``total``; the last call has ``done == total``.  Units are the caller's (elements for fills,
  parameters or layers for model-level work).

Library code uses it as::

    from ._progress import progress_bar
    with progress_bar(progress, total, "init_params") as bar:
        for i, (name, param) in enumerate(items):
            ...                     # the work
            bar(i + 1)              # cumulative count

``progress_bar`` returns a shared no-op reporter for ``None``/``False``, so the
fast path costs one attribute lookup and one empty call per piece.
"""
import sys
import time

import numpy as np

__all__ = ["progress_bar", "fill_progress"]

_PROGRESS_TYPES = "None, a bool, 'tqdm', 'text' or a callable(done, total)"


class _NullBar:
    """The reporter for progress=None: does nothing."""
    __slots__ = ()

    def __call__(self, done):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NULL = _NullBar()


class _Bar:
    """Base reporter: remembers the total, closes once."""

    def __init__(self, total):
        self.total = int(total)
        self.done = 0
        self._reported = False
        self._closed = False

    def __call__(self, done):
        done = int(done)
        if done < self.done:
            done = self.done
        if done == self.done and self._reported:
            return  # no news: a count is reported once
        self._reported = True
        self._update(done)
        self.done = done

    def close(self):
        if not self._closed:
            self._closed = True
            self._close()

    def _update(self, done):  # pragma: no cover - overridden
        raise NotImplementedError

    def _close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class _CallbackBar(_Bar):
    def __init__(self, fn, total):
        super().__init__(total)
        self._fn = fn

    def _update(self, done):
        self._fn(done, self.total)


class _TqdmBar(_Bar):
    def __init__(self, total, desc):
        super().__init__(total)
        from tqdm.auto import tqdm
        self._bar = tqdm(total=self.total, desc=desc or None, leave=True)

    def _update(self, done):
        self._bar.update(done - self.done)

    def _close(self):
        self._bar.close()


class _TextBar(_Bar):
    """`desc [########------------]  40%  400/1000` on one line, redrawn at most
    ten times a second (and always at the end)."""
    width = 30

    def __init__(self, total, desc, stream=None):
        super().__init__(total)
        self._desc = f"{desc} " if desc else ""
        self._stream = sys.stderr if stream is None else stream
        self._last = 0.0
        self._drawn = -1

    def _draw(self, done):
        self._drawn = done
        frac = 1.0 if self.total <= 0 else min(1.0, done / self.total)
        filled = int(round(frac * self.width))
        self._stream.write(f"\r{self._desc}[{'#' * filled}{'-' * (self.width - filled)}] "
                           f"{100 * frac:3.0f}%  {done}/{self.total}")
        self._stream.flush()

    def _update(self, done):
        now = time.monotonic()
        if done >= self.total or now - self._last >= 0.1:
            self._last = now
            self._draw(done)

    def _close(self):
        if self._drawn != self.done:
            self._draw(self.done)
        self._stream.write("\n")
        self._stream.flush()


def _check_progress(progress, fname):
    """Raise progress_bar's error for a bad ``progress``, without making a bar."""
    if progress is None or isinstance(progress, bool) or callable(progress):
        return
    if isinstance(progress, str):
        if progress not in ("tqdm", "text"):
            raise ValueError(f"{fname}: progress must be {_PROGRESS_TYPES}, got {progress!r}")
        if progress == "tqdm":
            try:
                import tqdm  # noqa: F401
            except ImportError:
                raise ImportError(f"{fname}: progress='tqdm' needs tqdm (pip install tqdm)") from None
        return
    raise TypeError(f"{fname}: progress must be {_PROGRESS_TYPES}, got {type(progress).__name__}")


def progress_bar(progress, total, desc="", fname="progress"):
    """A reporter for ``total`` units of work: call it with the cumulative count.

    Args:
        progress: ``None``/``False`` (no reporting), ``True`` (tqdm when
            installed, else a text bar on stderr), ``"tqdm"``, ``"text"``, or a
            callable ``f(done, total)``
        total: the number of units the work has
        desc: a short label for the bar
        fname: the calling function's name, for the error message

    Returns:
        a callable ``bar(done)`` with ``close()``, also a context manager that
        closes it

    Examples:
        >>> from wcinit._progress import progress_bar
        >>> seen = []
        >>> with progress_bar(lambda done, total: seen.append((done, total)), 3) as bar:
        ...     for i in range(3):
        ...         bar(i + 1)
        >>> seen
        [(1, 3), (2, 3), (3, 3)]
    """
    _check_progress(progress, fname)
    if progress is None or progress is False:
        return _NULL
    if progress is True:
        try:
            return _TqdmBar(total, desc)
        except ImportError:
            return _TextBar(total, desc)
    if isinstance(progress, str):
        return _TqdmBar(total, desc) if progress == "tqdm" else _TextBar(total, desc)
    return _CallbackBar(progress, total)


def fill_progress(tensor, distribution="normal", *, generator, start=0, progress=None,
                  chunk=None, **params):
    """Fill a (large) array as :func:`wcinit.fill_shard` does, in pieces, reporting progress.

    The array is filled piece by piece, each piece by ``fill_shard`` at its own
    logical offset, so the result is bit for bit the one-piece
    ``fill_shard(tensor, start, distribution, generator=generator, **params)``
    -- and, for ``start=0``, what ``normal_``/``uniform_``/``trunc_normal_``
    write with a generator in the same state.  Like ``fill_shard`` the
    generator is read, not advanced.  Meant for multi-GB memory maps, where a
    fill takes seconds and a bar is welcome; with ``progress=None`` it is one
    ``fill_shard`` call.

    Pieces are runs of the flattened array when it is C-contiguous, otherwise
    blocks of whole leading-axis slices.  All arguments are checked before the
    first byte is written (the first piece is a full ``fill_shard`` call with
    the same checks; the rest cannot fail on them).

    Args:
        tensor: a writable float array (e.g. a ``numpy.memmap``)
        distribution: ``'uniform'`` (a, b), ``'normal'`` (mean, std) or
            ``'trunc_normal'`` (mean, std, a, b)
        generator: a ``wcinit.Generator`` (required; read, not advanced)
        start: logical index of the array's first element in the whole tensor
        progress: ``None``, ``True``, ``'tqdm'``, ``'text'`` or ``f(done, total)``
            (done and total in elements)
        chunk: elements per piece (default 2**24, 64 MiB of float32)
        **params: the distribution's parameters

    Examples:
        >>> import numpy as np, wcinit
        >>> from wcinit._progress import fill_progress
        >>> whole = wcinit.normal_(np.empty(1000, np.float32), std=0.02, generator=wcinit.Generator(3))
        >>> seen = []
        >>> w = fill_progress(np.empty(1000, np.float32), "normal", std=0.02,
        ...                   generator=wcinit.Generator(3), chunk=300,
        ...                   progress=lambda done, total: seen.append(done))
        >>> bool((w == whole).all()), seen
        (True, [300, 600, 900, 1000])
    """
    from ._random import fill_shard
    if chunk is None:
        chunk = 1 << 24
    if isinstance(chunk, (bool, np.bool_)) or not isinstance(chunk, (int, np.integer)):
        raise TypeError(f"fill_progress(): argument 'chunk' must be int, not {type(chunk).__name__}")
    if chunk < 1:
        raise ValueError(f"fill_progress: chunk must be positive, got {chunk}")
    if progress is None or progress is False:
        return fill_shard(tensor, start, distribution, generator=generator, **params)
    from . import _core
    arr = _core._check(tensor, "fill_progress")
    total = arr.size
    if isinstance(start, (int, np.integer)) and not isinstance(start, (bool, np.bool_)) \
            and 0 <= start < 2**63 and start + total > 2**63:
        raise OverflowError("fill_progress: start + size exceeds 2**63 elements, "
                            "the counter space of one fill")
    _check_progress(progress, "fill_progress")
    if total == 0 or arr.ndim == 0:
        fill_shard(tensor, start, distribution, generator=generator, **params)
        with progress_bar(progress, total, "fill", "fill_progress") as bar:
            bar(total)
        return tensor
    if arr.flags.c_contiguous:
        flat = arr.reshape(-1)
        pieces = ((flat[i:i + chunk], i) for i in range(0, total, chunk))
    else:
        row = total // arr.shape[0]
        rows = max(1, chunk // max(row, 1))
        pieces = ((arr[i:i + rows], i * row) for i in range(0, arr.shape[0], rows))
    bar = None  # made after the first piece, whose fill_shard checks every argument
    try:
        for piece, offset in pieces:
            fill_shard(piece, start + offset, distribution, generator=generator, **dict(params))
            if bar is None:
                bar = progress_bar(progress, total, "fill", "fill_progress")
            bar(offset + piece.size)
    finally:
        if bar is not None:
            bar.close()
    return tensor

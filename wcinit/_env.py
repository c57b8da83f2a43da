"""Warn about values of WCINIT_SIMD, WCINIT_NUM_THREADS and WCINIT_NT_THRESHOLD that the C core ignores.

The core (csrc/cpu.c, csrc/parallel.c) reads each variable once, on first use,
and falls back to its default when the value is unusable; it has no Python to
warn with.  ``check_environment()`` runs at ``import wcinit``: it makes that
first read happen there and then, and issues a ``RuntimeWarning`` naming the
variable, the value and what is used instead, so a typo does not pass
silently.  An empty value means unset, as for most tools.
"""
import os
import re
import warnings

from . import _core

# What csrc/parallel.c accepts: strtol's syntax (leading blanks, a sign, digits)
# with nothing after it, and a value >= 1.
_WHOLE_NUMBER = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")
# What csrc/cpu.c's wc_nt_threshold accepts: "llc", or a byte count (strtoull).
_BYTE_COUNT = re.compile(r"[ \t\n\v\f\r]*\+?[0-9]+")


def check_environment():
    simd = os.environ.get("WCINIT_SIMD", "")
    path = _core.get_simd()  # the core reads WCINIT_SIMD here, once
    if simd and simd != path:
        warnings.warn(
            f"WCINIT_SIMD={simd!r} ignored: not one of the kernel paths this CPU runs "
            f"({', '.join(_core.simd_paths())}); using {path!r}", RuntimeWarning, stacklevel=3)
    threads = os.environ.get("WCINIT_NUM_THREADS", "")
    n = _core.get_num_threads()  # the core reads WCINIT_NUM_THREADS here, once
    if threads and not (_WHOLE_NUMBER.fullmatch(threads) and int(threads) >= 1):
        warnings.warn(
            f"WCINIT_NUM_THREADS={threads!r} ignored: not a whole number >= 1; using {n} "
            f"threads (the usable cores)", RuntimeWarning, stacklevel=3)
    nt = os.environ.get("WCINIT_NT_THRESHOLD", "")
    if nt and nt != "llc" and not _BYTE_COUNT.fullmatch(nt):
        warnings.warn(
            f"WCINIT_NT_THRESHOLD={nt!r} ignored: not a byte count or 'llc'; streaming "
            f"stores stay off", RuntimeWarning, stacklevel=3)

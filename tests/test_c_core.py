"""Build and run the C core's own tests (tests/c) so that CI runs them with pytest.

The build goes to a private directory under tmp_path (make's OUT=), never into the
source tree.  Skipped only when make or a C compiler is missing.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CDIR = ROOT / "tests" / "c"


def _compiler():
    cc = os.environ.get("CC", "gcc")
    return shutil.which(cc.split()[0]) if cc else None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(_compiler() is None, reason="no C compiler (gcc or $CC) installed")
@pytest.mark.skipif(sys.platform == "win32", reason="the C tests use a POSIX Makefile")
def test_c_core(tmp_path):
    out = tmp_path / "build"
    jobs = str(min(os.cpu_count() or 1, 8))
    proc = subprocess.run(
        ["make", "-C", str(CDIR), f"-j{jobs}", f"OUT={out}", "run"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
    )
    tail = "\n".join(proc.stdout.splitlines()[-60:])
    assert proc.returncode == 0, f"make -C tests/c failed ({proc.returncode}):\n{tail}"
    # every test program ran (the Makefile prints "== name" before each)
    ran = [line[3:].strip() for line in proc.stdout.splitlines() if line.startswith("== ")]
    assert ran, f"no C test ran:\n{tail}"

"""Optional: raw Philox output through a short dieharder battery (tests/dieharder.sh --quick).

Runs only with WCINIT_DIEHARDER=1 (about a minute on one core); the default suite
stays fast.  dieharder must then be installed (Debian/Ubuntu: apt-get install -y
dieharder): an explicit opt-in without it fails rather than skips.  The run is
deterministic (fixed seed), so a FAILED verdict is reproducible, not bad luck.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "dieharder.sh"


@pytest.mark.skipif(os.environ.get("WCINIT_DIEHARDER") != "1",
                    reason="set WCINIT_DIEHARDER=1 to run dieharder")
@pytest.mark.skipif(sys.platform == "win32", reason="bash script")
def test_dieharder_quick(tmp_path):
    assert shutil.which("dieharder"), "WCINIT_DIEHARDER=1 but dieharder is not installed"
    log = tmp_path / "dieharder.log"
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(SCRIPT), "--quick", "--log", str(log)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=1200, env=env)
    summary = [line for line in proc.stdout.splitlines() if "summary" in line]
    assert proc.returncode == 0, f"dieharder.sh exit {proc.returncode}:\n{proc.stdout[-4000:]}"
    assert summary and "FAILED=0" in summary[-1], proc.stdout[-4000:]

"""examples/ runs: the notebook executes top to bottom in a kernel of this
venv (nbclient), and the digits training script trains and plots.

The kernel is ipykernel's ``python3`` spec installed inside the venv
(``<venv>/share/jupyter/kernels/python3``); jupyter_client starts it with this
interpreter (``sys.executable``), which the notebook's first cell prints and
the test checks, so the notebook cannot silently run in another Python.
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "initialization_walkthrough.ipynb"
FIGURES = ["propagation_depth.png", "propagation_table.png", "weight_histograms.png",
           "digits_loss.png"]


def _png_ok(path):
    data = path.read_bytes()
    assert len(data) > 5000, f"{path} has {len(data)} bytes"
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path


def test_notebook_runs_in_this_venv(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    monkeypatch.setenv("WCINIT_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("WCINIT_EXAMPLES", str(EXAMPLES))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=900,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()          # raises CellExecutionError on the first failing cell
    first = next(c for c in nb.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs if o.output_type == "stream")
    assert printed.splitlines()[0] == sys.executable
    for name in FIGURES:
        _png_ok(tmp_path / "figures" / name)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors


def test_digits_script_trains_and_plots(tmp_path, capsys):
    """Deterministic given the seed: He and Xavier learn, zeros and N(0, 0.01)
    stay at chance, N(0, 1) overflows to NaN."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(EXAMPLES))
    try:
        import train_digits
    finally:
        sys.path.remove(str(EXAMPLES))
    out = tmp_path / "loss.png"
    results = train_digits.main(["--epochs", "6", "--out", str(out)])
    _png_ok(out)
    text = capsys.readouterr().out
    assert f"wrote {out}" in text and "diverged" in text
    acc = {k: a for k, (_, a) in results.items()}
    assert acc["He (normal)"] > 0.9 and acc["Xavier (normal)"] > 0.9
    assert acc["zeros"] < 0.2 and acc["N(0, 0.01)"] < 0.2
    losses = results["N(0, 1)"][0]
    assert losses[0] > 100 and not np.all(np.isfinite(losses))
    # the untrained loss of the zero net is exactly log 10 (uniform softmax)
    assert results["zeros"][0][0] == pytest.approx(np.log(10), rel=1e-12)
    assert os.path.getsize(out) > 0

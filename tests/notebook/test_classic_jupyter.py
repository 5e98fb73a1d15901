"""The JupyterLite example notebook, unchanged, in classic Jupyter on CPython (ipykernel via nbclient).

Issue 6 asks for the same API in both; the browser half is playwright/test_lite.py. nbclient has
no front end to type into input boxes, so a first cell (added here, not in the notebook) answers
`input()` the way a user would; everything else is the notebook as shipped.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "lite" / "content" / "pywasi_web.ipynb"
ANSWERS = ["one", "two", ""]


def _build_lite_guests(directory: Path) -> None:
    """The drive's wasm/ as lite/build.py makes it: the guests, and those shipped as components."""
    spec = importlib.util.spec_from_file_location("lite_build", ROOT / "lite" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_guests(directory)


def _text(output: dict[str, Any]) -> str:
    if output["output_type"] == "stream":
        return str(output["text"])
    if output["output_type"] == "error":
        return "\n".join(output["traceback"])
    data = output.get("data", {})
    return str(data.get("text/html", "")) + str(data.get("text/plain", ""))


def test_example_notebook_runs_in_classic_jupyter(tmp_path: Path) -> None:
    import nbclient  # dev dependencies, pinned in pyproject.toml
    import nbformat

    _build_lite_guests(tmp_path / "wasm")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # ipykernel points builtins.input at kernel.raw_input for each cell, so answer there
    answers = nbformat.v4.new_code_cell(
        f"_answers = iter({ANSWERS!r})\nget_ipython().kernel.raw_input = lambda prompt='': next(_answers)"
    )
    notebook.cells.insert(0, answers)
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()

    outputs = [_text(output) for cell in notebook.cells[1:] for output in cell.get("outputs", [])]
    text = "".join(outputs)
    assert "Traceback" not in text, text
    assert "in ipython | guests may block: True" in text
    assert "hello from wasm from a notebook" in text
    assert "hello from wasm from a component" in text and "hello from wasm called" in text
    assert "run returned Ok(value=None)" in text
    assert "tick 8 of 8\nwrote /out/ticks.txt" in text
    assert "8 ticks written by a wasm32-wasi guest" in text
    assert "got: one" in text and "got: two" in text and "bye" in text
    html = [output for output in outputs if "</b>" in output]
    assert any("ok</b>" in output and "hello.wasm" in output for output in html), html
    assert any("ok</b>" in output and "hello.component.wasm" in output for output in html), html
    assert any("exit 3</b>" in output and "echo.wasm" in output for output in html), html
    assert (tmp_path / "output" / "ticks.txt").read_text() == "8 ticks written by a wasm32-wasi guest\n"

"""Every code block of README.md and docs/ runs as written (see tests/docs/snippets.py for how).

The shell and Python blocks run as a new user would run them: in a scratch home directory, from
the repository root, with the Python that the documents' own install block sets up (a fresh
virtual environment with `pip install -e '.[wasmtime]'`), after `make examples`.
The JavaScript blocks run in Chromium: playwright/test_docs_js.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.snippets import DOCUMENTS, LANGUAGES, ROOT, Snippet, all_snippets, command_lines, snippets

LONG_RUNNING = ("make serve", "make lite-serve")  # servers: started, checked, stopped
THE_SUITE = "make test"  # the command running this very test


def _is_install(snippet: Snippet) -> bool:
    return any(line.startswith("pip install") for line in command_lines(snippet))


def _is_make(snippet: Snippet) -> bool:
    return all(line.startswith("make ") for line in command_lines(snippet))


@dataclass
class UserShell:
    """A new user's shell: a scratch HOME, the repository as working directory, and the Python
    that the install blocks set up."""

    home: Path
    python: str

    def environment(self) -> dict[str, str]:
        bin_dir = str(Path(self.python).parent)
        return {**os.environ, "HOME": str(self.home), "PATH": f"{bin_dir}:{os.environ['PATH']}"}

    def bash(self, script: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def user_shell(tmp_path_factory: pytest.TempPathFactory) -> UserShell:
    made = subprocess.run(["make", "examples"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert made.returncode == 0, f"make examples failed:\n{made.stdout[-2000:]}{made.stderr[-2000:]}"
    home = tmp_path_factory.mktemp("home")
    shell = UserShell(home, sys.executable)
    for snippet in [s for s in all_snippets("sh") if _is_install(s)]:
        completed = shell.bash(snippet.code + "\ncommand -v python\n")
        assert completed.returncode == 0, f"{snippet.where} failed:\n{completed.stderr[-3000:]}"
        shell.python = completed.stdout.strip().splitlines()[-1]
    assert shell.python != sys.executable, "no install block set up a Python of its own"
    return shell


def test_every_block_names_a_language_the_tests_know() -> None:
    for document in DOCUMENTS:
        for snippet in snippets(document):
            assert snippet.language in LANGUAGES, f"{snippet.where}: language {snippet.language!r}"


@pytest.mark.parametrize(
    "snippet",
    [s for s in all_snippets("sh") if not _is_install(s) and not _is_make(s)],
    ids=lambda s: s.where,
)
def test_shell_block(snippet: Snippet, user_shell: UserShell) -> None:
    completed = user_shell.bash(snippet.code)
    assert completed.returncode == 0, (
        f"{snippet.where}:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
    )


def _make_commands() -> list[tuple[Snippet, str]]:
    return [(s, line) for s in all_snippets("sh") if _is_make(s) for line in command_lines(s)]


def test_the_suite_command_is_what_ci_runs() -> None:
    documented = {line for _snippet, line in _make_commands()}
    assert THE_SUITE in documented
    assert f"timeout --kill-after=60 85m {THE_SUITE} " in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize(
    "command",
    [line for _s, line in _make_commands() if line.startswith(LONG_RUNNING)],
)
def test_documented_server_starts_and_serves(command: str, user_shell: UserShell) -> None:
    """`make serve` / `make lite-serve` as documented, on a free port (PORT= / LITE_PORT=)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    variable = "LITE_PORT" if "lite" in command else "PORT"
    process = subprocess.Popen(
        f"{command} {variable}={port}",
        shell=True,
        cwd=ROOT,
        env=user_shell.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:  # the server says where it listens once it does
            if f"127.0.0.1:{port}" in line:
                break
        else:
            pytest.fail(f"{command} ended ({process.wait()}) without serving")
        path = "lab/index.html" if "lite" in command else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=60) as response:
            assert response.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


@pytest.mark.parametrize(
    "document",
    [d for d in DOCUMENTS if any(s.language == "python" for s in snippets(d))],
    ids=lambda d: d.name,
)
def test_python_blocks(document: Path, user_shell: UserShell, tmp_path: Path) -> None:
    """A document's Python blocks, in order, in one interpreter: a block may use earlier names."""
    blocks = [{"where": s.where, "code": s.code} for s in snippets(document) if s.language == "python"]
    runner = tmp_path / "run_blocks.py"
    runner.write_text(
        "import json, sys\n"
        "namespace = {'__name__': '__main__'}\n"
        "for block in json.load(open(sys.argv[1])):\n"
        "    exec(compile(block['code'], block['where'], 'exec'), namespace)\n"
    )
    (tmp_path / "blocks.json").write_text(json.dumps(blocks))
    completed = subprocess.run(
        [user_shell.python, str(runner), str(tmp_path / "blocks.json")],
        cwd=ROOT,
        env=user_shell.environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr


def _cell_text(text: str) -> str:
    lines = (line.split("  #")[0].rstrip() for line in text.strip().splitlines())
    return "\n".join(lines)


@pytest.mark.parametrize("snippet", all_snippets("ipython"), ids=lambda s: s.where)
def test_notebook_cells_are_cells_of_the_example_notebook(snippet: Snippet) -> None:
    """`ipython` blocks are notebook cells: the shipped notebook has each, and the notebook tests run
    it (tests/notebook in ipykernel, playwright/test_lite.py in JupyterLite)."""
    notebook = json.loads((ROOT / "lite" / "content" / "pywasi_web.ipynb").read_text())
    cells = [_cell_text("".join(cell["source"])) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert _cell_text(snippet.code) in cells, f"{snippet.where} is not a cell of the example notebook"

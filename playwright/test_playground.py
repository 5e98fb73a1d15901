"""The playground page: every example runs and shows its output in the terminal, stdin typed in the
terminal reaches the guest, uploads (programs and files), downloads, Stop, and errors shown plainly.

Expectations come from each example's own behaviour and its defaults in examples/index.json.
All tests share the session page (one Pyodide boot); the Stop test restarts the worker, so it runs last.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import wasmtime
from playwright.sync_api import expect

from pywasi_web.cli.serve import example_manifest, examples_dir

pytestmark = pytest.mark.browser

EXAMPLES = {example["name"]: example for example in example_manifest()}
TERMINAL_SHOWS = "(text) => window.playground.terminalText().includes(text)"


def terminal(page: Any) -> str:
    text: str = page.evaluate("window.playground.terminalText()")
    return text


def wait_for_terminal(page: Any, text: str, timeout: float = 10_000) -> None:
    try:
        page.wait_for_function(TERMINAL_SHOWS, arg=text, timeout=timeout)
    except Exception:
        raise AssertionError(f"the terminal never showed {text!r}; it shows:\n{terminal(page)}") from None


def wait_for_exit(page: Any) -> str:
    exit_line = page.get_by_test_id("exit")
    exit_line.filter(has_text="exit").wait_for(timeout=30_000)
    return str(exit_line.inner_text())


def run_program(
    page: Any, program: str | None = None, *, args: str | None = None, stdin: str | None = None
) -> str:
    """Select `program` (its defaults fill the form), override args/stdin, click Run; the exit line."""
    if program is not None:
        page.get_by_test_id("example").select_option(program)
    if args is not None:
        page.get_by_test_id("args").fill(args)
    if stdin is not None:
        page.get_by_test_id("stdin").fill(stdin)
    page.get_by_test_id("run").click()
    return wait_for_exit(page)


def upload_wasm(page: Any, name: str, data: bytes) -> None:
    payload = {"name": name, "mimeType": "application/wasm", "buffer": data}
    page.get_by_test_id("upload-wasm").set_input_files(payload)
    selected = "(value) => document.getElementById('example').value === value"
    page.wait_for_function(selected, arg=f"upload:{name}")  # the page reads the file asynchronously


def upload_file(page: Any, name: str, data: bytes) -> None:
    payload = {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    page.get_by_test_id("upload-files").set_input_files(payload)
    page.locator(f'#files li[data-path="/data/{name}"]').wait_for()


def error_message(page: Any) -> str:
    page.get_by_test_id("error").wait_for()
    return str(page.get_by_test_id("error-message").inner_text())


def status_and_run_disabled(page: Any) -> tuple[str, bool]:
    """The status line's first word and whether Run is disabled, read at one instant."""
    script = "[document.getElementById('status').textContent, document.getElementById('run').disabled]"
    status, disabled = page.evaluate(script)
    return status.split()[0].rstrip(","), disabled


def wc_line(text: str, name: str) -> str:
    """What wc prints for a file: lines, words, bytes, name."""
    data = text.encode()
    lines = data.count(b"\n")
    return f"{lines:7} {len(data.split()):7} {len(data):7} {name}"


def test_page_reports_how_input_blocks(page: Any) -> None:
    assert page.get_by_test_id("status").inner_text().startswith("ready")
    assert "JSPI" in page.get_by_test_id("status").inner_text()
    assert page.get_by_test_id("progress").is_hidden()
    options = page.get_by_test_id("example").locator("option").all_inner_texts()
    assert options[: len(EXAMPLES)] == list(EXAMPLES)


def test_hello_prints_its_arguments_and_environment(page: Any) -> None:
    example = EXAMPLES["hello"]
    page.get_by_test_id("example").select_option("hello")
    assert page.get_by_test_id("description").inner_text() == example["description"]
    assert page.get_by_test_id("args").input_value() == "world 'two words'"
    assert run_program(page, "hello").startswith("exit 0")
    wait_for_terminal(page, "hello from wasm world two words")
    for name, value in example["env"].items():
        wait_for_terminal(page, f"{name}={value}")


def test_hello_with_edited_arguments_and_environment(page: Any) -> None:
    page.get_by_test_id("example").select_option("hello")
    page.get_by_test_id("env").fill("GREETING=hi there\nEMPTY=")
    run_program(page, args="""a "b c" 'it'"'"'s'""")
    wait_for_terminal(page, "hello from wasm a b c it's")
    assert "GREETING=hi there" in terminal(page)
    assert "USER=" not in terminal(page)


def test_wc_counts_the_example_files(page: Any) -> None:
    files = EXAMPLES["wc"]["files"]
    assert run_program(page, "wc").startswith("exit 0")
    for path, text in files.items():
        wait_for_terminal(page, wc_line(text, path))
    wait_for_terminal(page, wc_line("".join(files.values()), "total"))


def test_httpget_fetches_from_the_serve_command_through_the_fetch_bridge(page: Any) -> None:
    path = EXAMPLES["httpget"]["args"][0]
    assert EXAMPLES["httpget"]["sockets"] == [{"fetch": "/"}]
    assert run_program(page, "httpget").startswith("exit 0")
    wait_for_terminal(page, "HTTP/1.1 200 OK")
    wait_for_terminal(page, "Connection: close")
    wait_for_terminal(page, '"pywasi_web": "pywasi_web-')  # the wheel index the page's server sends
    wait_for_terminal(page, f"bytes from GET {path}")


def test_wc_counts_an_uploaded_file_and_it_can_be_downloaded(page: Any) -> None:
    text = "uploaded from the test\nthree short lines\nend\n"
    page.get_by_test_id("example").select_option("wc")
    upload_file(page, "mine.txt", text.encode())
    run_program(page, args="/data/mine.txt")
    wait_for_terminal(page, wc_line(text, "/data/mine.txt"))
    with page.expect_download() as download:
        page.locator('#files li[data-path="/data/mine.txt"] a').click()
    assert download.value.suggested_filename == "mine.txt"
    assert Path(download.value.path()).read_text() == text


def test_ls_lists_the_example_files_and_uploads(page: Any) -> None:
    page.get_by_test_id("example").select_option("ls")
    upload_file(page, "upload.bin", bytes(1234))
    assert run_program(page).startswith("exit 0")
    files = {**EXAMPLES["ls"]["files"], "/data/upload.bin": "\0" * 1234}
    expected = ls_listing({path: len(text.encode()) for path, text in files.items()})
    wait_for_terminal(page, expected)
    assert terminal(page) == expected


def ls_listing(sizes: dict[str, int]) -> str:
    """What ls prints for these files: the tree from /, two spaces per level, sorted, with sizes."""
    lines = ["/"]
    shown: set[tuple[str, ...]] = set()
    for path in sorted(sizes):
        *directories, name = path.strip("/").split("/")
        for depth in range(1, len(directories) + 1):
            if tuple(directories[:depth]) not in shown:
                shown.add(tuple(directories[:depth]))
                lines.append("  " * depth + directories[depth - 1] + "/")
        lines.append("  " * (len(directories) + 1) + f"{name}  {sizes[path]} bytes")
    return "\n".join(lines)


def test_files_panel_shows_what_the_guest_left(page: Any) -> None:
    run_program(page, "ls")
    items = page.locator("#files li[data-path]")
    paths = items.evaluate_all("items => items.map((item) => item.dataset.path)")
    assert paths == sorted(EXAMPLES["ls"]["files"])


def test_interactive_stdin_round_trip_through_the_terminal(page: Any) -> None:
    page.get_by_test_id("example").select_option("prompt")
    page.get_by_test_id("run").click()
    wait_for_terminal(page, "What is your name? (quit ends) >")
    assert "Ctrl-D" in page.get_by_test_id("input-hint").inner_text()
    page.keyboard.type("Ada")
    page.keyboard.press("Enter")
    wait_for_terminal(page, "Hello, Ada! Your name has 3 letters.")
    # Green, from the ANSI escape. xterm paints its DOM on the next animation frame, after the buffer
    # that wait_for_terminal reads, so the painted span is waited for.
    expect(page.locator("#terminal .xterm-fg-2", has_text="Ada")).to_have_count(1)
    page.keyboard.type("quitx")
    page.keyboard.press("Backspace")  # the line is edited before Enter sends it
    page.keyboard.press("Enter")
    assert wait_for_exit(page).startswith("exit 0")
    wait_for_terminal(page, "bye: 1 greeting")


def test_ctrl_d_ends_input(page: Any) -> None:
    page.get_by_test_id("example").select_option("prompt")
    page.get_by_test_id("run").click()
    wait_for_terminal(page, "What is your name?")
    page.keyboard.press("Control+D")
    assert wait_for_exit(page).startswith("exit 0")
    wait_for_terminal(page, "end of input, bye")


def test_stdin_box_is_given_up_front(page: Any) -> None:
    run_program(page, "prompt", stdin="Grace\nquit\n")
    wait_for_terminal(page, "Hello, Grace! Your name has 5 letters.")
    wait_for_terminal(page, "bye: 1 greeting")


def test_uploaded_wasm_runs(page: Any) -> None:
    upload_wasm(page, "echo.wasm", (examples_dir() / "echo.wasm").read_bytes())
    assert page.get_by_test_id("description").inner_text().startswith("echo.wasm: uploaded")
    page.get_by_test_id("stdin").fill("one\ntwo\n")
    page.get_by_test_id("run").click()
    assert wait_for_exit(page).startswith("exit 3")
    wait_for_terminal(page, "ready\ngot: one\ngot: two\nbye")


def test_corrupt_wasm_is_a_clear_error(page: Any) -> None:
    upload_wasm(page, "corrupt.wasm", b"\0asm\x01\x00\x00\x00\x05\xff\xff")
    page.get_by_test_id("run").click()
    message = error_message(page)
    assert message.startswith("This module cannot run: this is not a valid WebAssembly module"), message
    assert "Traceback" not in message


def test_missing_import_is_named(page: Any) -> None:
    module = bytes(
        wasmtime.wat2wasm(
            '(module (import "env" "foo" (func)) (memory (export "memory") 1) (func (export "_start")))'
        )
    )
    upload_wasm(page, "needs_foo.wasm", module)
    page.get_by_test_id("run").click()
    message = error_message(page)
    assert message == "This module cannot run: it needs env.foo, which is not provided here", message
    assert "wasi_snapshot_preview1" in page.get_by_test_id("error-help").inner_text()


def test_an_uploaded_reactor_has_its_export_called(page: Any) -> None:
    """A library (a WASI reactor) is instantiated and the export the arguments name is called."""
    module = bytes(
        wasmtime.wat2wasm(
            """(module (memory (export "memory") 1) (func (export "_initialize"))
               (func (export "triple") (param i64) (result i64) (i64.mul (local.get 0) (i64.const 3))))"""
        )
    )
    upload_wasm(page, "library.wasm", module)
    assert run_program(page, args="").startswith("exit 0")
    wait_for_terminal(page, "exports: triple")
    wait_for_terminal(page, "name one of these exports first in Arguments")
    assert run_program(page, args="triple 3000000000").startswith("exit 0")  # past i32: an i64 export
    wait_for_terminal(page, "triple(3000000000) = 9000000000")


def test_trap_shows_its_backtrace(page: Any) -> None:
    upload_wasm(page, "trap.wasm", (examples_dir() / "trap.wasm").read_bytes())
    page.get_by_test_id("run").click()
    assert wait_for_exit(page).startswith("exit 134")
    assert error_message(page).startswith("The program crashed: ")
    assert "the guest trapped" not in error_message(page)
    assert "unreachable" in page.get_by_test_id("error-help").inner_text()
    backtrace = page.get_by_test_id("backtrace").inner_text()
    assert backtrace.startswith("wasm backtrace:") and "wasm-function" in backtrace
    wait_for_terminal(page, "about to trap")


@contextmanager
def playground(browser: Any, url: str) -> Iterator[Any]:
    """A page of its own (its own worker and Pyodide boot), booted."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.pywasiRuntime !== undefined", timeout=60_000)
    try:
        yield page
    finally:
        context.close()


def test_without_blocking_the_page_says_why_input_is_not_interactive(browser: Any, server_url: str) -> None:
    with playground(browser, server_url + "?blocking=none") as page:
        status = page.get_by_test_id("status").inner_text()
        assert status.endswith("input is not interactive: stdin is given up front"), status
        hint = page.get_by_test_id("input-hint").inner_text()
        assert hint.startswith("Input is not interactive: waiting is turned off (?blocking=none)"), hint
        assert "reads only the stdin box" in hint
        run_program(page, "prompt")  # stdin box empty: the guest reads end of input at once
        wait_for_terminal(page, "end of input, bye")
        run_program(page, "prompt", stdin="Lin\nquit\n")
        wait_for_terminal(page, "Hello, Lin! Your name has 3 letters.")


def test_terminal_input_through_atomics(browser: Any, server_url: str) -> None:
    with playground(browser, server_url + "?blocking=atomics") as page:
        assert "Atomics.wait" in page.get_by_test_id("status").inner_text()
        page.get_by_test_id("example").select_option("prompt")
        page.get_by_test_id("run").click()
        wait_for_terminal(page, "What is your name?")
        page.keyboard.type("Max")
        page.keyboard.press("Enter")
        wait_for_terminal(page, "Hello, Max! Your name has 3 letters.")
        page.keyboard.press("Control+D")
        assert wait_for_exit(page).startswith("exit 0")


def test_stop_kills_an_infinite_loop_and_the_next_run_works(page: Any) -> None:
    # Last: Stop terminates the worker, which boots Pyodide again.
    upload_wasm(page, "spin.wasm", (examples_dir() / "spin.wasm").read_bytes())
    page.get_by_test_id("run").click()
    wait_for_terminal(page, "spinning")  # sent at once, though the guest never yields to a timer
    began = time.monotonic()
    page.get_by_test_id("stop").click()
    assert wait_for_exit(page).startswith("exit 124")
    assert time.monotonic() - began < 2
    assert page.get_by_test_id("notice").inner_text().startswith("Stopped: you stopped the program")
    assert page.get_by_test_id("error").is_hidden()  # stopping is not an error
    # Run waits for the new worker
    assert status_and_run_disabled(page) in [("loading", True), ("ready", False)]
    assert run_program(page, "hello", args="again").startswith("exit 0")
    wait_for_terminal(page, "hello from wasm again")
    page.get_by_test_id("status").filter(has_text="ready").wait_for()


def test_a_run_timeout_restarts_the_worker_and_the_page_follows(page: Any) -> None:
    """A timeoutMs kill inside the runtime (not the Stop button) is shown too: loading, then ready.

    Every status the page shows is recorded as it changes (the new worker's boot may already have
    replaced "restarting" by the time the run's result reaches the test, on a busy machine)."""
    exit_code = page.evaluate(
        """async () => {
            const status = document.getElementById("status");
            window.statuses = [];
            new MutationObserver(() => window.statuses.push(status.textContent)).observe(
                status, {childList: true, characterData: true, subtree: true});
            return (await window.pywasiRuntime.run('examples/spin.wasm', {timeoutMs: 300})).exitCode;
        }"""
    )
    assert exit_code == 124
    # Run is disabled until the new worker is ready
    assert status_and_run_disabled(page) in [("loading", True), ("ready", False)]
    page.get_by_test_id("status").filter(has_text="ready").wait_for(timeout=60_000)
    statuses = page.evaluate("window.statuses")
    assert statuses[0].startswith("loading Python in the worker: restarting"), statuses
    assert statuses[-1].startswith("ready"), statuses
    assert run_program(page, "hello", args="after").startswith("exit 0")


def test_manifest_names_built_examples(server_url: str) -> None:
    for name in EXAMPLES:
        assert (examples_dir() / f"{name}.wasm").read_bytes()[:4] == b"\0asm"
    served = json.loads((examples_dir() / "index.json").read_text())
    unhashed = [{key: value for key, value in example.items() if key != "sha256"} for example in served]
    assert unhashed == list(EXAMPLES.values())
    for example in served:  # the playground asks for NAME.wasm?v=SHA256, a URL naming the content
        digest = hashlib.sha256((examples_dir() / f"{example['name']}.wasm").read_bytes()).hexdigest()
        assert example["sha256"] == digest

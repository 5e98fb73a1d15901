"""The newcomer's path through the playground, in a fresh page: read the introduction and follow
the docs links, run every example and gallery program, edit a file and run again, read the trace,
share the run and reopen the link. Then the layout at desktop and phone width, light and dark; with
PYWASI_WEB_SCREENSHOTS=1 it also writes the screenshots README.md and docs/browser.md show.

Expected output comes from each program's own behaviour; the gallery's output file is compared
with what wasmtime's own WASI makes of the same inputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from test_playground import run_program, terminal, wait_for_exit, wait_for_terminal, wc_line

from pywasi_web.cli.serve import REPO_ROOT, example_manifest, examples_dir
from tests.oracle import run_oracle
from tests.test_gallery import case

pytestmark = pytest.mark.browser

MANIFEST = {example["name"]: example for example in example_manifest()}
SCREENSHOTS = REPO_ROOT / "docs" / "img"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def fibonacci(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def first_primes(count: int) -> list[int]:
    primes: list[int] = []
    candidate = 2
    while len(primes) < count:
        if all(candidate % prime for prime in primes):
            primes.append(candidate)
        candidate += 1
    return primes


@pytest.fixture
def fresh(browser: Any, open_playground: Any) -> Iterator[Any]:
    """A new page in a context of its own (a newcomer's first visit), at desktop size."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield open_playground(context)
    finally:
        context.close()


def screenshot(page: Any, name: str) -> None:
    """docs/img/NAME, only when PYWASI_WEB_SCREENSHOTS=1 (so an ordinary run never changes git)."""
    if os.environ.get("PYWASI_WEB_SCREENSHOTS") == "1":
        page.screenshot(path=SCREENSHOTS / name)


def type_line(page: Any, line: str) -> None:
    page.keyboard.type(line)
    page.keyboard.press("Enter")


def run_each(page: Any, name: str, tmp_path: Path) -> None:
    """Run one program with its defaults, as a newcomer would, and check what it did."""
    example = MANIFEST[name]
    page.get_by_test_id("example").select_option(name)
    assert page.get_by_test_id("description").inner_text() == example["description"]
    if name in ("prompt", "python"):  # interactive: typed into the terminal
        page.get_by_test_id("run").click()
        wait_for_terminal(page, "What is your name?" if name == "prompt" else ">>>", timeout=60_000)
        type_line(page, "Ada" if name == "prompt" else "print(6 * 7)")
        wait_for_terminal(page, "Hello, Ada!" if name == "prompt" else f"\n{6 * 7}\n>>>")
        page.keyboard.press("Control+D")
        exit_line = wait_for_exit(page)
    else:
        exit_line = run_program(page)
    assert exit_line.startswith("exit 0"), f"{name}: {exit_line}\n{terminal(page)}"
    expect(page.get_by_test_id("error")).to_be_hidden()  # stderr of a successful run is no error
    if name == "hello":
        wait_for_terminal(page, f"hello from wasm {' '.join(example['args'])}")
    elif name == "wc":
        wait_for_terminal(page, wc_line("".join(example["files"].values()), "total"))
    elif name == "ls":
        for path, text in example["files"].items():
            wait_for_terminal(page, f"{path.rsplit('/', 1)[1]}  {len(text.encode())} bytes")
    elif name == "httpget":
        wait_for_terminal(page, "HTTP/1.1 200 OK")
    elif name == "calc":  # a reactor: its export called with the arguments, the i64 result exact
        export, count = example["args"]
        wait_for_terminal(page, f"{export}({count}) = {fibonacci(int(count))}")
    elif name == "hello-component":  # a WASI 0.2 component, run like a module
        wait_for_terminal(page, f"hello from wasm {' '.join(example['args'])}")
    elif name == "python":
        wait_for_terminal(page, "1 1\n2 4\n3 9\n4 16\n5 25")  # /data/hello.py's squares
        # the prompts are stderr: yellow, not an error's red (xterm's classes for ANSI 33 and 31/91)
        expect(page.locator("#terminal .xterm-fg-3", has_text=">>>").first).to_be_visible()
        expect(page.locator("#terminal .xterm-fg-1, #terminal .xterm-fg-9")).to_have_count(0)
        expect(page.locator("#files li[data-path='/data/squares.txt'] .badge")).to_have_text("new")
    elif name == "quickjs":
        wait_for_terminal(page, f"the first ten primes: {' '.join(map(str, first_primes(10)))}")
    elif name == "avr-as":
        check_download(page, example, tmp_path)


def check_download(page: Any, example: dict[str, Any], tmp_path: Path) -> None:
    """The compiler's output file downloads, the same bytes wasmtime's WASI makes of the same input."""
    with page.expect_download() as download:
        page.get_by_test_id("output-download").click()
    output = example["output"]
    assert download.value.suggested_filename == output.rsplit("/", 1)[1]
    got = Path(download.value.path()).read_bytes()
    expected = run_oracle(examples_dir() / f"{example['name']}.wasm", case(example), tmp_path / "oracle")
    assert expected.tree is not None and got == expected.tree[output.lstrip("/")]
    assert got[:4] == b"\x7fELF"


def test_newcomer_path(fresh: Any, tmp_path: Path, server_url: str, wait_ready: Any) -> None:
    page = fresh
    assert "WebAssembly" in page.get_by_test_id("intro").inner_text()
    for link in page.locator("nav.links a").all():
        response = page.request.get(server_url + str(link.get_attribute("href")).split("#")[0])
        assert response.ok and response.text().startswith("#"), link.get_attribute("href")
    groups = page.locator("#example optgroup").evaluate_all("groups => groups.map((group) => group.label)")
    assert len(groups) == 2 and groups[1].startswith("Gallery")

    for name in MANIFEST:
        run_each(page, name, tmp_path)

    # edit a file in the editor, run again: the program sees the edit
    page.get_by_test_id("example").select_option("quickjs")
    page.locator("#files li[data-path='/data/primes.js'] .name").click()
    expect(page.get_by_test_id("file-path")).to_have_text("/data/primes.js")
    edited = 'console.log("edited " + 6 * 7);\n'
    page.get_by_test_id("file-editor").fill(edited)
    expect(page.get_by_test_id("file-state")).to_contain_text("edited")
    with page.expect_download() as download:  # the file as edited, before any run
        page.get_by_test_id("file-download").click()
    assert Path(download.value.path()).read_text() == edited
    assert run_program(page).startswith("exit 0")
    wait_for_terminal(page, f"edited {6 * 7}")

    # the trace of that run: every call, a summary per call, a filter
    page.get_by_test_id("tab-trace").click()
    expect(page.locator("#trace-summary tr[data-call='fd_write']")).to_have_count(1)
    screenshot(page, "playground-trace.png")
    total = int(page.get_by_test_id("trace-status").inner_text().split(" of ")[1].split()[0])
    page.get_by_test_id("trace-filter").fill("fd_write")
    expect(page.get_by_test_id("trace-status")).not_to_contain_text(f"{total} of {total}")
    calls = page.locator("#trace-calls li").all_inner_texts()
    assert calls and all(call.startswith("fd_write(") for call in calls)
    assert page.locator("#trace-summary tbody tr").count() == 1
    page.get_by_test_id("trace-filter").fill("")
    page.get_by_test_id("trace-errors").check()
    assert all(" = 0 " not in call for call in page.locator("#trace-calls li").all_inner_texts())

    # share the run; the link restores the program, its arguments and the edited file
    page.get_by_test_id("args").fill("/data/primes.js extra")
    page.get_by_test_id("env").fill("GREETING=hi there")
    page.get_by_test_id("share").click()
    link = page.get_by_test_id("share-link").input_value()
    assert "#run=" in link
    other = page.context.new_page()
    other.goto(link)
    wait_ready(other)
    assert other.get_by_test_id("example").input_value() == "quickjs"
    assert other.get_by_test_id("args").input_value() == "/data/primes.js extra"
    assert other.get_by_test_id("env").input_value() == "GREETING=hi there"
    other.locator("#files li[data-path='/data/primes.js'] .name").click()
    assert other.get_by_test_id("file-editor").input_value() == edited
    assert run_program(other).startswith("exit 0")
    wait_for_terminal(other, f"edited {6 * 7}")


DROP = """([name, bytes]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name));
    return transfer;
}"""


def drop(page: Any, name: str, data: bytes) -> None:
    """Drop a file on the files panel, as dragging it from the desktop does."""
    transfer = page.evaluate_handle(DROP, [name, list(data)])
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})


def test_dropped_files_new_files_and_a_dropped_program(fresh: Any, wait_ready: Any) -> None:
    page = fresh
    page.get_by_test_id("example").select_option("wc")
    text = "dropped on the page\n"
    drop(page, "dropped.txt", text.encode())
    page.locator("#files li[data-path='/data/dropped.txt']").wait_for()
    page.once("dialog", lambda dialog: dialog.accept("/data/made.txt"))
    page.get_by_test_id("new-file").click()
    expect(page.get_by_test_id("file-path")).to_have_text("/data/made.txt")
    made = "typed into the editor\nsecond line\n"
    page.get_by_test_id("file-editor").fill(made)
    assert run_program(page, args="/data/dropped.txt /data/made.txt").startswith("exit 0")
    wait_for_terminal(page, wc_line(text, "/data/dropped.txt"))
    wait_for_terminal(page, wc_line(made, "/data/made.txt"))

    drop(page, "mine.wasm", (examples_dir() / "hello.wasm").read_bytes())
    expect(page.get_by_test_id("example")).to_have_value("upload:mine.wasm")
    assert run_program(page, args="dropped").startswith("exit 0")
    wait_for_terminal(page, "hello from wasm dropped")
    page.get_by_test_id("share").click()  # an uploaded program cannot travel in a link: it says so
    expect(page.get_by_test_id("share-note")).to_contain_text("an uploaded .wasm is not in the link")
    other = page.context.new_page()
    other.goto(page.get_by_test_id("share-link").input_value())
    wait_ready(other)  # the link restores the inputs and files, and asks for the program
    expect(other.get_by_test_id("notice")).to_contain_text("made with mine.wasm, which is not on this page")
    assert other.get_by_test_id("args").input_value() == "dropped"
    other.locator("#files li[data-path='/data/made.txt']").wait_for()


def test_the_tree_shows_what_the_guest_made_directories_included(page: Any) -> None:
    script = "import os\nos.makedirs('/data/made/empty')\nos.symlink('hello.py', '/data/link.py')\n"
    run_program(page, "python", stdin=script)
    expect(page.locator("#files li.dir > span", has_text="empty/")).to_have_count(1)  # an empty directory
    link = page.locator("#files li[data-path='/data/link.py']")
    expect(link).to_contain_text("link.py → hello.py")
    expect(link.locator(".badge")).to_have_text("new")
    directory = page.evaluate(
        "async () => (await window.pywasiRuntime.run('examples/ls.wasm',"
        " {files: {'/d': null}, returnFiles: 'all'})).trees['/'].d === null"
    )
    assert directory, "a directory of the JS API's trees is not null"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_layout_fits_and_follows_the_colour_scheme(
    browser: Any, open_playground: Any, scheme: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    try:
        page = open_playground(context)
        page.get_by_test_id("example").select_option("python")
        page.get_by_test_id("run").click()
        wait_for_terminal(page, ">>>", timeout=60_000)
        type_line(page, "[n * n for n in range(8)]")
        wait_for_terminal(page, str([n * n for n in range(8)]))
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways: {width} px"
        background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        luminance = sum(int(part) for part in background[4:-1].split(",")[:3]) / 3
        assert (luminance < 128) == (scheme == "dark"), background
        screenshot(page, f"playground-{'desktop' if viewport is DESKTOP else 'phone'}-{scheme}.png")
        page.keyboard.press("Control+D")
        assert wait_for_exit(page).startswith("exit 0")
    finally:
        context.close()

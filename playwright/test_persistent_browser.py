"""Persistent mounts in Chromium: an IndexedDB store outlives the page, a killed write-back leaves
the old or the new state, a full quota gives ENOSPC and loses nothing, two tabs cannot both mount
one store, and stores can be listed, exported, imported and cleared.

These tests use their own browser context (IndexedDB and Web Locks are per context), so the shared
playground page is not disturbed; a reload there is a real page reload and worker restart.
"""

from __future__ import annotations

import io
import itertools
import tarfile
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.browser

_names = itertools.count()


def fresh_store() -> str:
    return f"test-{time.time_ns()}-{next(_names)}"


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture(scope="module")
def tab(context: Any, open_playground: Any) -> Any:
    return open_playground(context)


@pytest.fixture(params=["indexeddb", "opfs"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both persistent backends pass the same tests."""
    return str(request.param)


RUN = """async ([store, backend, args]) => {
    const r = await window.pywasiRuntime.run("examples/store.wasm",
        {args, mounts: {"/home": {persistent: store, backend}}, timeoutMs: 120000});
    return {exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, error: r.error ?? null};
}"""


def run(page: Any, store: str, backend: str, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(RUN, [store, backend, list(args)])
    return result


def wait_rebooted(page: Any) -> None:
    """After rt.kill(): until the new worker is ready; on a timeout, say where its boot stood."""
    try:
        # polled on a timer: requestAnimationFrame (the default) can pause for a page in the background
        page.wait_for_function("window.pywasiRuntime.info !== null", timeout=90_000, polling=200)
    except Exception as error:
        status = page.evaluate("document.getElementById('status').textContent")
        raise AssertionError(f"the worker did not restart after a kill; status: {status!r}") from error


def start_holding(page: Any, store: str, backend: str, text: str) -> None:
    """Start `store hold /home/held TEXT` in the page; it keeps /home mounted until stdin ends."""
    page.evaluate(
        """([store, backend, text]) => {
            window.holding = false;
            window.held = window.pywasiRuntime.run("examples/store.wasm", {
                args: ["hold", "/home/held", text], mounts: {"/home": {persistent: store, backend}},
                interactive: true, timeoutMs: 120000,
                onStdout: () => { window.holding = true; },
            });
        }""",
        [store, backend, text],
    )
    page.wait_for_function("window.holding === true", timeout=60_000, polling=100)


def finish_holding(page: Any) -> dict[str, Any]:
    page.evaluate("window.pywasiRuntime.closeStdin()")
    result: dict[str, Any] = page.evaluate(
        "window.held.then(r => ({exitCode: r.exitCode, error: r.error ?? null}))"
    )
    return result


def test_content_survives_a_reload(tab: Any, backend: str, wait_ready: Any) -> None:
    store = fresh_store()
    assert run(tab, store, backend, "write", "/home/note.txt", "kept")["exitCode"] == 0
    # no fsync: the write-back at close keeps it
    assert run(tab, store, backend, "append", "/home/note.txt", " and more")["exitCode"] == 0
    tab.reload()
    wait_ready(tab)
    again = run(tab, store, backend, "read", "/home/note.txt")
    assert again == {"exitCode": 0, "stdout": "kept and more", "stderr": "", "error": None}
    assert store in tab.evaluate("backend => window.pywasiRuntime.stores(backend)", backend)


def test_sync_writes_back_a_running_guest(tab: Any, backend: str) -> None:
    """rt.sync() commits what a guest wrote but has not closed; a kill after it keeps the bytes."""
    store = fresh_store()
    start_holding(tab, store, backend, "synced by the page")
    assert tab.evaluate("window.pywasiRuntime.sync()") is None
    tab.evaluate("window.pywasiRuntime.kill('test')")
    wait_rebooted(tab)
    assert run(tab, store, backend, "read", "/home/held")["stdout"] == "synced by the page"


def test_without_sync_a_kill_loses_only_unsynced_writes(tab: Any, backend: str) -> None:
    store = fresh_store()
    assert run(tab, store, backend, "write", "/home/held", "old")["exitCode"] == 0
    start_holding(tab, store, backend, "never written back")
    tab.evaluate("window.pywasiRuntime.kill('test')")
    wait_rebooted(tab)
    assert run(tab, store, backend, "read", "/home/held")["stdout"] == "old"


def test_a_killed_write_back_leaves_old_or_new(tab: Any, backend: str) -> None:
    """The worker is terminated at several moments of a 48 MiB write-back: every reload sees one
    complete version of the file, never a mix, and some kills land after the commit, some before."""
    store = fresh_store()
    old = f"{1 << 20} A uniform\n"
    assert run(tab, store, backend, "fill", "/home/f", "1", "A")["exitCode"] == 0
    assert run(tab, store, backend, "check", "/home/f")["stdout"] == old
    started = time.perf_counter()
    assert run(tab, store, backend, "fill", "/home/f", "48", "B")["exitCode"] == 0
    full = time.perf_counter() - started
    assert run(tab, store, backend, "check", "/home/f")["stdout"] == f"{48 << 20} B uniform\n"
    seen = set()
    for fraction, letter in zip((0.3, 0.5, 0.7, 0.85, 0.95), "CDEFG", strict=True):
        before = run(tab, store, backend, "check", "/home/f")["stdout"]
        tab.evaluate(
            """([store, backend, letter]) => { window.pywasiRuntime.run("examples/store.wasm", {
                args: ["fill", "/home/f", "48", letter], mounts: {"/home": {persistent: store, backend}},
            }); }""",
            [store, backend, letter],
        )
        time.sleep(full * fraction)
        tab.evaluate("window.pywasiRuntime.kill('killed mid write-back')")
        wait_rebooted(tab)
        after = run(tab, store, backend, "check", "/home/f")["stdout"]
        assert after in (before, f"{48 << 20} {letter} uniform\n"), (fraction, before, after)
        seen.add("new" if after != before else "old")
    assert "old" in seen  # at least one kill interrupted a write-back


def test_two_tabs_cannot_both_mount_a_store(
    context: Any, tab: Any, open_playground: Any, backend: str
) -> None:
    store = fresh_store()
    other = open_playground(context)
    try:
        start_holding(tab, store, backend, "first tab")
        refused = run(other, store, backend, "write", "/home/x", "second tab")
        assert refused["exitCode"] is None
        assert refused["error"]["message"] == f'persistent store "{store}" is in use by another tab or run'
        clear = other.evaluate(
            "([name, backend]) => window.pywasiRuntime.clearStore(name, backend).catch(e => e.message)",
            [store, backend],
        )
        assert "in use by another tab" in clear
        assert finish_holding(tab) == {"exitCode": 0, "error": None}
        assert run(other, store, backend, "read", "/home/held")["stdout"] == "first tab"
        assert run(other, store, backend, "write", "/home/x", "second tab")["exitCode"] == 0
    finally:
        other.close()


def test_export_import_clear(tab: Any, backend: str) -> None:
    store, copy = fresh_store(), fresh_store()
    assert run(tab, store, backend, "write", "/home/a.txt", "alpha")["exitCode"] == 0
    assert run(tab, store, backend, "fill", "/home/sub/b.bin", "1", "Z")["exitCode"] == 1  # no /home/sub yet
    exported = bytes(
        tab.evaluate(
            "([name, backend]) => window.pywasiRuntime.exportStore(name, backend).then(Array.from)",
            [store, backend],
        )
    )
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        names = archive.getnames()
        assert names == ["a.txt"]
        member = archive.extractfile("a.txt")
        assert member is not None and member.read() == b"alpha"
    archive_bytes = io.BytesIO()
    with tarfile.open(fileobj=archive_bytes, mode="w") as archive:
        for name, data in (("a.txt", b"imported"), ("sub/b.txt", b"deep")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    imported = tab.evaluate(
        "([name, bytes, backend]) => window.pywasiRuntime.importStore(name, new Uint8Array(bytes), backend)",
        [copy, list(archive_bytes.getvalue()), backend],
    )
    assert imported is None
    assert run(tab, copy, backend, "read", "/home/a.txt")["stdout"] == "imported"
    assert run(tab, copy, backend, "read", "/home/sub/b.txt")["stdout"] == "deep"
    bad = tab.evaluate(
        """([name, backend]) => window.pywasiRuntime.importStore(name, new Uint8Array([1, 2, 3]), backend)
            .catch(e => e.message)""",
        [copy, backend],
    )
    assert bad.startswith("not a readable .tar archive")
    # a failed import changes nothing
    assert run(tab, copy, backend, "read", "/home/a.txt")["stdout"] == "imported"
    tab.evaluate("([name, backend]) => window.pywasiRuntime.clearStore(name, backend)", [store, backend])
    stores = tab.evaluate("backend => window.pywasiRuntime.stores(backend)", backend)
    assert store not in stores and copy in stores
    missing = tab.evaluate(
        "([name, backend]) => window.pywasiRuntime.exportStore(name, backend).catch(e => e.message)",
        [store, backend],
    )
    assert missing == f"there is no {backend} store named {store!r}"
    assert store not in tab.evaluate("backend => window.pywasiRuntime.stores(backend)", backend)
    assert run(tab, store, backend, "read", "/home/a.txt")["exitCode"] == 1  # cleared: an empty store again


def test_bad_store_name_is_a_clear_error(tab: Any, backend: str) -> None:
    result = run(tab, "", backend, "read", "/home/a")
    assert result["exitCode"] is None
    assert result["error"]["message"].startswith("a persistent store name must be 1 to 200 printable")


def test_full_quota_gives_enospc_and_keeps_what_was_stored(
    browser: Any, server_url: str, open_playground: Any, wait_snapshot_saved: Any, backend: str
) -> None:
    context = browser.new_context()
    try:
        page = open_playground(context)
        store = fresh_store()
        # 4 MiB more than what is used, once the worker's Pyodide snapshot is in OPFS: an origin
        # already over its quota makes Chromium's OPFS hang (see docs/browser.md)
        wait_snapshot_saved(page)
        usage = page.evaluate("navigator.storage.estimate().then(e => e.usage)")
        cdp = context.new_cdp_session(page)
        origin = server_url.rstrip("/")
        cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": usage + (4 << 20)})
        try:
            assert run(page, store, backend, "write", "/home/small", "stored")["exitCode"] == 0
            full = run(page, store, backend, "fill", "/home/big.bin", "16", "B")
        finally:  # the override is the browser's, for every context: later tests need the real quota
            cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin})
        assert full["exitCode"] == 4
        assert "close: No space left on device" in full["stderr"]  # the guest saw ENOSPC
        assert "persistent store is full" in full["error"]["message"]  # the page is told
        assert "quota" in full["error"]["message"]
        assert run(page, store, backend, "read", "/home/small")["stdout"] == "stored"
        assert run(page, store, backend, "read", "/home/big.bin")["exitCode"] == 1  # nothing of it was stored
    finally:
        context.close()


def test_playground_persistent_home(tab: Any, tmp_path: Any, backend: str) -> None:
    """The playground mounts the store at /home when asked, lists it, exports, imports and clears it."""
    from pywasi_web.cli.serve import examples_dir

    store = fresh_store()
    tab.set_input_files("[data-testid=upload-wasm]", str(examples_dir() / "store.wasm"))
    tab.fill("[data-testid=args]", "write /home/p.txt 'from the playground'")
    tab.fill("[data-testid=stdin]", "-")  # not interactive
    if not tab.eval_on_selector("#store-panel", "panel => panel.open"):
        tab.click("#store-panel > summary")  # the store's controls sit in a collapsed panel
    tab.check("[data-testid=persistent]")
    tab.fill("[data-testid=store-name]", store)
    tab.select_option("[data-testid=store-backend]", backend)
    tab.click("[data-testid=run]")
    tab.wait_for_selector(f"[data-testid=stores] [data-store='{store}']")
    assert tab.text_content("[data-testid=exit]").startswith("exit 0")  # type: ignore[union-attr]
    with tab.expect_download() as download:
        tab.click("[data-testid=store-export]")
    exported = tmp_path / "store.tar"
    download.value.save_as(exported)
    with tarfile.open(exported) as archive:
        member = archive.extractfile("p.txt")
        assert member is not None and member.read() == b"from the playground"
    copy = fresh_store()
    tab.fill("[data-testid=store-name]", copy)
    tab.set_input_files("[data-testid=store-import]", str(exported))
    tab.wait_for_selector(f"[data-testid=stores] [data-store='{copy}']")
    assert tab.text_content("[data-testid=store-status]") == f"imported store.tar into {copy}"
    assert run(tab, copy, backend, "read", "/home/p.txt")["stdout"] == "from the playground"
    tab.click("[data-testid=store-clear]")
    tab.wait_for_function(f"!document.querySelector(\"[data-store='{copy}']\")")
    assert tab.text_content("[data-testid=store-status]") == f"cleared {copy}"
    tab.uncheck("[data-testid=persistent]")


STORE_DIRECTORY = """async (store) => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle("pywasi-stores");
    const dir = await root.getDirectoryHandle(encodeURIComponent(store));
    const listing = async () => {
        const names = [];
        for await (const name of dir.keys()) names.push(name);
        return names.sort();
    };
"""


def test_opfs_survives_a_torn_superblock_and_an_orphan_pack(tab: Any) -> None:
    """What a crash mid-commit leaves in OPFS: the slot being written torn (the other slot holds
    the current generation), or a pack no superblock refers to yet. Both load the last commit."""
    store = fresh_store()
    assert run(tab, store, "opfs", "write", "/home/a", "one")["exitCode"] == 0  # generation 1, super-0
    assert run(tab, store, "opfs", "write", "/home/a", "two")["exitCode"] == 0  # generation 2, super-1
    files = tab.evaluate(
        STORE_DIRECTORY
        + """
            const torn = [["super-0", "17:1234\\n{\\"generation\\": 3"], ["pack-99", "partial"]];
            for (const [name, text] of torn) {
                const writable = await (await dir.getFileHandle(name, {create: true})).createWritable();
                await writable.write(text);
                await writable.close();
            }
            return listing();
        }""",
        store,
    )
    assert files == ["pack-2", "pack-99", "super-0", "super-1"]
    assert run(tab, store, "opfs", "read", "/home/a")["stdout"] == "two"
    assert run(tab, store, "opfs", "write", "/home/a", "three")["exitCode"] == 0  # into super-0 again
    assert run(tab, store, "opfs", "read", "/home/a")["stdout"] == "three"
    remaining = tab.evaluate(STORE_DIRECTORY + "return listing(); }", store)
    assert remaining == ["pack-3", "super-0", "super-1"]  # the orphan and generation 2's pack went

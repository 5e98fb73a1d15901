"""URL mounts, kept mounts and changed-files-only results, in Chromium through the JS API.

The playground server runs in this process, so a test sees every request it answers (and each
one's Range header) by recording them: a URL mount must fetch only the manifest and what the
guest reads, a large file only the blocks read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_atomics_blocking import FALLBACK_RUNTIMES

from pywasi_web.cli.serve import PlaygroundHandler, examples_dir
from pywasi_web.vfs.manifest import build_manifest
from pywasi_web.vfs.url import BLOCK_SIZE

pytestmark = pytest.mark.browser

TREE = "mount-tree"
BIG_SIZE = 3 * (1 << 20) + 123
PEEK = 2_000_000


def _big() -> bytes:
    return (b"0123456789abcdefghijklmnopqrstuvwxyz" * (BIG_SIZE // 36 + 1))[:BIG_SIZE]


@pytest.fixture(scope="module")
def tree(server_url: str) -> Path:
    """build/examples/mount-tree (served at /examples/mount-tree/): a few small files, many more
    that no test reads, a 3 MB file, and the manifest, which also names a file that is missing."""
    root = examples_dir() / TREE
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / "small.txt").write_text("small file\n")
    (root / "sub" / "other.txt").write_text("other file\n")
    for index in range(40):
        (root / "sub" / f"unread-{index}.dat").write_bytes(bytes(1000))
    (root / "big.bin").write_bytes(_big())
    manifest = build_manifest(root)
    manifest["entries"].pop("manifest.json", None)
    manifest["entries"]["missing.txt"] = {"size": 5}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture
def requests_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str | None]]]:
    """(path, Range header) of each request the server answers under the tree, from now on."""
    seen: list[tuple[str, str | None]] = []
    answer = PlaygroundHandler._respond

    def recording(self: PlaygroundHandler, *, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path.startswith(f"/examples/{TREE}/"):
            seen.append((path.removeprefix(f"/examples/{TREE}/"), self.headers.get("Range")))
        answer(self, send_body=send_body)

    monkeypatch.setattr(PlaygroundHandler, "_respond", recording)
    yield seen


RUN = """async ([args, options]) => {
    const r = await window.pywasiRuntime.run("examples/mountops.wasm", { args, timeoutMs: 6e4, ...options });
    const text = (data) => new TextDecoder().decode(data);
    const files = Object.fromEntries(Object.entries(r.files).map(([path, data]) => [path, text(data)]));
    return { exitCode: r.exitCode, stdout: r.stdout, error: r.error ?? null, files, deleted: r.deleted,
             mountErrors: r.mountErrors ?? null, trees: Object.keys(r.trees) };
}"""
URL_MOUNT = {"/t": {"url": f"examples/{TREE}/manifest.json"}}


def run_ops(page: Any, args: list[str], **options: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(RUN, [args, options])
    return result


def test_a_url_mount_fetches_the_manifest_and_what_is_read(
    page: Any, tree: Path, requests_seen: list[Any]
) -> None:
    result = run_ops(page, ["cat:/t/small.txt", "cat:/t/sub/other.txt", "cat:/t/small.txt"], mounts=URL_MOUNT)
    small, other = "cat /t/small.txt: small file\n\n", "cat /t/sub/other.txt: other file\n\n"
    assert result["stdout"] == small + other + small
    assert (result["exitCode"], result["error"], result["mountErrors"]) == (0, None, None)
    assert requests_seen == [("manifest.json", None), ("small.txt", None), ("sub/other.txt", None)]
    assert result["files"] == {} and result["trees"] == []  # a URL mount is never in the result


def test_a_large_file_is_fetched_by_the_range_read(page: Any, tree: Path, requests_seen: list[Any]) -> None:
    result = run_ops(page, [f"peek:/t/big.bin:{PEEK}:16"], mounts=URL_MOUNT)
    assert result["stdout"] == f"peek /t/big.bin: {_big()[PEEK : PEEK + 16].decode()}\n"
    block = PEEK // BLOCK_SIZE * BLOCK_SIZE
    assert requests_seen == [("manifest.json", None), ("big.bin", f"bytes={block}-{block + BLOCK_SIZE - 1}")]


def test_a_url_mount_refuses_writes(page: Any, tree: Path, requests_seen: list[Any]) -> None:
    result = run_ops(page, ["write:/t/small.txt", "put:/t/new.txt:x", "rm:/t/small.txt"], mounts=URL_MOUNT)
    lines = result["stdout"].splitlines()
    assert lines == [  # as wasmtime's read-only preopen: the open is granted no write right
        "write /t/small.txt: Bad file descriptor",
        "put /t/new.txt: Operation not permitted",
        "rm /t/small.txt: Operation not permitted",
    ]
    assert requests_seen == [("manifest.json", None), ("small.txt", None)]


def test_a_missing_file_is_eio_for_the_guest_and_a_message_for_the_page(
    page: Any, tree: Path, server_url: str
) -> None:
    result = run_ops(page, ["cat:/t/missing.txt", "cat:/t/small.txt"], mounts=URL_MOUNT)
    assert result["stdout"] == "cat /t/missing.txt: I/O error\ncat /t/small.txt: small file\n\n"
    assert result["mountErrors"] == [f"cannot fetch {server_url}examples/{TREE}/missing.txt: 404 Not Found"]


def test_a_manifest_that_cannot_be_fetched_is_the_runs_error(page: Any, tree: Path) -> None:
    result = run_ops(page, ["cat:/t/small.txt"], mounts={"/t": {"url": f"examples/{TREE}/nothing.json"}})
    assert result["exitCode"] is None
    assert result["error"]["message"].startswith("cannot fetch the manifest ")
    assert result["error"]["message"].endswith("nothing.json: 404 Not Found")


KEPT = """async ([name, spec]) => {
    const rt = window.pywasiRuntime;
    const sent = [];
    const post = rt.worker.postMessage;
    rt.worker.postMessage = function (message, transfer) {
        if (message.type === "run") sent.push(message.options.mounts);
        return post.call(this, message, transfer);
    };
    const text = (data) => new TextDecoder().decode(data);
    const handle = await rt.mount(name, spec);
    const results = [];
    const write = ["put:/tools/out.txt:made", "cat:/tools/a.txt"];
    const read = ["cat:/tools/out.txt", "cat:/tools/a.txt"];
    try {
        for (const args of [write, read]) {
            const r = await rt.run("examples/mountops.wasm", { args, mounts: { "/tools": handle } });
            const files = Object.entries(r.files).map(([path, data]) => [path, text(data)]);
            results.push({ stdout: r.stdout, files: Object.fromEntries(files) });
        }
    } finally {
        rt.worker.postMessage = post;
    }
    await rt.unmount(handle);
    const gone = await rt.run("examples/mountops.wasm", { args: [], mounts: { "/tools": handle } });
    return { handle, sent, results, gone: gone.error };
}"""


def test_a_kept_mount_is_sent_once_and_keeps_what_runs_write(page: Any) -> None:
    outcome = page.evaluate(KEPT, ["tools", {"files": {"a.txt": "from the page", "big": "x" * 1_000_000}}])
    assert outcome["handle"] == {"kept": "tools"}
    assert outcome["sent"] == [{"/tools": {"kept": "tools"}}] * 2  # the runs name it; its files are not sent
    first, second = outcome["results"]
    assert first == {
        "stdout": "put /tools/out.txt: ok\ncat /tools/a.txt: from the page\n",
        "files": {"/tools/out.txt": "made"},
    }
    assert second == {"stdout": "cat /tools/out.txt: made\ncat /tools/a.txt: from the page\n", "files": {}}
    assert outcome["gone"]["message"] == "there is no kept mount named 'tools': rt.mount() makes one"


def test_a_kept_url_mount_fetches_once_across_runs(page: Any, tree: Path, requests_seen: list[Any]) -> None:
    page.evaluate(f"window.pywasiRuntime.mount('web', {{url: 'examples/{TREE}/manifest.json'}})")
    for _ in range(2):
        result = run_ops(page, ["cat:/t/small.txt"], mounts={"/t": {"kept": "web"}})
        assert result["stdout"] == "cat /t/small.txt: small file\n\n"
    page.evaluate("window.pywasiRuntime.unmount('web')")
    assert requests_seen == [("manifest.json", None), ("small.txt", None)]


def test_a_kept_url_mounts_cache_keeps_what_fits_its_bound(
    page: Any, tree: Path, requests_seen: list[Any]
) -> None:
    """cacheBytes 12 holds one of the two 11-byte files: reading the other drops the first, which
    the next read fetches again (vfs/fetch_cache.py); every read still gives the file."""
    page.evaluate(
        f"window.pywasiRuntime.mount('web', {{url: 'examples/{TREE}/manifest.json', cacheBytes: 12}})"
    )
    args = ["cat:/t/small.txt", "cat:/t/small.txt", "cat:/t/sub/other.txt", "cat:/t/small.txt"]
    result = run_ops(page, args, mounts={"/t": {"kept": "web"}})
    page.evaluate("window.pywasiRuntime.unmount('web')")
    small, other = "cat /t/small.txt: small file\n\n", "cat /t/sub/other.txt: other file\n\n"
    assert result["stdout"] == small * 2 + other + small
    assert requests_seen == [
        ("manifest.json", None),
        ("small.txt", None),
        ("sub/other.txt", None),
        ("small.txt", None),
    ]
    message = page.evaluate(
        "window.pywasiRuntime.mount('x', {url: 'm.json', cacheBytes: -1}).catch((error) => error.message)"
    )
    assert message == (
        'mount "x".cacheBytes (a URL mount\'s cache bound) must be a whole number of bytes, 0 or more, '
        "not number -1"
    )


def test_a_result_holds_what_the_run_changed_unless_asked_for_all(page: Any) -> None:
    files = {"/keep.txt": "k", "/gone.txt": "g", "/edit.txt": "e", "/d/deep.txt": "x"}
    args = ["put:/edit.txt:E2", "rm:/gone.txt", "put:/d/new.txt:N", "cat:/keep.txt"]
    changed = run_ops(page, args, files=files)
    assert changed["files"] == {"/edit.txt": "E2", "/d/new.txt": "N"}
    assert changed["deleted"] == ["/gone.txt"]
    everything = run_ops(page, args, files=files, returnFiles="all")
    assert everything["files"] == {"/keep.txt": "k", "/edit.txt": "E2", "/d/deep.txt": "x", "/d/new.txt": "N"}
    assert everything["deleted"] == []


def test_bad_mount_options_are_refused_in_one_line(page: Any) -> None:
    refused = run_ops(page, [], returnFiles="some")
    assert refused["error"] == {
        "kind": "options",
        "message": 'returnFiles must be one of changed, all, not "some"',
    }
    message = page.evaluate("window.pywasiRuntime.mount('x', {url: 5}).catch((error) => error.message)")
    assert message == 'mount "x".url (a manifest\'s URL) must be a string or URL, not number 5'


@pytest.mark.parametrize("runtime", ["atomicsRuntime", "noBlockingRuntime"])
def test_a_url_mount_reads_without_jspi(page: Any, tree: Path, runtime: str) -> None:
    """A synchronous XMLHttpRequest needs no way of waiting: the fallback runtimes read as well."""
    assert page.evaluate(FALLBACK_RUNTIMES) == ["atomics", "none"]
    stdout = page.evaluate(
        """async ([runtime, mounts, peek]) => (await window[runtime].run("examples/mountops.wasm",
            { args: ["cat:/t/small.txt", `peek:/t/big.bin:${peek}:8`], mounts, timeoutMs: 6e4 })).stdout""",
        [runtime, URL_MOUNT, PEEK],
    )
    assert stdout == f"cat /t/small.txt: small file\n\npeek /t/big.bin: {_big()[PEEK : PEEK + 8].decode()}\n"

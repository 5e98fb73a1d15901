"""PersistentFS over SQLite: content outlives the process, write-backs are all-or-nothing even
when the process is killed mid-commit, a full store gives ENOSPC without losing what was stored,
and a second writer is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pywasi_web import Program, PywasiError
from pywasi_web.cli.toolchain import build_c
from pywasi_web.vfs import PersistentFS, SqliteStore, Symlink
from pywasi_web.vfs.persistent import Record, StoreFull

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def writer() -> Program:
    return Program(build_c(HERE / "writer.c"))


def run_in(program: Program, store_path: Path, *args: str) -> tuple[int, bytes, bytes]:
    fs = PersistentFS(SqliteStore(store_path))
    result = program.run(list(args), mounts={"/home": fs}, capture_output=True, timeout=60)
    return result.exit_code, result.stdout, result.stderr


def test_content_survives_a_new_process(writer: Program, tmp_path: Path) -> None:
    store = tmp_path / "home.sqlite"
    assert run_in(writer, store, "write", "/home/note.txt", "kept")[0] == 0
    assert run_in(writer, store, "append", "/home/note.txt", " and more")[0] == 0  # close writes back
    script = f"""
        from pywasi_web import Program
        from pywasi_web.vfs import PersistentFS, SqliteStore
        r = Program({str(writer.name)!r}).run(["read", "/home/note.txt"],
            mounts={{"/home": PersistentFS(SqliteStore({str(store)!r}))}}, capture_output=True)
        print(r.stdout.decode(), end="")
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, check=True)
    assert out.stdout == b"kept and more"


def test_tree_shape_round_trips(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    fs = PersistentFS(store)
    fs._install("d/e/f.txt", b"deep")
    fs._install("link", Symlink("d/e/f.txt"))
    fs.root().children["d"].link("hard", fs.root().children["d"].children["e"].children["f.txt"])  # type: ignore[union-attr]
    fs.changed(fs.root())
    fs.sync()
    again = PersistentFS(SqliteStore(tmp_path / "s.sqlite"))
    assert again.snapshot() == fs.snapshot()
    hard = again.root().children["d"].children["hard"]  # type: ignore[union-attr]
    assert hard is again.root().children["d"].children["e"].children["f.txt"]  # type: ignore[union-attr]
    assert hard.nlink == 2


def test_file_bytes_load_lazily(writer: Program, tmp_path: Path) -> None:
    store_path = tmp_path / "lazy.sqlite"
    assert run_in(writer, store_path, "big", "/home/big.bin")[0] == 0
    reads: list[str] = []
    store = SqliteStore(store_path)
    original_get = store.get
    store.get = lambda key: reads.append(key) or original_get(key)  # type: ignore[method-assign]
    fs = PersistentFS(store)
    big = fs.root().lookup("big.bin")
    assert big is not None and big.stat().size == 8 << 20
    assert not [key for key in reads if key.startswith("data:")]  # stat needs no bytes
    assert big.open(read=True, write=False).pread(0, 4) == b"BBBB"  # type: ignore[attr-defined]
    assert [key for key in reads if key.startswith("data:")]


def test_killed_mid_write_back_leaves_old_or_new(writer: Program, tmp_path: Path) -> None:
    """A process commits 8 MiB write-backs in a loop and is SIGKILLed at a random moment, many
    times: every reload sees one complete version of the file, never a mix."""
    store = tmp_path / "crash.sqlite"
    assert run_in(writer, store, "write", "/home/f", "A" * 1000)[0] == 0
    script = f"""
        import itertools
        from pywasi_web.vfs import PersistentFS, SqliteStore
        fs = PersistentFS(SqliteStore({str(store)!r}))
        node = fs.root().lookup("f")
        for n in itertools.count():
            letter = b"BCDEFGH"[n % 7:n % 7 + 1]
            node.truncate(0)
            node.pwrite(0, letter * (8 << 20))
            fs.sync()
            print("committed", flush=True)
    """
    for delay in (0.3, 0.5, 0.8, 1.1, 1.5):
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE)
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        content = PersistentFS(SqliteStore(store)).root().lookup("f").open(read=True, write=False)  # type: ignore[union-attr]
        data = content.pread(0, 16 << 20)
        assert data in (b"A" * 1000,) or (len(data) == 8 << 20 and data == data[:1] * len(data)), delay


class FullStore(SqliteStore):
    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(path)
        self.limit = limit

    def commit(self, puts: dict[str, Record], deletes: list[str], expected_generation: int) -> int:
        if sum(len(value) for value in puts.values()) > self.limit:
            raise StoreFull("QuotaExceededError")
        return super().commit(puts, deletes, expected_generation)


def test_full_store_gives_enospc_and_keeps_what_was_stored(writer: Program, tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite"
    assert run_in(writer, path, "write", "/home/small", "stored")[0] == 0
    fs = PersistentFS(FullStore(path, limit=1 << 20))
    with pytest.raises(PywasiError, match="persistent store is full") as caught:
        writer.run(["big", "/home/big.bin"], mounts={"/home": fs}, capture_output=True)
    result = caught.value.result
    assert result.exit_code == 4  # type: ignore[attr-defined]
    assert b"close: No space left on device" in result.stderr  # type: ignore[attr-defined]  # the guest saw ENOSPC
    assert run_in(writer, path, "read", "/home/small")[1] == b"stored"
    assert run_in(writer, path, "read", "/home/big.bin")[0] == 1  # nothing of it was stored


def test_second_writer_is_refused(writer: Program, tmp_path: Path) -> None:
    path = tmp_path / "two.sqlite"
    first = PersistentFS(SqliteStore(path))
    second = PersistentFS(SqliteStore(path))
    assert (
        writer.run(["write", "/home/a", "one"], mounts={"/home": first}, capture_output=True).exit_code == 0
    )
    with pytest.raises(PywasiError, match="changed by another writer") as caught:
        writer.run(["write", "/home/a", "two"], mounts={"/home": second}, capture_output=True)
    result = caught.value.result
    assert result.exit_code == 3  # type: ignore[attr-defined]
    assert b"fsync: Resource busy" in result.stderr  # type: ignore[attr-defined]
    assert run_in(writer, path, "read", "/home/a")[1] == b"one"

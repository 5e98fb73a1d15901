"""The compiled-module cache of the CPython engine: a module is compiled once per content and
engine configuration, a damaged entry is replaced (never loaded), concurrent runs agree, it can be
turned off, and a module using a feature wasmtime cannot run is refused before compiling."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from pywasi_web import ModuleError, Program
from pywasi_web.cli.main import main
from pywasi_web.engines.module_cache import ModuleCache
from pywasi_web.engines.wasmtime_engine import WasmtimeEngine, WasmtimeModule
from tests.modules import legacy_exceptions, printer


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYWASI_WEB_CACHE", str(tmp_path))
    monkeypatch.delenv("PYWASI_WEB_MODULE_CACHE", raising=False)
    return tmp_path / "modules"


def compiled(wasm: bytes) -> tuple[bool, bytes]:
    """Whether a fresh engine loaded the module from the cache, and what the module prints."""
    program = Program(wasm, engine=WasmtimeEngine())
    assert isinstance(program.compiled, WasmtimeModule)
    return program.compiled.from_cache, program.run(capture_output=True).stdout


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.cwasm"))


def test_second_compile_comes_from_the_cache(cache_dir: Path) -> None:
    wasm = printer("hello")
    assert compiled(wasm) == (False, b"hello")
    assert len(entries(cache_dir)) == 1
    assert compiled(wasm) == (True, b"hello")
    assert not list(cache_dir.glob(".partial-*"))


def test_a_changed_module_is_compiled_again(cache_dir: Path) -> None:
    assert compiled(printer("first")) == (False, b"first")
    assert compiled(printer("other")) == (False, b"other")  # same size, other bytes
    assert len(entries(cache_dir)) == 2
    assert compiled(printer("first")) == (True, b"first")


def test_the_key_covers_the_engine_configuration(tmp_path: Path) -> None:
    wasm = printer("x")
    ours, other = ModuleCache(tmp_path, "wasmtime 50 epoch"), ModuleCache(tmp_path, "wasmtime 51 epoch")
    assert ours.key(wasm) != other.key(wasm)
    assert ours.key(wasm) == ModuleCache(tmp_path, "wasmtime 50 epoch").key(wasm)


def _truncate(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:-1000])


def _flip_a_byte(entry: Path) -> None:
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x55
    entry.write_bytes(bytes(data))


def _garbage_with_its_digest(entry: Path) -> None:
    """A whole entry whose artifact is not one wasmtime made (another version, say)."""
    garbage = b"\x7fELF" + b"\x00" * 4000
    entry.write_bytes(garbage)
    entry.with_suffix(".sha256").write_text(hashlib.sha256(garbage).hexdigest())


CORRUPTIONS = {
    "empty": lambda entry: entry.write_bytes(b""),
    "truncated": _truncate,
    "a flipped byte": _flip_a_byte,
    "text": lambda entry: entry.write_text("not a compiled module\n" * 100),
    "digest missing": lambda entry: entry.with_suffix(".sha256").unlink(),
    "digest of something else": lambda entry: entry.with_suffix(".sha256").write_text("0" * 64),
    "garbage with its digest": _garbage_with_its_digest,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_entry_is_replaced(cache_dir: Path, corrupt: object) -> None:
    wasm = printer("intact")
    compiled(wasm)
    [entry] = entries(cache_dir)
    digest = entry.with_suffix(".sha256")
    good = entry.read_bytes(), digest.read_bytes()
    corrupt(entry)  # type: ignore[operator]
    assert not digest.exists() or (entry.read_bytes(), digest.read_bytes()) != good
    assert compiled(wasm) == (False, b"intact")
    assert (entry.read_bytes(), digest.read_bytes()) == good
    assert compiled(wasm) == (True, b"intact")


def test_two_concurrent_runs_agree(cache_dir: Path, tmp_path: Path) -> None:
    module = tmp_path / "slow.wasm"
    module.write_bytes(printer("together", fillers=400))
    command = [sys.executable, "-c", "import sys; from pywasi_web.cli.main import main; sys.exit(main())"]
    runs = [
        subprocess.Popen([*command, "run", str(module)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    assert outcomes == [(0, b"together", b"")] * 2
    assert len(entries(cache_dir)) == 1
    assert not list(cache_dir.glob(".partial-*"))
    assert compiled(module.read_bytes()) == (True, b"together")


def test_the_least_recently_used_entries_are_evicted_beyond_the_bound(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path, "engine")
    stored = {name: cache.key(name.encode()) for name in ("old", "used", "new")}
    cache.store(stored["old"], b"o" * 1000)
    cache.store(stored["used"], b"u" * 1000)
    assert cache.load(stored["old"]) is not None  # "old" is now the most recently used
    cache.max_bytes = 2500
    cache.store(stored["new"], b"n" * 1000)
    assert [name for name, key in stored.items() if cache.load(key)] == ["old", "new"]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{stored[name]}{suffix}" for name in ("old", "new") for suffix in (".cwasm", ".sha256")
    )
    cache.max_bytes = 10
    cache.store(stored["used"], b"u" * 1000)  # larger than the bound alone: kept, the rest go
    assert [name for name, key in stored.items() if cache.load(key)] == ["used"]


def test_an_entry_evicted_while_being_loaded_is_compiled_again(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wasm = printer("evicted")
    compiled(wasm)
    checked = ModuleCache.load

    def load_then_lose(self: ModuleCache, key: str) -> Path | None:
        artifact = checked(self, key)
        assert artifact is not None
        artifact.unlink()  # another process evicts it between the digest check and the load
        return artifact

    monkeypatch.setattr(ModuleCache, "load", load_then_lose)
    assert compiled(wasm) == (False, b"evicted")


@pytest.mark.parametrize(
    ("setting", "bound"), [("", 1 << 30), ("4096", 4096), ("512M", 512 << 20), ("2GiB", 2 << 30)]
)
def test_the_bound_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, setting: str, bound: int
) -> None:
    monkeypatch.delenv("PYWASI_WEB_MODULE_CACHE", raising=False)
    monkeypatch.setenv("PYWASI_WEB_MODULE_CACHE_MAX", setting)
    cache = ModuleCache.from_environment("engine")
    assert cache is not None and cache.max_bytes == bound


def test_a_bound_that_is_not_a_size_is_named_and_the_default_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYWASI_WEB_MODULE_CACHE", raising=False)
    monkeypatch.setenv("PYWASI_WEB_MODULE_CACHE_MAX", "lots")
    with pytest.warns(UserWarning, match=r"PYWASI_WEB_MODULE_CACHE_MAX='lots' is not a size"):
        cache = ModuleCache.from_environment("engine")
    assert cache is not None and cache.max_bytes == 1 << 30


def test_the_cache_can_be_turned_off(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wasm = printer("uncached")
    monkeypatch.setenv("PYWASI_WEB_MODULE_CACHE", "off")
    assert compiled(wasm) == (False, b"uncached")
    assert compiled(wasm) == (False, b"uncached")
    assert not cache_dir.exists()
    monkeypatch.delenv("PYWASI_WEB_MODULE_CACHE")
    program = Program(wasm, engine=WasmtimeEngine(cache=False))
    assert isinstance(program.compiled, WasmtimeModule) and not program.compiled.from_cache
    assert not cache_dir.exists()


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("the cache directory cannot be made under a file")
    monkeypatch.setenv("PYWASI_WEB_CACHE", str(blocked))
    assert compiled(printer("anyway")) == (False, b"anyway")
    assert compiled(printer("anyway")) == (False, b"anyway")


def test_legacy_exceptions_are_refused_before_compiling(cache_dir: Path) -> None:
    with pytest.raises(ModuleError) as refused:
        Program(legacy_exceptions(), engine=WasmtimeEngine())
    message = str(refused.value)
    assert message.startswith("the module uses legacy exception handling (try/catch)")
    assert "try instruction" in message and "--translate-to-exnref" in message
    assert "\n" not in message
    assert not cache_dir.exists()


def test_the_cli_refuses_legacy_exceptions_in_one_line(
    cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "legacy.wasm"
    module.write_bytes(legacy_exceptions())
    assert main(["run", str(module)]) != 0
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "legacy exception handling" in error
    assert "Traceback" not in error

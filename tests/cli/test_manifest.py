"""`pywasi-web manifest`: the manifest the docs' URL mount uses is the command's output, so it
cannot drift from its files; written inside its directory a manifest leaves itself out, and
written elsewhere it says where the files are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pywasi_web.cli.main import main
from pywasi_web.vfs.manifest import parse_manifest

DOCS_MOUNT = Path(__file__).resolve().parents[2] / "docs" / "url-mount"


def test_the_docs_url_mount_manifest_is_the_commands_output(tmp_path: Path) -> None:
    """Regenerate it with: pywasi-web manifest docs/url-mount -o docs/url-mount/manifest.json --no-mtime"""
    tree = shutil.copytree(DOCS_MOUNT, tmp_path / "url-mount")
    (tree / "manifest.json").unlink()
    assert main(["manifest", str(tree), "-o", str(tree / "manifest.json"), "--no-mtime"]) == 0
    assert (tree / "manifest.json").read_text() == (DOCS_MOUNT / "manifest.json").read_text()


def test_a_manifest_inside_its_tree_leaves_itself_out(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"abc")
    assert main(["manifest", str(tmp_path), "-o", str(tmp_path / "manifest.json")]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert list(manifest["entries"]) == ["a.txt"] and "base" not in manifest
    assert manifest["entries"]["a.txt"]["size"] == 3 and manifest["entries"]["a.txt"]["mtime"] > 0
    assert parse_manifest(manifest)["a.txt"].size == 3


def test_a_manifest_beside_its_tree_names_the_tree_as_its_base(tmp_path: Path) -> None:
    """As build-site writes mounts/NAME.json beside mounts/NAME/."""
    (tmp_path / "tools" / "bin").mkdir(parents=True)
    (tmp_path / "tools" / "bin" / "tool").write_bytes(b"x")
    assert main(["manifest", str(tmp_path / "tools"), "-o", str(tmp_path / "tools.json"), "--no-mtime"]) == 0
    manifest = json.loads((tmp_path / "tools.json").read_text())
    assert manifest == {
        "version": 1,
        "entries": {"bin": {"directory": True}, "bin/tool": {"size": 1}},
        "base": "tools/",
    }


def test_a_manifest_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", str(tmp_path), "-o", str(tmp_path / "missing" / "m.json")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("pywasi-web: error: No such file or directory: ") and error.count("\n") == 1

"""Deployment packages (harness/library/packaging.py): the same files give the same archive whenever they are packed,
so a function deployed again from them has the same CodeSha256 and the engine unpacks it once (lambda_code_cache)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from harness.library.packaging import _zip_tree, zip_files

FILES = {"app.py": "def handler(event, context):\n    return event\n", "lib/util.py": "X = 1\n"}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Moves the clock zipfile reads by a given number of seconds."""
    def move(seconds: float) -> None:
        now = time.time() + seconds
        monkeypatch.setattr(zipfile.time, "time", lambda: now)
    return move


def entries(archive: bytes) -> dict[str, tuple[int, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        return {info.filename: (info.external_attr >> 16, zipped.read(info)) for info in zipped.infolist()}


def test_in_memory_files_give_the_same_archive_an_hour_later(clock):
    first = zip_files(FILES)
    clock(3600)
    assert zip_files(FILES) == first
    assert entries(first) == {name: (0o100600, text.encode()) for name, text in FILES.items()}  # writestr's mode, as before


def test_a_folder_gives_the_same_archive_an_hour_later_with_its_files_modes(tmp_path: Path, clock):
    (tmp_path / "bootstrap").write_text("#!/bin/sh\n")
    (tmp_path / "bootstrap").chmod(0o755)
    (tmp_path / "index.js").write_text("exports.handler = async () => 1;\n")
    (tmp_path / "index.js").chmod(0o644)
    first = _zip_tree([tmp_path], set(), ())
    clock(3600)
    assert _zip_tree([tmp_path], set(), ()) == first
    assert entries(first) == {"bootstrap": (0o100755, b"#!/bin/sh\n"), "index.js": (0o100644, b"exports.handler = async () => 1;\n")}

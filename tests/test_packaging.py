"""Deployment packages (harness/library/packaging.py): the same files give the same archive whenever they are packed,
so a function deployed again from them has the same CodeSha256 and the engine unpacks it once (lambda_code_cache); a
gem layer asks the host's Ruby where its gems are once, until they change."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from harness.lambda_runtime import ruby_sdk
from harness.library.packaging import _zip_tree, ruby_gem_layer_zip, zip_files

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


def test_a_gem_layer_asks_ruby_once_until_its_gems_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """ruby_sdk.remembered_host_gems: where Ruby found the gems is kept with the stamps of what it read; a layer is
    cached by them. Another gem installed (its specifications directory changes) or the gem rewritten asks Ruby
    again."""
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    specs, gem = tmp_path / "specifications", tmp_path / "gems" / "fake-1.0"
    (gem / "lib").mkdir(parents=True)
    specs.mkdir()
    (gem / "lib" / "fake.rb").write_text("module Fake; end\n")
    spec = specs / "fake-1.0.gemspec"
    spec.write_text("# 1\n")
    asked: list[tuple[str, ...]] = []

    def locate(names: tuple[str, ...], with_dependencies: bool, ruby: str) -> dict:
        asked.append(names)
        return {"gems": [{"full_name": "fake-1.0", "spec": str(spec), "dir": str(gem), "lib": []}],
                "spec_dirs": [str(specs)]}

    monkeypatch.setattr(ruby_sdk, "_locate", locate)
    first, again = ruby_gem_layer_zip(["fake"], "3.2.0"), ruby_gem_layer_zip(["fake"], "3.2.0")
    assert first == again and asked == [("fake",)]
    assert entries(first)["ruby/gems/3.2.0/gems/fake-1.0/lib/fake.rb"][1] == b"module Fake; end\n"
    (specs / "other-2.0.gemspec").write_text("")
    ruby_gem_layer_zip(["fake"], "3.2.0")
    assert len(asked) == 2
    spec.write_text("# 1, rebuilt\n")
    rebuilt = entries(ruby_gem_layer_zip(["fake"], "3.2.0"))
    assert rebuilt["ruby/gems/3.2.0/specifications/fake-1.0.gemspec"][1] == b"# 1, rebuilt\n"
    assert len(asked) == 3

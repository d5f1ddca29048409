"""harness.lambda_runtime.install: the runtimes' own code is byte-compiled once per directory and version."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from harness.lambda_runtime import install


def test_a_directory_is_compiled_once_per_version_and_again_once_its_stamp_is_gone(tmp_path, monkeypatch):
    monkeypatch.setattr(install, "find_python", lambda version: Path(sys.executable))
    source = tmp_path / "sdk" / "module.py"
    source.parent.mkdir()
    source.write_text("VALUE = 1\n")
    compiled = Path(importlib.util.cache_from_source(str(source)))

    install._compile_for("3.11", source.parent)
    assert compiled.is_file() and (source.parent / ".compiled-3.11").is_file()
    compiled.unlink()
    install._compile_for("3.11", source.parent)  # stamped: not walked again
    assert not compiled.exists()
    (source.parent / ".compiled-3.11").unlink()  # as a reinstall (`_pip_target`) removes the directory
    install._compile_for("3.11", source.parent)
    assert compiled.is_file()

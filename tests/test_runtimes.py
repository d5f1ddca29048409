"""Runtime resolution: the runtime named is the one that runs, or a clear error (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.lambda_runtime import runtimes
from harness.lambda_runtime.runtimes import RuntimeUnavailable, find_python, resolve_runtime_command


def resolve(runtime: str, architecture: str = "x86_64", layers: list[Path] | None = None):
    return resolve_runtime_command(runtime, "app.handler", architecture, 128, layers or [], Path("/task"))


def test_python_command_uses_the_matching_interpreter_without_host_site_packages():
    version = runtimes.available_python_versions()[0]
    command = resolve(f"python{version}", layers=[Path("/opt/layer1")])
    assert command.argv[0] == str(find_python(version))
    assert command.argv[1:] == ["-S", "-m", "awslambdaric", "app.handler"]
    paths = command.env["PYTHONPATH"].split(":")
    assert paths[0] == "/task"  # task root first, then layers, then the runtime's own SDK, as on AWS
    assert paths[1:3] == ["/opt/layer1/python", f"/opt/layer1/python/lib/python{version}/site-packages"]
    assert paths[-1].endswith("python-sdk")


def test_pyenv_shims_are_never_taken_for_an_interpreter(monkeypatch, tmp_path):
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "python3.99").write_text("#!/bin/sh\necho 3.99\n")
    (shims / "python3.99").chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(shims))
    find_python.cache_clear()
    try:
        assert find_python("3.99") is None
    finally:
        find_python.cache_clear()


def test_missing_python_names_what_exists_and_how_to_fix(monkeypatch):
    monkeypatch.setattr(runtimes, "find_python", lambda version: None)
    monkeypatch.setattr(runtimes, "available_python_versions", lambda: ["3.11"])
    with pytest.raises(RuntimeUnavailable, match=r"python3\.14 needs a CPython 3\.14 interpreter.*Hint: `pyenv install 3\.14`.*python3\.11"):
        resolve("python3.14")


def test_missing_runtime_support_points_at_the_installer(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    version = runtimes.available_python_versions()[0]
    with pytest.raises(RuntimeUnavailable, match="python -m harness.lambda_runtime.install"):
        resolve(f"python{version}")


def test_node_major_must_match(monkeypatch):
    monkeypatch.setattr(runtimes, "node_major_version", lambda node: 20)
    assert resolve("nodejs20.x", layers=[Path("/opt/l")]).env["NODE_PATH"] == (
        f"/opt/l/nodejs/node20/node_modules:/opt/l/nodejs/node_modules:{runtimes.node_sdk_dir()}/node_modules")
    with pytest.raises(RuntimeUnavailable, match=r"nodejs22\.x needs Node\.js 22; the host has Node\.js 20"):
        resolve("nodejs22.x")


def test_node_heap_follows_function_memory():
    command = resolve_runtime_command("nodejs20.x", "index.handler", "x86_64", 1024, [], Path("/task"))
    assert "--max-old-space-size=921" in command.argv


@pytest.mark.parametrize("runtime, message", [
    ("java21", "not supported by the harness executor"),
    ("provided.al2023", "not supported by the harness executor"),
    (None, "not supported by the harness executor"),
])
def test_unsupported_runtimes_are_refused(runtime, message):
    with pytest.raises(RuntimeUnavailable, match=message):
        resolve(runtime)


def test_foreign_architecture_is_refused():
    with pytest.raises(RuntimeUnavailable, match="architecture arm64 cannot run on this x86_64 host"):
        resolve("python3.12", architecture="arm64")

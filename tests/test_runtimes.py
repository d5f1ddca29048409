"""Runtime resolution: the runtime named is the one that runs, or a clear error (no server needed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness.lambda_runtime import aws_runtimes, nodejs, runtimes
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
    assert paths[-1] == str(runtimes.python_sdk_dir(version))


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
    monkeypatch.setattr(runtimes, "runtime_interpreter", lambda identifier: Path("/x") if identifier == "python3.11" else None)
    with pytest.raises(RuntimeUnavailable, match=r"python3\.14 needs a CPython 3\.14 interpreter.*Hint: `pyenv install 3\.14`.*python3\.11"):
        resolve("python3.14")


def test_missing_runtime_support_points_at_the_installer(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    version = runtimes.available_python_versions()[0]
    with pytest.raises(RuntimeUnavailable, match="python -m harness.lambda_runtime.install"):
        resolve(f"python{version}")


@pytest.mark.parametrize("major", nodejs.packaged_majors())
def test_node_runtime_runs_its_own_node_from_the_cache_whatever_the_host_has(major):
    """Issue 9: nodejs18.x used to need the host's `node` to be Node.js 18."""
    if not nodejs.installed(major):
        pytest.skip(f"nodejs{major}.x is not installed in {nodejs.runtime_dir(major)} (python -m harness.lambda_runtime.install)")
    command = resolve(f"nodejs{major}.x", layers=[Path("/opt/l")])
    assert command.argv[0] == str(nodejs.node_binary(major))
    assert command.argv[0].startswith(str(nodejs.runtime_dir(major)))
    # AWS's order: the layers' node<N> and plain node_modules, the runtime's SDK (/var/runtime/node_modules), the task
    assert command.env["NODE_PATH"].split(":") == [
        f"/opt/l/nodejs/node{major}/node_modules", "/opt/l/nodejs/node_modules", str(nodejs.sdk_node_modules(major)), "/task"]


def test_node_runtime_not_installed_points_at_the_installer(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    with pytest.raises(RuntimeUnavailable, match=r"nodejs18\.x needs Node\.js 18, which is not installed.*python -m harness\.lambda_runtime\.install"):
        resolve("nodejs18.x")


def test_node_runtime_the_harness_does_not_provide_names_those_it_does(monkeypatch):
    monkeypatch.setattr(runtimes, "runtime_interpreter", lambda identifier: Path("/x") if identifier == "nodejs22.x" else None)
    with pytest.raises(RuntimeUnavailable, match=r"nodejs16\.x is not one the harness provides.*one of: nodejs22\.x\.$"):
        resolve("nodejs16.x")


def test_every_packaged_node_runtime_is_in_the_runtime_table():
    assert {f"nodejs{m}.x" for m in nodejs.packaged_majors()} == {r.identifier for r in aws_runtimes.runtimes_of("nodejs")}


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


def test_other_architecture_runs_on_the_host_interpreter():
    """README "Architectures": arm64 functions on an x86_64 host (and the reverse) run their interpreted code here."""
    other = "arm64" if runtimes.host_architecture() == "x86_64" else "x86_64"
    version = runtimes.available_python_versions()[-1]
    assert resolve(f"python{version}", architecture=other).argv[0] == str(find_python(version))


def test_unknown_architecture_is_refused():
    with pytest.raises(RuntimeUnavailable, match="architecture 'sparc' is not one Lambda has"):
        resolve("python3.12", architecture="sparc")


def test_python_hint_names_only_runtimes_this_host_serves(monkeypatch):
    """Issue 9: every Runtime.Unavailable hint is true (python3.9's named an installer that skipped 3.9)."""
    monkeypatch.setattr(runtimes, "find_python", lambda version: None if version == "3.14" else Path(f"/py{version}"))
    monkeypatch.setattr(runtimes, "runtime_interpreter", lambda identifier: Path("/x") if identifier == "python3.9" else None)
    with pytest.raises(RuntimeUnavailable, match=r"python3\.14 needs a CPython 3\.14.*one of: python3\.9\.$"):
        resolve("python3.14")


@pytest.mark.parametrize("version", runtimes.available_python_versions())
def test_the_runtime_and_its_sdk_are_byte_compiled_for_the_interpreter_that_runs_them(version):
    """Runtime processes write no bytecode (PYTHONDONTWRITEBYTECODE): unless the installer compiled awslambdaric and
    boto3/botocore for this version, every cold start compiles them again (harness.lambda_runtime.install)."""
    command = resolve(f"python{version}")
    check = ("import importlib.util, os, sys, awslambdaric.bootstrap, boto3, botocore.session\n"
             "roots = sys.argv[1:]\n"
             "loaded = [m.__file__ for m in list(sys.modules.values()) if (getattr(m, '__file__', None) or '').startswith(tuple(roots)) and m.__file__.endswith('.py')]\n"
             "print(len(loaded), *[f for f in loaded if not os.path.isfile(importlib.util.cache_from_source(f))])\n")
    roots = [str(runtimes.python_support_dir(version)), str(runtimes.python_sdk_dir(version))]
    result = subprocess.run([command.argv[0], "-S", "-c", check, *roots], env={**os.environ, **command.env},
                            capture_output=True, text=True, timeout=60, check=True)
    loaded, *uncompiled = result.stdout.split()
    assert int(loaded) > 50 and not uncompiled, result.stdout

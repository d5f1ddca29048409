"""Which host program runs a Lambda runtime (python3.x, nodejs<N>.x), and with what paths.

behaviour.md "Lambda runtime": the runtime version named in the function is the one that runs;
when the host lacks it, say so clearly instead of running another version. The runtimes and their dates are in
one table (aws_runtimes.py); the hints name the runtimes of it this host serves.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from harness.shared.cache import cache_dir
from harness.lambda_runtime import nodejs
from harness.lambda_runtime.aws_runtimes import AWS_RUNTIMES, aws_runtime, runtimes_of

_PYTHON_RUNTIME = re.compile(r"^python(?P<version>3\.\d+)$")
_NODE_RUNTIME = re.compile(r"^nodejs(?P<major>\d+)\.x$")
PYTHONS_WITH_OWN_SDK = frozenset({"3.9"})
_HOST_ARCHITECTURE = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


class RuntimeUnavailable(Exception):
    """The host cannot run the runtime a function names; the message says why and how to fix it."""


@dataclass(frozen=True)
class RuntimeCommand:
    """The argv and extra environment that start one runtime process."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def runtimes_dir() -> Path:
    """Where `python -m harness.lambda_runtime.install` puts awslambdaric and the AWS SDK per runtime."""
    return cache_dir() / "lambda-runtimes"


def python_support_dir(version: str) -> Path:
    """awslambdaric (a binary wheel) for one CPython minor version."""
    return runtimes_dir() / f"python{version}"


def python_sdk_dir(version: str | None = None) -> Path:
    """boto3/botocore, which the AWS python runtimes provide to every function (pure Python): one copy shared by the
    versions whose dependencies resolve alike, its own for a version that needs older ones (3.9: urllib3 < 2.6)."""
    if version in PYTHONS_WITH_OWN_SDK:
        return runtimes_dir() / f"python-sdk-{version}"
    return runtimes_dir() / "python-sdk"


def host_architecture() -> str:
    return _HOST_ARCHITECTURE.get(platform.machine(), platform.machine())


def resolve_runtime_command(
    runtime: str, handler: str, architecture: str, memory_mb: int, layer_roots: list[Path], task_root: Path
) -> RuntimeCommand:
    """The command that runs `handler` under `runtime`, or RuntimeUnavailable.

    A function of the other architecture (arm64 on an x86_64 host) runs on the host's interpreter: its interpreted
    code behaves the same, and a native module built for the architecture it names fails to load with the
    loader's own error, as on AWS (README "Architectures")."""
    if architecture not in _HOST_ARCHITECTURE.values():
        raise RuntimeUnavailable(f"function architecture {architecture!r} is not one Lambda has (x86_64, arm64).")
    if match := _PYTHON_RUNTIME.match(runtime or ""):
        return _python_command(match["version"], handler, layer_roots, task_root)
    if match := _NODE_RUNTIME.match(runtime or ""):
        return _node_command(int(match["major"]), memory_mb, layer_roots, task_root)
        return _node_command(int(match["major"]), memory_mb, layer_roots)
    if (runtime or "").startswith("ruby"):
        from harness.lambda_runtime.ruby import ruby_command  # noqa: PLC0415 - ruby.py builds on this module

        return ruby_command(runtime, layer_roots, task_root)
    raise RuntimeUnavailable(
        f"runtime {runtime!r} is not supported by the harness executor."
        f" Hint: set the function's Runtime to one this host serves: {', '.join(servable_runtimes()) or 'none'}."
    )


def _python_command(version: str, handler: str, layer_roots: list[Path], task_root: Path) -> RuntimeCommand:
    if aws_runtime(f"python{version}") is None:
        raise RuntimeUnavailable(
            f"runtime python{version} is not a Lambda runtime. Hint: set the function's Runtime to one of:"
            f" {_servable('python')}."
        )
    interpreter = find_python(version)
    if interpreter is None:
        raise RuntimeUnavailable(
            f"runtime python{version} needs a CPython {version} interpreter; none was found on PATH or under"
            f" {_pyenv_root() / 'versions'}. Hint: `pyenv install {version}` and run"
            f" `python -m harness.lambda_runtime.install`, or set the function's Runtime to one of: {_servable('python')}."
        )
    support = python_support_dir(version)
    if not (support / "awslambdaric").is_dir() or not (python_sdk_dir(version) / "boto3").is_dir():
        raise RuntimeUnavailable(
            f"runtime python{version}: the runtime interface client is not installed in {support}."
            " Hint: run `python -m harness.lambda_runtime.install` (the Makefile's setup does)."
        )
    # The AWS python runtime's path order: task root, layers, then the runtime's own boto3.
    paths = [task_root]
    for layer in layer_roots:
        paths += [layer / "python", layer / "python" / "lib" / f"python{version}" / "site-packages"]
    paths += [support, python_sdk_dir(version)]
    # -S: no host site-packages leak into the function; only what AWS would provide is importable.
    return RuntimeCommand(
        argv=[str(interpreter), "-S", "-m", "awslambdaric", handler],
        env={"PYTHONPATH": os.pathsep.join(str(p) for p in paths), "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _node_command(major: int, memory_mb: int, layer_roots: list[Path], task_root: Path) -> RuntimeCommand:
    if major not in nodejs.packaged_majors():
        raise RuntimeUnavailable(
            f"runtime nodejs{major}.x is not one the harness provides. Hint: set the function's Runtime to one of:"
            f" {_servable('nodejs')}."
        )
    if not nodejs.installed(major):
        raise RuntimeUnavailable(
            f"runtime nodejs{major}.x needs Node.js {major}, which is not installed in {nodejs.runtime_dir(major)}"
            " (the host's own node is not used). Hint: run `python -m harness.lambda_runtime.install`"
            " (the Makefile's setup does): it installs Node.js and the AWS SDK for each nodejs<N>.x from npm."
        )
    return RuntimeCommand(argv=nodejs.node_argv(major, memory_mb), env=nodejs.node_env(major, layer_roots, task_root))


def servable_runtimes() -> list[str]:
    """The runtimes of the table this host serves now (interpreter found and support installed)."""
    return [runtime.identifier for runtime in AWS_RUNTIMES if runtime_interpreter(runtime.identifier) is not None]


def runtime_interpreter(identifier: str) -> Path | None:
    """The host program that serves a runtime of the table, or None when this host cannot serve it."""
    if match := _PYTHON_RUNTIME.match(identifier):
        interpreter = find_python(match["version"])
        version = match["version"]
        ready = interpreter is not None and (python_support_dir(version) / "awslambdaric").is_dir() and (
            python_sdk_dir(version) / "boto3").is_dir()
        return interpreter if ready else None
    if match := _NODE_RUNTIME.match(identifier):
        major = int(match["major"])
        return nodejs.node_binary(major) if major in nodejs.packaged_majors() and nodejs.installed(major) else None
    if identifier.startswith("ruby"):
        from harness.lambda_runtime.ruby import serving  # noqa: PLC0415 - ruby.py builds on this module

        try:
            return serving(identifier).interpreter.path
        except RuntimeUnavailable:
            return None
    return None


def _servable(family: str) -> str:
    return ", ".join(r.identifier for r in runtimes_of(family) if runtime_interpreter(r.identifier)) or "none on this host"


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.name))


@functools.lru_cache(maxsize=None)
def find_python(version: str) -> Path | None:
    """A real CPython `version` interpreter: pyenv's newest patch release first, then PATH (not shims)."""
    candidates = sorted(_pyenv_root().glob(f"versions/{version}.*/bin/python{version}"), key=lambda p: _version_key(p.parent.parent), reverse=True)
    shims = str(_pyenv_root() / "shims")
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory and directory != shims:
            candidates.append(Path(directory) / f"python{version}")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK) and _reports_version(candidate, version):
            return candidate
    return None


def _reports_version(interpreter: Path, version: str) -> bool:
    try:
        out = subprocess.run(
            [str(interpreter), "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.stdout.strip() == version


def available_python_versions() -> list[str]:
    """The python3.x runtimes of the table this host has an interpreter for (3.9 and newer)."""
    return [r.version for r in runtimes_of("python") if find_python(r.version) is not None]

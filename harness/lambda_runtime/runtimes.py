"""Which host program runs a Lambda runtime (python3.x, nodejs<N>.x), and with what paths.

behaviour.md "Lambda runtime": the runtime version named in the function is the one that runs;
when the host lacks it, say so clearly instead of running another version.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from harness.shared.cache import cache_dir

NODE_BOOTSTRAP = Path(__file__).with_name("node_bootstrap.js")
_PYTHON_RUNTIME = re.compile(r"^python(?P<version>3\.\d+)$")
_NODE_RUNTIME = re.compile(r"^nodejs(?P<major>\d+)\.x$")
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


def node_sdk_dir() -> Path:
    """The AWS SDK for JavaScript v3 clients the AWS Node runtimes provide (/var/runtime/node_modules on AWS)."""
    return runtimes_dir() / "node-sdk"


def python_sdk_dir() -> Path:
    """boto3/botocore, which the AWS python runtimes provide to every function (pure Python)."""
    return runtimes_dir() / "python-sdk"


def resolve_runtime_command(
    runtime: str, handler: str, architecture: str, memory_mb: int, layer_roots: list[Path], task_root: Path
) -> RuntimeCommand:
    """The command that runs `handler` under `runtime`, or RuntimeUnavailable."""
    host_architecture = _HOST_ARCHITECTURE.get(platform.machine(), platform.machine())
    if architecture != host_architecture:
        raise RuntimeUnavailable(
            f"function architecture {architecture} cannot run on this {host_architecture} host."
            f" Hint: create the function with Architectures=['{host_architecture}']."
        )
    if match := _PYTHON_RUNTIME.match(runtime or ""):
        return _python_command(match["version"], handler, layer_roots, task_root)
    if match := _NODE_RUNTIME.match(runtime or ""):
        return _node_command(int(match["major"]), memory_mb, layer_roots)
    raise RuntimeUnavailable(
        f"runtime {runtime!r} is not supported by the harness executor (python3.x and nodejs<N>.x are)."
    )


def _python_command(version: str, handler: str, layer_roots: list[Path], task_root: Path) -> RuntimeCommand:
    interpreter = find_python(version)
    if interpreter is None:
        raise RuntimeUnavailable(
            f"runtime python{version} needs a CPython {version} interpreter; none was found on PATH or under"
            f" {_pyenv_root() / 'versions'}. Hint: `pyenv install {version}`, or set the function's Runtime"
            f" to one of: {', '.join('python' + v for v in available_python_versions()) or 'none found'}."
        )
    support = python_support_dir(version)
    if not (support / "awslambdaric").is_dir() or not (python_sdk_dir() / "boto3").is_dir():
        raise RuntimeUnavailable(
            f"runtime python{version}: the runtime interface client is not installed in {support}."
            " Hint: run `python -m harness.lambda_runtime.install` (the Makefile's setup does)."
        )
    # The AWS python runtime's path order: task root, layers, then the runtime's own boto3.
    paths = [task_root]
    for layer in layer_roots:
        paths += [layer / "python", layer / "python" / "lib" / f"python{version}" / "site-packages"]
    paths += [support, python_sdk_dir()]
    # -S: no host site-packages leak into the function; only what AWS would provide is importable.
    return RuntimeCommand(
        argv=[str(interpreter), "-S", "-m", "awslambdaric", handler],
        env={"PYTHONPATH": os.pathsep.join(str(p) for p in paths), "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _node_command(major: int, memory_mb: int, layer_roots: list[Path]) -> RuntimeCommand:
    node = shutil.which("node")
    found = node_major_version(node) if node else None
    if found != major:
        have = f"Node.js {found}" if found else "no node on PATH"
        hint = f"set the function's Runtime to nodejs{found}.x, or install Node.js {major}" if found else f"install Node.js {major}"
        raise RuntimeUnavailable(f"runtime nodejs{major}.x needs Node.js {major}; the host has {have}. Hint: {hint}.")
    node_path = [str(layer / "nodejs" / sub) for layer in layer_roots for sub in (f"node{major}/node_modules", "node_modules")]
    node_path.append(str(node_sdk_dir() / "node_modules"))  # after the layers, as /var/runtime/node_modules on AWS
    # As on AWS, the V8 heap is sized to the function's memory.
    heap_mb = max(int(memory_mb * 0.9), 64)
    return RuntimeCommand(
        argv=[node, f"--max-old-space-size={heap_mb}", str(NODE_BOOTSTRAP)],
        env={"NODE_PATH": os.pathsep.join(node_path)},
    )


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
    """The python3.x runtimes this host can run: 3.10 to 3.14 (awslambdaric 4 needs 3.10 or newer)."""
    return [f"3.{minor}" for minor in range(10, 15) if find_python(f"3.{minor}") is not None]


@functools.lru_cache(maxsize=None)
def node_major_version(node: str) -> int | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.match(r"v(\d+)\.", out.stdout.strip())
    return int(match[1]) if match else None

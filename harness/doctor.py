"""`harness doctor`: checks this machine for what the harness needs, and says how to fix what is missing."""

from __future__ import annotations

import shutil
import socket
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from harness.endpoints.ca import endpoints_dir
from harness.endpoints.preload import library_path
from harness.engine import ensure_port_free
from harness.engine_docker import CONTAINER_PORT
from harness.errors import PortInUseError
from harness.localstack_catalog import cached_catalog
from harness.lambda_runtime.runtimes import available_python_versions, node_major_version, python_sdk_dir, python_support_dir
from harness.stack import APP_DIR


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str
    hint: str = ""
    required: bool = True

    def line(self) -> str:
        mark = "ok" if self.ok else ("MISSING" if self.required else "optional")
        return f"[{mark:>8}] {self.what}: {self.detail}" + (f"\n           hint: {self.hint}" if not self.ok and self.hint else "")


def check_localstack() -> Finding:
    try:
        return Finding(True, "localstack-core", version("localstack-core"))
    except PackageNotFoundError:
        return Finding(False, "localstack-core", "not installed", "make setup")


def check_service_catalog() -> Finding:
    path = cached_catalog()
    return Finding(path.is_file(), "LocalStack service catalog (fast first request)", str(path) if path.is_file() else "not built yet",
                   "python -m harness.localstack_catalog (make setup does it; otherwise the first engine builds it)", required=False)


def check_python_runtimes() -> list[Finding]:
    versions = available_python_versions()
    findings = [Finding(bool(versions), "python3.x Lambda runtimes", ", ".join(f"python{v}" for v in versions) or "no CPython 3.10+ found",
                        "install CPython with pyenv (`pyenv install 3.12`)")]
    for v in versions:
        installed = (python_support_dir(v) / "awslambdaric").is_dir() and (python_sdk_dir() / "boto3").is_dir()
        findings.append(Finding(installed, f"python{v} runtime support", str(python_support_dir(v)),
                                "python -m harness.lambda_runtime.install"))
    return findings


def check_node() -> list[Finding]:
    node = shutil.which("node")
    major = node_major_version(node) if node else None
    modules = APP_DIR / "thumbnail_node" / "node_modules" / "sharp"
    return [
        Finding(major is not None, "node (nodejs<N>.x Lambda runtimes)", f"nodejs{major}.x" if major else "node not on PATH",
                "apt-get install nodejs npm"),
        Finding(modules.is_dir(), "sharp for the Node thumbnail Lambda", str(modules.parent), "make setup (runs npm ci)"),
    ]


def check_aws_hostnames() -> Finding:
    """README "AWS hostnames inside Lambda": the LD_PRELOAD library (built with the host's C compiler) and the CA."""
    ready = library_path().is_file() and (endpoints_dir() / "trust-bundle.pem").is_file()
    compiler = shutil.which("cc") or shutil.which("gcc")
    detail = str(library_path()) if ready else f"not built yet ({'C compiler ' + compiler if compiler else 'no C compiler'})"
    hint = "python -m harness.endpoints (make setup does it)" if compiler else "apt-get install gcc, then make setup"
    # With a compiler the engine builds what is missing when it starts; without one, nothing can.
    return Finding(ready, "AWS hostnames inside Lambda (LD_PRELOAD library, harness CA)", detail, hint, required=compiler is None)


def check_chromium() -> Finding:
    path = Path("/usr/bin/chromium")
    return Finding(path.is_file(), "chromium (browser scenarios)", str(path) if path.is_file() else "not installed",
                   "apt-get install chromium", required=False)


def check_loopback() -> Finding:
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return Finding(True, "loopback ports", f"127.0.0.1 binds (e.g. :{port})")
    except OSError as error:
        return Finding(False, "loopback ports", str(error), "the engine needs a free port on 127.0.0.1")


def check_docker_target_port() -> Finding:
    """The Docker target publishes LocalStack on 127.0.0.1:4566; the host engine always takes a free port."""
    try:
        ensure_port_free(CONTAINER_PORT)
        return Finding(True, f"port {CONTAINER_PORT}", f"127.0.0.1:{CONTAINER_PORT} is free (the Docker target binds it)", required=False)
    except PortInUseError as error:
        return Finding(False, f"port {CONTAINER_PORT}", f"127.0.0.1:{CONTAINER_PORT} is in use: --engine localstack-docker cannot bind it",
                       error.hint, required=False)


def findings() -> list[Finding]:
    return [
        Finding(sys.version_info >= (3, 11), "python", sys.version.split()[0], "the harness needs Python 3.11+"),
        check_localstack(), check_service_catalog(), *check_python_runtimes(), *check_node(), check_aws_hostnames(), check_chromium(),
        check_loopback(), check_docker_target_port(),
    ]


def report(results: list[Finding]) -> tuple[str, bool]:
    healthy = all(f.ok for f in results if f.required)
    text = "\n".join(f.line() for f in results)
    return text + ("\nall required parts are here" if healthy else "\nsome required parts are missing: see the hints"), healthy

"""`harness doctor`: checks this machine for what the harness needs, and says how to fix what is missing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from harness.endpoints.ca import endpoints_dir
from harness.endpoints.preload import library_path
from harness.library.targets.localstack_host import ensure_port_free
from harness.library.targets.localstack_docker import CONTAINER_PORT
from harness.shared.errors import PortInUseError
from harness.library.layout import APP_DIR
from harness.library.targets.localstack_catalog import cached_catalog
from harness.lambda_runtime.aws_runtimes import AWS_RUNTIMES, AwsRuntime
from harness.lambda_runtime.runtimes import RuntimeUnavailable, host_architecture, resolve_runtime_command
from harness.lambda_runtime.ruby import serving
from harness.lambda_runtime.ruby_sdk import DEBIAN_PACKAGES, ruby_sdk_dir, sdk_installed


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
                   "python -m harness.library.targets.localstack_catalog (make setup does it; otherwise the first engine builds it)", required=False)


def check_lambda_runtimes() -> list[Finding]:
    """Every runtime of the table (harness.lambda_runtime.aws_runtimes) with the host program that serves it, or why
    none does: the hint is the Runtime.Unavailable message a function on it would get."""
    findings = []
    for runtime in AWS_RUNTIMES:
        what = f"{runtime.identifier} Lambda runtime"
        try:
            command = resolve_runtime_command(runtime.identifier, "index.handler", host_architecture(), 128, [], Path("/task"))
        except RuntimeUnavailable as error:  # the detail says why, the hint is what the function's message advises
            message, _, hint = str(error).partition(" Hint: ")
            findings.append(Finding(False, what, f"not served on this host: {message}", hint or str(error), required=False))
            continue
        program = Path(command.argv[0])
        detail = serving(runtime.identifier).describe() if runtime.family == "ruby" else _served_by(program, runtime)
        findings.append(Finding(True, what, detail))
    served = [f for f in findings if f.ok]
    findings.append(Finding(bool(served), "Lambda runtimes served", f"{len(served)} of {len(AWS_RUNTIMES)}",
                            "python -m harness.lambda_runtime.install (make setup does it)"))
    return findings


def _served_by(program: Path, runtime: AwsRuntime) -> str:
    """The interpreter, its version, and what differs from AWS: the other architecture runs on it, deprecation."""
    try:
        out = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=10, check=False)
        reported = (out.stdout or out.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as error:
        reported = f"--version failed: {error}"
    other = "arm64" if host_architecture() == "x86_64" else "x86_64"
    detail = f"{program} ({reported}); {other} functions run on it too (README \"Architectures\")"
    if runtime.deprecated_on(date.today()):
        detail += f"; deprecated: AWS ended support {runtime.deprecation}, blocks create {runtime.block_create}"
    return detail


def check_node() -> list[Finding]:
    """The host's node and npm install the nodejs<N>.x runtimes and sharp; no function runs on the host's node."""
    npm = shutil.which("npm")
    modules = APP_DIR / "thumbnail_node" / "node_modules" / "sharp"
    return [
        Finding(npm is not None, "npm (installs the nodejs<N>.x runtimes and sharp)", npm or "npm not on PATH",
                "apt-get install nodejs npm"),
        Finding(modules.is_dir(), "sharp for the Node thumbnail Lambda", str(modules.parent), "make setup (runs npm ci)"),
    ]


def check_ruby_sdk() -> Finding:
    """The AWS SDK for Ruby the ruby runtimes provide (harness.lambda_runtime.ruby_sdk); what serves each ruby runtime,
    and that it is a substitute, is in check_lambda_runtimes."""
    return Finding(sdk_installed(), "AWS SDK for Ruby (ruby runtimes)", str(ruby_sdk_dir()) if sdk_installed() else "not linked",
                   f"make setup (apt-get install {' '.join(DEBIAN_PACKAGES)}, then python -m harness.lambda_runtime.ruby_sdk)")


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
        check_localstack(), check_service_catalog(), *check_lambda_runtimes(), check_ruby_sdk(), *check_node(), check_aws_hostnames(), check_chromium(),
        check_loopback(), check_docker_target_port(),
    ]


def report(results: list[Finding]) -> tuple[str, bool]:
    healthy = all(f.ok for f in results if f.required)
    text = "\n".join(f.line() for f in results)
    return text + ("\nall required parts are here" if healthy else "\nsome required parts are missing: see the hints"), healthy

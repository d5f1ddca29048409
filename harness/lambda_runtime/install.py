"""Install what the AWS runtimes provide to functions: awslambdaric per CPython version, boto3, and the AWS SDK for
JavaScript v3 clients of the Node runtimes (aws_sdk_js/package-lock.json, with npm ci).

Run by the project's setup (`python -m harness.lambda_runtime.install`); idempotent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from harness.lambda_runtime.runtimes import available_python_versions, node_sdk_dir, python_sdk_dir, python_support_dir

AWSLAMBDARIC = "awslambdaric==4.2.2"
# The SDK the python runtimes ship: the same boto3 the harness is locked to (constraints.txt).
SDK = [f"boto3=={version('boto3')}", f"botocore=={version('botocore')}"]


def _pip_target(target: Path, requirements: list[str], python_version: str | None) -> None:
    if target.is_dir() and (target / ".complete").is_file():
        return
    shutil.rmtree(target, ignore_errors=True)
    argv = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(target)]
    if python_version:
        argv += ["--only-binary=:all:", "--python-version", python_version, "--implementation", "cp"]
    result = subprocess.run(argv + requirements, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"could not install {requirements} into {target}:\n{result.stderr[-3000:]}")
    (target / ".complete").write_text(" ".join(requirements) + "\n")


NODE_SDK_PACKAGE = Path(__file__).with_name("aws_sdk_js")


def _npm_ci(target: Path, package: Path) -> None:
    lock = (package / "package-lock.json").read_text()
    marker = target / ".complete"
    if marker.is_file() and marker.read_text() == lock:
        return
    if shutil.which("npm") is None:
        print("warning: npm not found: Node functions get no AWS SDK for JavaScript (install Node.js 20 + npm)")
        return
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(package / name, target / name)
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"could not install the AWS SDK for JavaScript into {target}:\n{result.stderr[-3000:]}")
    marker.write_text(lock)


def main() -> int:
    _pip_target(python_sdk_dir(), SDK, None)
    _npm_ci(node_sdk_dir(), NODE_SDK_PACKAGE)
    versions = available_python_versions()
    for version in versions:
        _pip_target(python_support_dir(version), [AWSLAMBDARIC], version)
    print(f"lambda runtimes ready in {python_sdk_dir().parent}: python {', '.join(versions)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

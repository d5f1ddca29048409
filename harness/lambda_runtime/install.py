"""Install what the AWS runtimes provide to functions: awslambdaric per CPython version, boto3, and per nodejs<N>.x
Node.js <N> with the AWS SDK for JavaScript v3 (harness.lambda_runtime.nodejs).

Run by the project's setup (`python -m harness.lambda_runtime.install`); idempotent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

from harness.lambda_runtime import nodejs
from harness.lambda_runtime.runtimes import available_python_versions, find_python, python_sdk_dir, python_support_dir

AWSLAMBDARIC = "awslambdaric==4.2.2"
# awslambdaric 4.1 and later need Python 3.10; 4.0.4 is the newest release with a cp39 wheel.
AWSLAMBDARIC_FOR = {"3.9": "awslambdaric==4.0.4"}
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


def _compile_for(version: str, *directories: Path) -> None:
    """Byte-compile the runtime's own code (awslambdaric, boto3/botocore) with that version's interpreter, once: pip
    compiled it for the harness's Python only, and runtime processes write no bytecode (runtimes.py), so every cold
    start that imports boto3 compiled botocore again (~0.6 s of CPU). A directory compiled for a version gets a stamp,
    which a reinstall (`_pip_target`) removes with it: checking every file again took ~0.6 s per version at each setup."""
    stamp = f".compiled-{version}"
    pending = [directory for directory in directories if not (directory / stamp).is_file()]
    if not pending:
        return
    argv = [str(find_python(version)), "-S", "-m", "compileall", "-q", "-j", "0", *map(str, pending)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"could not byte-compile {', '.join(map(str, pending))} for python{version}:\n{result.stdout[-3000:]}")
    for directory in pending:
        (directory / stamp).write_text("")


def main() -> int:
    _pip_target(python_sdk_dir(), SDK, None)
    versions = available_python_versions()
    for version in versions:
        if python_sdk_dir(version) != python_sdk_dir():
            _pip_target(python_sdk_dir(version), SDK, version)
        _pip_target(python_support_dir(version), [AWSLAMBDARIC_FOR.get(version, AWSLAMBDARIC)], version)
        _compile_for(version, python_support_dir(version), python_sdk_dir(version))
    majors = nodejs.packaged_majors()
    with ThreadPoolExecutor(2) as pool:  # npm waits on the registry more than on the CPU
        list(pool.map(nodejs.install, majors))
    print(f"lambda runtimes ready in {python_sdk_dir().parent}: python {', '.join(versions)};"
          f" nodejs {', '.join(f'{m}.x' for m in majors)} in {nodejs.runtime_dir(0).parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

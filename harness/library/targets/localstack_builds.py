"""A file that LocalStack's own code makes (its service catalog, its TLS certificate), made once per machine for the
harness's cache in a fresh interpreter: an engine then finds it instead of making it at every boot or first request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.shared.errors import HarnessError


def run_localstack_build(code: str, output: Path, what: str, module: str, timeout: float,
                         env: dict[str, str] | None = None) -> None:
    """Run `code` (`sys.argv[1]` is `output`) in a fresh interpreter; a HarnessError naming `what` when it does not
    finish within `timeout`, fails, or writes nothing. `module` is the harness module whose main makes it by hand."""
    try:
        result = subprocess.run([sys.executable, "-c", code, str(output)], capture_output=True, text=True, env=env,
                                timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise HarnessError(f"making {what} did not finish", evidence=str(error),
                           hint=f"run `python -m {module}` by hand to see why") from error
    if result.returncode != 0 or not output.is_file():
        raise HarnessError(f"could not make {what}", evidence=result.stderr[-3000:],
                           hint="check that localstack-core is installed: make setup")

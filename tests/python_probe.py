"""A snippet of Python run in a fresh interpreter: what a process imports and patches at its start, seen from
outside."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def run_probe(code: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `code` (dedented) with this interpreter; it must end with status 0, else its stderr's tail is shown."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=timeout, check=False, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result

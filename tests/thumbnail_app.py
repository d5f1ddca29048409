"""Imports of the system under test's thumbnail code (app/ is Lambda code, not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from harness.library.layout import APP_DIR

PYTHON_APP = APP_DIR / "thumbnail_python"
NODE_APP = APP_DIR / "thumbnail_node"


def load(name: str) -> ModuleType:
    """app/thumbnail_python/<name>.py as a module (with its directory importable, as in the Lambda)."""
    if str(PYTHON_APP) not in sys.path:
        sys.path.insert(0, str(PYTHON_APP))
    spec = importlib.util.spec_from_file_location(name, PYTHON_APP / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def node_modules_installed() -> bool:
    return (NODE_APP / "node_modules" / "sharp").is_dir()


def sharp_thumbnail(source: Path, target: Path, width: int = 512, height: int = 512) -> None:
    import subprocess

    subprocess.run(["node", str(NODE_APP / "cli.js"), str(source), str(target), str(width), str(height)],
                   check=True, capture_output=True, text=True, timeout=60)

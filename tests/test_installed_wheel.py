"""Installed as a user installs it (a wheel, not editable, into a fresh venv outside the checkout), the harness
brings the system under test's Lambda code with it and the README's own-project example passes there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.lambda_runtime.runtimes import runtimes_dir
from harness.library.layout import CHECKOUT_ROOT
from tests.test_readme_example import readme_example

CACHE_DIR = runtimes_dir().parent


def run(argv: list[str], cwd: Path, timeout: float) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(argv, cwd=cwd, env=env | {"HARNESS_CACHE_DIR": str(CACHE_DIR)}, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(argv)} -> {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.mark.slow
@pytest.mark.timeout(900)  # pip installs ~150 packages (from its cache) into the fresh venv
def test_the_wheel_installed_elsewhere_runs_the_readme_example(tmp_path):
    wheels, venv, project, source = tmp_path / "wheels", tmp_path / "venv", tmp_path / "my-project", tmp_path / "source"
    # Built from a copy: setuptools writes build/ and *.egg-info into the tree, which a concurrent run would share.
    for name in ("harness", "app"):
        shutil.copytree(CHECKOUT_ROOT / name, source / name, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    shutil.copy(CHECKOUT_ROOT / "pyproject.toml", source / "pyproject.toml")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)], tmp_path, 300)
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, 120)
    python = venv / "bin" / "python"
    (wheel,) = wheels.glob("cruddur_harness-*.whl")
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", str(CHECKOUT_ROOT / "constraints.txt"),
         str(wheel)], tmp_path, 600)
    project.mkdir()
    where = run([str(python), "-c", "import harness, cruddur_app; print(harness.__file__); print(cruddur_app.__file__)"], project, 60)
    assert str(CHECKOUT_ROOT) not in where and all(line.startswith(str(venv)) for line in where.split())
    (project / "test_readme_example.py").write_text(readme_example())
    out = run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q"], project, 600)
    assert f"{readme_example().count(chr(10) + 'def test_')} passed" in out

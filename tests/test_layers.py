"""The layout shows the two processes (README "How it is put together"): the layer contracts in pyproject.toml
hold, a violation is caught, and pyproject's package list is the package tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from harness.library.layout import CHECKOUT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter over the `harness` package found in `root`, with the project's contracts."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120)


def test_the_two_processes_import_only_what_they_share():
    result = lint_imports(CHECKOUT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_test_side_code_importing_a_localstack_plugin_is_caught(tmp_path):
    shutil.copytree(CHECKOUT_ROOT / "harness", tmp_path / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CHECKOUT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    http = tmp_path / "harness" / "library" / "http.py"
    http.write_text(http.read_text() + "\nfrom harness.localstack_plugins.apigw import gateway  # noqa: E402\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "The test process does not import the LocalStack plugins BROKEN" in result.stdout
    assert "harness.library.http -> harness.localstack_plugins.apigw.gateway" in result.stdout


def test_pyproject_lists_every_package_of_the_tree():
    listed = set(tomllib.loads((CHECKOUT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {path.parent.relative_to(CHECKOUT_ROOT).as_posix().replace("/", ".") for path in (CHECKOUT_ROOT / "harness").glob("**/__init__.py")}
    assert listed == on_disk | {"cruddur_app"}

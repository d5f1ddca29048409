"""Installed as a user installs it (a wheel, not editable, into a fresh venv outside the checkout), the harness
brings the system under test's Lambda code with it and the README's own-project example passes there.

The wheel is built and installed afresh on every run; what pip resolves for it (its Requires-Dist under
constraints.txt, ~270 packages and 700 MB, ~1 minute of pip) is installed once per distinct set of requirements into
the harness cache and seen by the fresh venv through a `.pth` file; `pip check` then proves that the wheel's own
requirements are met by what is there, as a full install would have made them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from harness.lambda_runtime.runtimes import runtimes_dir
from harness.library.layout import CHECKOUT_ROOT
from tests.test_readme_example import readme_example

CACHE_DIR = runtimes_dir().parent
CONSTRAINTS = CHECKOUT_ROOT / "constraints.txt"
DISTRIBUTION = "cruddur-harness"


def run(argv: list[str], cwd: Path, timeout: float) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(argv, cwd=cwd, env=env | {"HARNESS_CACHE_DIR": str(CACHE_DIR)}, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(argv)} -> {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def requires_dist(wheel: Path) -> list[str]:
    """The wheel's own Requires-Dist lines (its METADATA), as pip reads them."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        return Parser().parsestr(archive.read(metadata).decode()).get_all("Requires-Dist") or []


def site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def dependencies_venv(wheel: Path, tmp_path: Path) -> Path:
    """A venv holding what `pip install <wheel>` installs, minus the wheel itself: made once per (Requires-Dist,
    constraints.txt, interpreter) in the harness cache; concurrent runs wait for the one that builds it."""
    key = hashlib.sha256("\n".join([*requires_dist(wheel), CONSTRAINTS.read_text(), sys.version]).encode()).hexdigest()[:24]
    venv = CACHE_DIR / "installed-wheel-dependencies" / key
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        complete = venv / ".complete"
        if not complete.is_file():
            shutil.rmtree(venv, ignore_errors=True)  # a build that was interrupted
            run([sys.executable, "-m", "venv", str(venv)], tmp_path, 120)
            python = str(venv / "bin" / "python")
            # --no-compile: pip would compile all ~700 MB to bytecode (a third of its CPU); the run below compiles what it
            # imports, once, as the venv's .pyc files (its environment keeps no PYTHONDONTWRITEBYTECODE)
            run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile", "-c", str(CONSTRAINTS),
                 str(wheel)], tmp_path, 600)
            run([python, "-m", "pip", "uninstall", "--quiet", "--yes", DISTRIBUTION], tmp_path, 120)
            complete.touch()
    return venv


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first run on a machine: pip installs ~270 packages (from its cache) into the dependencies venv
def test_the_wheel_installed_elsewhere_runs_the_readme_example(tmp_path):
    wheels, venv, project, source = tmp_path / "wheels", tmp_path / "venv", tmp_path / "my-project", tmp_path / "source"
    # Built from a copy: setuptools writes build/ and *.egg-info into the tree, which a concurrent run would share.
    for name in ("harness", "app"):
        shutil.copytree(CHECKOUT_ROOT / name, source / name, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    shutil.copy(CHECKOUT_ROOT / "pyproject.toml", source / "pyproject.toml")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)], tmp_path, 300)
    (wheel,) = wheels.glob("cruddur_harness-*.whl")
    dependencies = dependencies_venv(wheel, tmp_path)
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, 120)
    (site_packages(venv) / "installed-wheel-dependencies.pth").write_text(
        f"import site; site.addsitedir({str(site_packages(dependencies))!r})\n")
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", str(wheel)], tmp_path, 300)
    run([str(python), "-m", "pip", "check"], tmp_path, 120)  # every requirement of the wheel (and of its dependencies) is met
    project.mkdir()
    where = run([str(python), "-c", "import harness, cruddur_app; print(harness.__file__); print(cruddur_app.__file__)"], project, 60)
    assert str(CHECKOUT_ROOT) not in where and all(line.startswith(str(venv)) for line in where.split())
    (project / "test_readme_example.py").write_text(readme_example())
    out = run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q"], project, 600)
    assert f"{readme_example().count(chr(10) + 'def test_')} passed" in out

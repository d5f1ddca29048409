"""Installed as a user installs it (a wheel, not editable, into a fresh venv outside the checkout), the harness
brings the system under test's Lambda code with it and the README's own-project example passes there.

The wheel is built and installed afresh on every run. Its dependencies are what pip installs for it: the closure of its
Requires-Dist, markers evaluated as pip evaluates them, in the versions the project's own setup installed under
constraints.txt (the same set pip resolves, ~120 distributions and 700 MB). They are linked, file by file as their
RECORD lists them, from the project's environment into a directory of the harness cache, once per set of versions, which
the fresh venv sees through a `.pth` file: a pip install of them took 1-2.5 minutes of CPU on every fresh
HARNESS_CACHE_DIR (issue 13). A requirement missing from the wheel's metadata is missing there too, and `pip check`
proves that what is there meets every requirement of the wheel and of its dependencies.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from harness.lambda_runtime.runtimes import runtimes_dir
from harness.library.layout import CHECKOUT_ROOT
from tests.test_readme_example import readme_example

CACHE_DIR = runtimes_dir().parent


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


def installed_closure(requirements: list[str]) -> list[importlib.metadata.Distribution]:
    """The distributions of this environment that pip installs for `requirements`: each requirement whose marker holds
    (`extra` being one the requirer was asked for, or none), with the extras it names, and theirs in turn."""
    followed: dict[str, set[str]] = {}  # distribution -> the extras whose requirements were followed ("": none)
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [(Requirement(line), "") for line in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        extras = ({""} | set(requirement.extras)) - followed.get(name, set())
        if extras:
            followed.setdefault(name, set()).update(extras)
            distribution = found[name] = found.get(name) or importlib.metadata.distribution(name)
            pending += [(Requirement(line), each) for line in distribution.requires or [] for each in extras]
    return sorted(found.values(), key=lambda distribution: distribution.metadata["Name"])


def link_installed_files(distribution: importlib.metadata.Distribution, site: Path) -> None:
    """The distribution's files under site-packages (not its scripts), as its RECORD lists them, linked into `site`."""
    for entry in distribution.files or []:
        source = Path(distribution.locate_file(entry))
        if ".." in entry.parts or not source.is_file():
            continue
        target = site / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another file system
            shutil.copy2(source, target)


def dependencies_site(wheel: Path) -> Path:
    """A site-packages directory holding what `pip install <wheel>` installs, minus the wheel itself: made once per set
    of versions in the harness cache; concurrent runs wait for the one that makes it."""
    distributions = installed_closure([*requires_dist(wheel), "pip"])  # pip: the venv's own, which installs the wheel
    versions = [f"{found.metadata['Name']}=={found.version}" for found in distributions]
    site = CACHE_DIR / "installed-wheel-dependencies" / hashlib.sha256("\n".join([*versions, sys.version]).encode()).hexdigest()[:24]
    site.parent.mkdir(parents=True, exist_ok=True)
    with open(site.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        complete = site / ".complete"
        if not complete.is_file():
            shutil.rmtree(site, ignore_errors=True)  # a build that was interrupted
            for distribution in distributions:
                link_installed_files(distribution, site)
            complete.touch()
    return site


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_wheel_installed_elsewhere_runs_the_readme_example(tmp_path):
    wheels, venv, project, source = tmp_path / "wheels", tmp_path / "venv", tmp_path / "my-project", tmp_path / "source"
    # Built from a copy: setuptools writes build/ and *.egg-info into the tree, which a concurrent run would share.
    for name in ("harness", "app"):
        shutil.copytree(CHECKOUT_ROOT / name, source / name, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    shutil.copy(CHECKOUT_ROOT / "pyproject.toml", source / "pyproject.toml")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)], tmp_path, 300)
    (wheel,) = wheels.glob("cruddur_harness-*.whl")
    dependencies = dependencies_site(wheel)
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, 120)
    (site_packages(venv) / "installed-wheel-dependencies.pth").write_text(f"import site; site.addsitedir({str(dependencies)!r})\n")
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", str(wheel)], tmp_path, 300)
    run([str(python), "-m", "pip", "check"], tmp_path, 120)  # every requirement of the wheel (and of its dependencies) is met
    project.mkdir()
    where = run([str(python), "-c", "import harness, cruddur_app; print(harness.__file__); print(cruddur_app.__file__)"], project, 60)
    assert str(CHECKOUT_ROOT) not in where and all(line.startswith(str(venv)) for line in where.split())
    (project / "test_readme_example.py").write_text(readme_example())
    out = run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q"], project, 600)
    assert f"{readme_example().count(chr(10) + 'def test_')} passed" in out


def test_the_dependencies_are_the_installed_closure_of_the_requirements_with_their_markers_and_extras():
    def names(requirements: list[str]) -> set[str]:
        return {canonicalize_name(found.metadata["Name"]) for found in installed_closure(requirements)}

    sdk = {"boto3", "botocore", "jmespath", "s3transfer", "python-dateutil", "six", "urllib3"}
    assert names(["boto3", 'pytest-xdist; extra == "dev"']) == sdk  # botocore's `awscrt; extra == "crt"` is not followed
    assert names(["boto3[crt]"]) == sdk | {"awscrt"}

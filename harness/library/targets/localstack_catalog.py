"""LocalStack's service catalog (the index of every AWS API spec it parses requests with), built once per machine.

Without a prebuilt copy LocalStack builds it at the first AWS request of every run (~5 s here) and keeps it in its
cache dir, which is fresh for every engine. The harness keeps one copy per LocalStack and botocore version in its
own cache and puts it where LocalStack looks for a prebuilt one (`<FILESYSTEM_ROOT>/usr/lib/localstack`).
Built by `make setup` (`python -m harness.library.targets.localstack_catalog`), or by the first engine that finds it missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from harness.shared.cache import cache_dir
from harness.shared.errors import HarnessError

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
    try:
        result = subprocess.run([sys.executable, "-c", _BUILD, str(partial)], capture_output=True, text=True,
                                timeout=BUILD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as error:
        raise HarnessError("building LocalStack's service catalog did not finish", evidence=str(error),
                           hint="run `python -m harness.library.targets.localstack_catalog` by hand to see why") from error
    if result.returncode != 0 or not partial.is_file():
        raise HarnessError("could not build LocalStack's service catalog", evidence=result.stderr[-3000:],
                           hint="check that localstack-core is installed: make setup")
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

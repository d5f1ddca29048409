"""LocalStack's self-signed TLS certificate for its gateway port, made once per machine.

LocalStack serves HTTPS on its gateway port too, with a certificate it keeps in its cache dir and, finding none there
(its cache dir is fresh for every engine), makes at boot: a 2048-bit RSA key and a self-signed certificate, on every
one of `harness up`'s boots and the suite's ~45 (16 alternating boots, median: 499 -> 461 ms wall, 460 -> 435 ms CPU).
The harness keeps one, made by LocalStack's own `generate_ssl_cert` as a boot would make it, in its own cache and copies
it where LocalStack looks first (`<FILESYSTEM_ROOT>/var/lib/localstack/cache/server.test.pem`,
localstack.utils.ssl.get_cert_pem_file_path). The harness's AWS hostnames do not use it: their TLS is the harness's
own front (harness.localstack_plugins.aws_tls_front). Made by `make setup`
(`python -m harness.library.targets.localstack_certificate`), or by the first engine that finds it missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from harness.library.targets.localstack_builds import run_localstack_build
from harness.shared.cache import cache_dir
from harness.shared.emulator_api import LOCALSTACK_HOSTNAME

BUILD_TIMEOUT_SECONDS = 60.0
# LocalStack's certificate is valid for 2 years from when it is made; a cached one is used for one, then made again.
FRESH_FOR_SECONDS = 365 * 24 * 3600
_BUILD = "import sys; from localstack.utils.crypto import generate_ssl_cert; generate_ssl_cert(sys.argv[1])"


def cached_certificate() -> Path:
    return cache_dir() / "localstack" / f"server.test-{version('localstack-core').replace('.', '_')}.pem"


def _fresh(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < FRESH_FOR_SECONDS
    except OSError:
        return False


def ensure_certificate() -> Path:
    """The cached certificate (key and certificate, LocalStack's PEM file), made first if missing or a year old."""
    path = cached_certificate()
    if _fresh(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as workdir:  # LocalStack writes .key and .crt beside it
        made = Path(workdir) / "server.test.pem"
        run_localstack_build(_BUILD, made, "LocalStack's TLS certificate", __name__, BUILD_TIMEOUT_SECONDS,
                             env={**os.environ, "LOCALSTACK_HOST": f"{LOCALSTACK_HOSTNAME}:4566"})
        made.replace(path)  # atomically: engines may be reading it
    return path


def place_certificate(filesystem_root: Path) -> Path:
    """Copy the cached certificate (made first if missing) into an engine's filesystem root, where LocalStack reads
    it instead of making one."""
    target = filesystem_root / "var" / "lib" / "localstack" / "cache" / "server.test.pem"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ensure_certificate(), target)
    return target


def main() -> int:
    print(f"LocalStack TLS certificate ready: {ensure_certificate()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

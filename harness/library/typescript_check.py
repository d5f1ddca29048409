"""The verdict of ts-node's type check of a TypeScript CDK app, remembered by content in the harness cache.

A CDK app run through ts-node (`"app": "npx ts-node ... bin/app.ts"`, the seed's and the CDK template's) type-checks
every file it loads before running it: ~10 s of CPU per `cdk synth` for an app on aws-cdk-lib, the same work each time
for the same files. The verdict depends only on the app's files (sources, tsconfig.json, package.json and the lock that
pins TypeScript and the type packages), so once a synth of exactly those files has passed, later synths of them run
transpile-only (`TS_NODE_TRANSPILE_ONLY`), which emits the same JavaScript; any change to a file checks again.
A synth that fails records nothing. Apps not run through ts-node ignore the variable.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from harness.shared.cache import cache_dir

_NOT_APP_FILES = {"node_modules", "cdk.out"}  # installed packages (the lock covers them) and synth output


def _app_digest(app: Path) -> str:
    digest = hashlib.sha256()
    for directory, dirnames, filenames in os.walk(app):
        dirnames[:] = sorted(name for name in dirnames if name not in _NOT_APP_FILES)
        for name in sorted(filenames):
            path = Path(directory) / name
            digest.update(str(path.relative_to(app)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


class TypeCheckVerdict:
    """Whether this content of `app` has passed ts-node's type check before."""

    def __init__(self, app: Path) -> None:
        self._marker = cache_dir() / "typescript-checked" / _app_digest(Path(app))

    @property
    def passed(self) -> bool:
        return self._marker.is_file()

    def environment(self) -> dict[str, str]:
        """What to add to the synth's environment: transpile-only once these files have passed."""
        return {"TS_NODE_TRANSPILE_ONLY": "true"} if self.passed else {}

    def record_pass(self) -> None:
        self._marker.parent.mkdir(parents=True, exist_ok=True)
        self._marker.touch()

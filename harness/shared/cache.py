"""The harness's own cache (`HARNESS_CACHE_DIR`, default `~/.cache/cruddur-harness`): what setup builds once per machine."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("HARNESS_CACHE_DIR") or Path.home() / ".cache" / "cruddur-harness")

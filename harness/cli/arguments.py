"""Argument types for `harness`: a bad value is refused by argparse with one line and the usage, never a traceback
(`--port 70000` used to end in `OverflowError` from bind())."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import urlparse

MAX_PORT = 65535
THUMBNAIL_RUNTIME = re.compile(r"python3\.\d+|nodejs\d+\.x")


def port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-{MAX_PORT})") from None
    if not 1 <= number <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{number} is not a port number (1-{MAX_PORT})")
    return number


def thumbnail_runtime(value: str) -> str:
    if not THUMBNAIL_RUNTIME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a runtime of the thumbnail Lambda: python3.<minor> (Pillow) or nodejs<major>.x (sharp)")
    return value


def state_dir(value: str) -> str:
    """A directory, or a path where one can be made."""
    if Path(value).exists() and not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} exists and is not a directory")
    return value


def answers_dir(value: str) -> Path:
    """A directory of recorded answers; a missing one is the command's own error (it says how to record them)."""
    return Path(state_dir(value))


def existing_file(value: str) -> str:
    if not Path(value).is_file():
        raise argparse.ArgumentTypeError(f"{value!r} is not a file")
    return value


def existing_dir(value: str) -> Path:
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a directory")
    return Path(value)


def http_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    return value


def origin(value: str) -> str:
    """A page origin as a browser sends it: scheme://host[:port]; a path or trailing slash is kept (it is what bug 6
    is about), anything that is not http(s) is refused."""
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise argparse.ArgumentTypeError(f"{value!r} is not an origin (scheme://host[:port], e.g. https://3000-cruddur.gitpod.io)")
    return value


def http_method(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]+", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an HTTP method")
    return value.upper()

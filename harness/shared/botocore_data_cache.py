"""botocore's data files (service models, endpoint rule sets, `endpoints.json`) loaded once per process and parsed
once per machine, not once per session (issue 13).

Every new botocore `Session` makes its own `Loader`, which lists botocore's ~400 service directories and parses each
data file again with `json.loads(..., object_pairs_hook=OrderedDict)` the first time that session needs it:
`endpoints.json` takes ~45 ms each time, a service model 5-10 ms. The engine makes many sessions (LocalStack's
internal clients and region lookups, moto's parameter parser, boto3's default session), so the same files were listed
and parsed again and again: ~25 % of the engine's CPU while the Cruddur stack is provisioned (py-spy); the test process
makes a session per `AwsClients`. Two installs:
- `share_loaders()`, in the engine only: `botocore.loaders.create_loader` answers one `Loader` per search path for the
  whole process, so sessions share what it loaded, as the clients of one session always do (botocore's
  `instance_cache`). The engine's callers don't change a loaded model; a user's test in the test process might (a
  `service-data-loaded` handler, a changed `search_paths`), so there each session keeps a loader of its own.
- `install_file_cache()`, in both processes: `JSONFileLoader.load_file` reads a pickle of what botocore parsed the
  first time, kept under `$HARNESS_CACHE_DIR/botocore-data/`: the same OrderedDicts, lists and scalars, a fresh copy
  for each load, in about half the time. A cache file is keyed by the data file's path, size and mtime and by the
  Python and botocore versions; one that is missing, unreadable or corrupt is made again from the JSON, so a bad
  cache only costs the parse. `Loader.list_available_services` (which lists ~415 service folders and looks for the
  type's file in each: ~8 ms a type, per loader) takes an installed data folder's listing (one under `sys.prefix`:
  botocore's, LocalStack's) from the cache too, keyed by the folder's path and mtime (installing a package again
  rewrites its folder) and the type; any other folder (`~/.aws/models`, AWS_DATA_PATH) is listed each time, as
  botocore does.

Lambda functions never get this: their SDK is the runtime's own (`harness.lambda_runtime`), as on AWS.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import botocore
from botocore import loaders, session

from harness.shared.cache import cache_dir

LOG = logging.getLogger(__name__)
_INSTALL_LOCK = threading.Lock()


def data_cache_dir() -> Path:
    """The cache of this Python and botocore version (a pickle is only read by the versions that wrote it)."""
    return cache_dir() / "botocore-data" / f"py{sys.version_info[0]}{sys.version_info[1]}-botocore{botocore.__version__}"


def install_file_cache() -> None:
    """From now on in this process, botocore's loaders read data files through the cache (idempotent, thread-safe)."""
    with _INSTALL_LOCK:
        if getattr(loaders.JSONFileLoader.load_file, "reads_the_cache", False):
            return
        parse = loaders.JSONFileLoader.load_file

        def load_file(self: loaders.JSONFileLoader, file_path: str) -> Any:
            found = _data_file(file_path)
            if found is None:
                return None  # what botocore answers for a file that is not there
            cached = _cache_file(found)
            data = _read(cached)
            if data is None:
                data = parse(self, file_path)
                if data is not None:
                    _write(cached, data)
            return data

        load_file.reads_the_cache = True
        loaders.JSONFileLoader.load_file = load_file
        loaders.Loader.list_available_services = _listing_through_the_cache(loaders.Loader.list_available_services)


def _listing_through_the_cache(list_services: Callable[[loaders.Loader, str], list[str]]) -> Callable[..., list[str]]:
    """botocore's `Loader.list_available_services`, run on one data folder at a time (a loader of that folder alone),
    each installed folder's listing read from the cache."""

    @loaders.instance_cache
    def list_available_services(self: loaders.Loader, type_name: str) -> list[str]:
        services: set[str] = set()
        for folder in self._potential_locations():
            services.update(_listed(folder, type_name, list_services))
        return sorted(services)

    return list_available_services


def _listed(folder: str, type_name: str, list_services: Callable[[loaders.Loader, str], list[str]]) -> list[str]:
    def listing() -> list[str]:
        return list_services(loaders.Loader(extra_search_paths=[folder], include_default_search_paths=False), type_name)

    path = Path(folder).resolve()
    if not path.is_relative_to(Path(sys.prefix).resolve()):
        return listing()
    cached = _cache_path(f"{path}\0{path.stat().st_mtime_ns}\0{type_name}", prefix="listing-")
    listed = _read(cached)
    if listed is None:
        listed = listing()
        _write(cached, listed)
    return listed


def share_loaders(first_search_paths: Sequence[str] = ()) -> loaders.Loader:
    """From now on in this process, every botocore session uses one loader per data path (the engine only: a caller
    that changes a loader or a model it loaded changes them for every session). `first_search_paths` are put in front
    of its search paths now, before it has listed or loaded anything (as LocalStack puts its own data folder in front of
    each of its sessions' paths). Returns the loader sessions without a data path of their own use."""
    with _INSTALL_LOCK:
        if not hasattr(loaders.create_loader, "made"):
            loaders.create_loader = session.create_loader = one_loader_per_arguments(loaders.create_loader)
        default = loaders.create_loader()
        for path in reversed(first_search_paths):
            if path not in default.search_paths:
                default.search_paths.insert(0, path)
        return default


def one_loader_per_arguments(create_loader: Callable[..., loaders.Loader]) -> Callable[..., loaders.Loader]:
    """`create_loader` (botocore's, or another library's loader factory) answering one loader per arguments."""
    made: dict[tuple[Any, ...], loaders.Loader] = {}
    lock = threading.Lock()

    def shared_loader(*arguments: Any, **keywords: Any) -> loaders.Loader:
        key = (arguments or (None,)) + tuple(sorted(keywords.items()))  # botocore's `create_loader()` is `create_loader(None)`
        with lock:
            if key not in made:
                made[key] = create_loader(*arguments, **keywords)
            return made[key]

    shared_loader.made = made  # the loaders made so far, by arguments
    return shared_loader


def _data_file(file_path: str) -> Path | None:
    """The file botocore would read for `file_path` (its extensions, in its order)."""
    for extension in loaders._JSON_OPEN_METHODS:
        candidate = Path(file_path + extension)
        if candidate.is_file():
            return candidate
    return None


def _cache_file(data_file: Path) -> Path:
    """The cache file of one version of one data file."""
    stat = data_file.stat()
    return _cache_path(f"{data_file.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}")


def _cache_path(key: str, prefix: str = "") -> Path:
    """The pickle kept for `key` (what identifies one version of what is cached)."""
    return data_cache_dir() / f"{prefix}{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"


def _read(cached: Path) -> Any:
    try:
        return pickle.loads(cached.read_bytes())
    except FileNotFoundError:
        return None
    except Exception as error:  # truncated, or written by something else: parse the JSON and write it again
        LOG.warning("ignoring the botocore data cache file %s (%s: %s); it is made again", cached, type(error).__name__, error)
        return None


def _write(cached: Path, data: Any) -> None:
    """Atomically (another process may read or write it at the same time); a cache that can't be written is skipped."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=cached.parent, prefix=cached.name, suffix=".partial")
    except OSError as error:
        LOG.debug("botocore data cache not written at %s: %s", cached, error)
        return
    try:
        with os.fdopen(descriptor, "wb") as out:
            pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, cached)
    except OSError as error:
        LOG.debug("botocore data cache not written at %s: %s", cached, error)
        Path(partial).unlink(missing_ok=True)

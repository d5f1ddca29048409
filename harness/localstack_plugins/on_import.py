"""Patch a LocalStack module when LocalStack first imports it, not at boot (inside LocalStack; issue 13).

The `on_infra_start` hooks correct LocalStack modules by patching them. Importing a module to patch it at boot loads
it whether or not the run ever uses that service: LocalStack's CloudFormation v2 engine alone took 0.6 s and the
Lambda event manager 0.25 s of an engine's ~2 s boot. `when_imported(name, patch)` runs `patch(module)` right after
the module's own code has run on its first import (at once if it is imported already), so a hook costs nothing until
LocalStack loads that service, and the patch is in place before any of the module's code is used.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

Patch = Callable[[ModuleType], None]
_PENDING: dict[str, list[Patch]] = {}
_LOCK = threading.Lock()


def when_imported(name: str, patch: Patch) -> None:
    """Run `patch(module)` once module `name` is imported: now if it is, else right after its first import."""
    with _LOCK:
        module = sys.modules.get(name)
        if module is None:
            _PENDING.setdefault(name, []).append(patch)
            if _FINDER not in sys.meta_path:
                sys.meta_path.insert(0, _FINDER)
            return
    patch(module)


class _PatchingLoader(importlib.abc.Loader):
    """The module's own loader, and then its patches."""

    def __init__(self, loader: Any, name: str) -> None:
        self._loader, self._name = loader, name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        with _LOCK:
            patches = _PENDING.pop(self._name, [])
        for patch in patches:
            patch(module)

    def __getattr__(self, attribute: str) -> Any:  # get_source, get_filename, ... as the real loader answers them
        return getattr(self._loader, attribute)


class _PostImportFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _PENDING:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, fullname)
        return spec


_FINDER = _PostImportFinder()

"""Modules LocalStack imports at boot without using them then, run when a name is first read from them (inside
LocalStack; issue 13).

`install()` (engine_main, before botocore or LocalStack is imported) puts a finder first on `sys.meta_path`. A module in
`DEFERRED` is then imported as an empty module of its own spec (name, file, `__path__`), and its own code runs, into
that same module object, when any name but `__spec__` is first read from it: what `importlib.util.LazyLoader` does.
Two differences:
- LazyLoader in Python 3.11 lets a second thread read a module whose code is still running and find names missing
  (CPython gh-114763, fixed in 3.13); here that thread waits for it.
- LazyLoader runs an extension module's native code at import (its `create_module`); here that also waits, and the
  loaded module's names are copied into the one already imported.
`__spec__` is read by every later `import` of a module (is it still initialising?), so it runs nothing.

- `docker` (docker-py, ~45 ms of CPU): `localstack.utils.docker_utils` imports it at boot only to learn whether it is
  installed; outside a container LocalStack then uses its docker CLI client.
- `dns.resolver` (~60 ms): `localstack.utils.net` imports it for a function that resolves names upstream.
- asn1crypto's `algos`, `cms`, `core` and `x509` (~30 ms): `localstack.utils.crypto` builds PKCS#7 envelopes with
  them, in functions.
- `dns.message` and `dns.query` (dnspython, ~10 ms): `localstack.aws.connect` imports them for a function that asks an
  upstream DNS server; LocalStack's DNS server module, which also imports them, is a stand-in (`deferred_imports`).
- `OpenSSL.SSL` and `OpenSSL.crypto` (pyOpenSSL, ~15 ms with cryptography's x509 modules): LocalStack's
  `generate_ssl_cert` imports `OpenSSL.crypto` before it finds its certificate made (`localstack_certificate` places
  it), and urllib3's pyOpenSSL module, which botocore imports, is a stand-in (`deferred_imports`).
- `yaml` (~6 ms): LocalStack's plugins module and its Swagger plugin import it for functions (an OpenAPI spec read and
  one served).
- `pydantic` (~10 ms and pydantic_core's native library): rolo's request dispatcher imports it; until its code has run
  rolo dispatches without it (`rolo_pydantic_dispatch`).

`awscrt_on_first_use` defers awscrt's native library the same way.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Iterable
from typing import Any

DEFERRED = frozenset({"docker", "dns.resolver", "asn1crypto.algos", "asn1crypto.cms", "asn1crypto.core",
                      "asn1crypto.x509", "dns.message", "dns.query", "OpenSSL.SSL", "OpenSSL.crypto", "yaml",
                      "pydantic"})


class _Pending:
    """A deferred module's own loader, and who is running its code."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader
        self.lock = threading.RLock()
        self.running_in: int | None = None

    def run(self, module: types.ModuleType) -> None:
        spec = object.__getattribute__(module, "__spec__")
        if isinstance(self.loader, importlib.machinery.ExtensionFileLoader):
            loaded = self.loader.create_module(spec)
            self.loader.exec_module(loaded)
            names = vars(loaded)
            vars(module).update({name: names[name] for name in names if name not in ("__spec__", "__loader__")})
        else:
            self.loader.exec_module(module)


class _RunsOnFirstRead(types.ModuleType):
    def __getattribute__(self, name: str) -> Any:
        if name == "__spec__":
            return object.__getattribute__(self, name)
        pending: _Pending = object.__getattribute__(self, "__spec__").loader_state
        with pending.lock:
            if type(self) is _RunsOnFirstRead:
                if pending.running_in == threading.get_ident():  # the module's own code (and its imports) running
                    return object.__getattribute__(self, name)
                pending.running_in = threading.get_ident()
                try:
                    pending.run(self)
                finally:
                    pending.running_in = None
                self.__class__ = types.ModuleType
        return getattr(self, name)


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, pending: _Pending) -> None:
        self._pending = pending

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # a plain module of the spec; the module's own loader makes it when it runs

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__.loader = module.__loader__ = self._pending.loader
        module.__spec__.loader_state = self._pending
        module.__class__ = _RunsOnFirstRead


class _DeferringFinder(importlib.abc.MetaPathFinder):
    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)

    def find_spec(self, fullname: str, path: Any, target: types.ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _DeferringLoader(_Pending(spec.loader))
        return spec


def defer_until_first_read(names: Iterable[str]) -> None:
    """Modules `names`, when imported from now on, run when a name is first read from them."""
    sys.meta_path.insert(0, _DeferringFinder(names))


def has_run(name: str) -> bool:
    """Whether module `name` is imported and its own code has run (False while it waits for a first read)."""
    module = sys.modules.get(name)
    return module is not None and type(module) is not _RunsOnFirstRead


def install() -> None:
    defer_until_first_read(DEFERRED)

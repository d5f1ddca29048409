"""LocalStack's own HTTP resources (`/_localstack/health`, `/_localstack/info`, ...) looked up only for a path one of
their routes can match (inside LocalStack; issue 13).

LocalStack 4.13.1's handler chain asks its internal resources router about every request, an S3 HEAD as much as a
health check: it binds the router's werkzeug map and matches it, then catches the NotFound of every AWS request
(~55 us of the ~1.3 ms of Python an S3 HEAD costs the engine, measured per handler). A route can only match a path
that begins with the static part of its rule (up to its first `<variable>`), and werkzeug's redirects for a missing
or doubled slash need that part too, less a trailing slash and with slashes merged; so a request whose path begins
with none of them, and is not under `/_localstack/` (whose misses LocalStack answers 404), goes on down the chain
without the lookup, as it did after the NotFound. The prefixes are read from the router's current map, which
LocalStack replaces whenever a route is added or removed.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from harness.localstack_plugins.on_import import when_imported

_SLASHES = re.compile(r"/{2,}")
_MAP_PREFIXES = "_harness_path_prefixes"  # set on each werkzeug Map LocalStack's router makes


def path_prefixes(url_map: Any) -> tuple[str, ...]:
    """The static beginnings of the map's rules, without a trailing slash ("" for a rule that begins with a variable);
    read again if a rule was added to the map itself."""
    count, prefixes = url_map.__dict__.get(_MAP_PREFIXES, (-1, ()))
    if count != len(url_map._rules):
        prefixes = tuple({rule.rule.split("<", 1)[0].rstrip("/") for rule in url_map.iter_rules()})
        setattr(url_map, _MAP_PREFIXES, (len(url_map._rules), prefixes))
    return prefixes


def may_match(url_map: Any, raw_path: str) -> bool:
    """Whether a rule of the map could match this path (or redirect it to one that matches)."""
    return (_SLASHES.sub("/", raw_path) if "//" in raw_path else raw_path).startswith(path_prefixes(url_map))


def look_up_only_matching_paths(internal: ModuleType) -> None:
    from localstack import constants
    from localstack.http.request import get_raw_path

    handler_class = internal.LocalstackResourceHandler
    serve = handler_class.__call__

    def __call__(self: Any, chain: Any, context: Any, response: Any) -> None:
        request = context.request
        if request.path.startswith(constants.INTERNAL_RESOURCE_PATH + "/") or may_match(self.resources.url_map, get_raw_path(request)):
            serve(self, chain, context, response)

    handler_class.__call__ = __call__


def match_internal_resources_by_path() -> None:
    """From now on, the engine's internal resources handler looks up only paths a route can match."""
    when_imported("localstack.aws.handlers.internal", look_up_only_matching_paths)

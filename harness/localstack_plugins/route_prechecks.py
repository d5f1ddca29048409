"""LocalStack's routers for its own resources (`/_localstack/health`, ...) and for its edge routes (execute-api, S3
websites, the harness's Cognito documents and endpoints) asked only about a request one of their routes can match
(inside LocalStack; issue 13).

LocalStack 4.13.1's handler chain asks both routers about every request, an S3 HEAD as much as a health check: each
binds its werkzeug map and matches it, then catches the NotFound of every AWS request (~110 us of the ~1.3 ms of
Python an S3 HEAD costs the engine, measured per handler). A route can only match a request whose path begins with the
static part of its rule (up to its first `<variable>`; werkzeug's redirects for a missing or doubled slash need that
part too, less a trailing slash and with slashes merged) and whose host, lower-cased as werkzeug binds it, contains
every static part of its host pattern (`cognito-idp.`, `.amazonaws.com`; none for a route on any host). A request no
route can match goes on down the chain without the lookup, as it did after the NotFound; one under `/_localstack/`,
whose misses LocalStack answers 404, is always looked up. The parts are read from a router's current map, which
LocalStack replaces whenever a route is added or removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from harness.localstack_plugins.on_import import when_imported

_SLASHES = re.compile(r"/{2,}")
_VARIABLE = re.compile(r"<[^<>]*>")
_MAP_PARTS = "_harness_route_parts"  # set on each werkzeug Map LocalStack's routers make


def host_parts(host_pattern: str | None) -> tuple[str, ...]:
    """The static parts of a rule's host pattern; none for a route on any host, or a pattern this cannot read."""
    if not host_pattern or host_pattern.count("<") != host_pattern.count(">"):
        return ()
    return tuple(part for part in _VARIABLE.split(host_pattern) if part)


def route_parts(url_map: Any) -> frozenset[tuple[str, tuple[str, ...]]]:
    """(static beginning of the path without a trailing slash, static parts of the host) of each of the map's rules;
    read again if a rule was added to the map itself."""
    count, parts = url_map.__dict__.get(_MAP_PARTS, (-1, frozenset()))
    if count != len(url_map._rules):
        parts = frozenset((rule.rule.split("<", 1)[0].rstrip("/"), host_parts(rule.host)) for rule in url_map.iter_rules())
        setattr(url_map, _MAP_PARTS, (len(url_map._rules), parts))
    return parts


def may_match(url_map: Any, host: str, raw_path: str) -> bool:
    """Whether a rule of the map could match this request (or redirect it to one that matches)."""
    path = _SLASHES.sub("/", raw_path) if "//" in raw_path else raw_path
    host = host.lower()
    return any(path.startswith(prefix) and all(part in host for part in parts) for prefix, parts in route_parts(url_map))


def ask_only_about_matching_requests(handler_class: type, router_of: Callable[[Any], Any],
                                     always_asked: Callable[[Any, Any], bool]) -> None:
    """`handler_class.__call__` asks its router (`router_of(handler)`) only about a request one of its routes can match,
    or that `always_asked(handler, request)`."""
    from localstack.http.request import get_raw_path

    ask = handler_class.__call__

    def __call__(self: Any, chain: Any, context: Any, response: Any) -> None:
        request = context.request
        if always_asked(self, request) or may_match(router_of(self).url_map, request.host, get_raw_path(request)):
            ask(self, chain, context, response)

    handler_class.__call__ = __call__


def ask_resources_only_about_matching_requests(internal: ModuleType) -> None:
    """LocalStack's LocalstackResourceHandler (`localstack.aws.handlers.internal`): a miss under /_localstack/ is a 404."""
    from localstack import constants

    ask_only_about_matching_requests(internal.LocalstackResourceHandler, lambda handler: handler.resources,
                                     lambda handler, request: request.path.startswith(constants.INTERNAL_RESOURCE_PATH + "/"))


def ask_edge_routes_only_about_matching_requests(legacy: ModuleType) -> None:
    """LocalStack's EdgeRouterHandler (`localstack.aws.handlers.legacy`): a miss is a 404 only if it says so."""
    ask_only_about_matching_requests(legacy.EdgeRouterHandler, lambda handler: handler.router,
                                     lambda handler, request: handler.respond_not_found)


def ask_routers_only_about_matching_requests() -> None:
    """From now on, the engine's resources and edge route handlers ask their routers only about requests a route can
    match."""
    when_imported("localstack.aws.handlers.internal", ask_resources_only_about_matching_requests)
    when_imported("localstack.aws.handlers.legacy", ask_edge_routes_only_about_matching_requests)

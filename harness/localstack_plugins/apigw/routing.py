"""Route selection for HTTP APIs (behaviour.md "HTTP API routing").

Route keys are `$default`, `METHOD /path` or `ANY /path`; a path segment may be a literal,
`{name}` (one segment) or, as the last segment, greedy `{name+}`. API Gateway picks the most
specific match: a full path match (literal segments before variables) with its method, then with
ANY; then the longest greedy `{proxy+}` match, its method before ANY; then `$default`. No match: 404.

What AWS does not document (method versus path specificity) is decided in `aws_unverified.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from harness.localstack_plugins.apigw.aws_unverified import PATH_SPECIFICITY_BEFORE_METHOD

DEFAULT_ROUTE_KEY = "$default"


class RouteKeyError(ValueError):
    """A route key AWS would reject at CreateRoute (BadRequestException)."""


@dataclass(frozen=True)
class Route:
    """A route as configured: its key and whatever the caller attaches (target, authorizer...)."""

    route_key: str
    config: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class _Pattern:
    method: str  # upper case, or ANY
    segments: tuple[str, ...]

    @property
    def greedy(self) -> bool:
        return bool(self.segments) and self.segments[-1].endswith("+}")


def parse_route_key(route_key: str) -> _Pattern | None:
    """`GET /pets/{id}` -> pattern; `$default` -> None; anything else -> RouteKeyError."""
    if route_key == DEFAULT_ROUTE_KEY:
        return None
    method, _, path = route_key.partition(" ")
    if not method or not path.startswith("/") or method != method.upper():
        raise RouteKeyError(f"invalid route key {route_key!r}: expected '$default' or 'METHOD /path'")
    segments = tuple(s for s in path.split("/")[1:] if s != "") if path != "/" else ()
    for index, segment in enumerate(segments):
        if segment.endswith("+}") and index != len(segments) - 1:
            raise RouteKeyError(f"invalid route key {route_key!r}: a greedy variable must be the last segment")
    return _Pattern(method, segments)


def _variable(segment: str) -> str | None:
    if segment.startswith("{") and segment.endswith("}"):
        return segment[1:-1].rstrip("+")
    return None


def _match_path(pattern: _Pattern, parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for index, segment in enumerate(pattern.segments):
        name = _variable(segment)
        if segment.endswith("+}"):
            rest = parts[index:]
            if not rest:
                return None  # `{proxy+}` needs at least one segment
            params[name] = "/".join(unquote(p) for p in rest)
            return params
        if index >= len(parts):
            return None
        if name is not None:
            params[name] = unquote(parts[index])
        elif segment != parts[index]:
            return None
    return params if len(parts) == len(pattern.segments) else None


def _rank(pattern: _Pattern, method: str) -> tuple[int, ...]:
    literal_segments = sum(1 for s in pattern.segments if _variable(s) is None)
    path_rank = (
        0 if pattern.greedy else 1,  # full matches before greedy ones
        len(pattern.segments) if pattern.greedy else literal_segments,  # longest greedy prefix / most literals
        literal_segments,
    )
    method_rank = (1 if pattern.method == method else 0,)  # the method before ANY
    return path_rank + method_rank if PATH_SPECIFICITY_BEFORE_METHOD else method_rank + path_rank


def match_route(routes: list[Route], method: str, path: str) -> RouteMatch | None:
    """The route API Gateway selects for `method path`, or None (-> 404 {"message":"Not Found"})."""
    method = method.upper()
    parts = [p for p in path.split("?")[0].split("/")[1:] if p != ""]
    best: tuple[tuple[int, ...], RouteMatch] | None = None
    default: Route | None = None
    for route in routes:
        pattern = parse_route_key(route.route_key)
        if pattern is None:
            default = route
            continue
        if pattern.method not in (method, "ANY"):
            continue
        params = _match_path(pattern, parts)
        if params is None:
            continue
        rank = _rank(pattern, method)
        if best is None or rank > best[0]:
            best = (rank, RouteMatch(route, params))
    if best is not None:
        return best[1]
    return RouteMatch(default, {}) if default is not None else None

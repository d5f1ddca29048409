"""CORS for HTTP APIs with a CORS configuration (behaviour.md "HTTP API CORS configuration").

Pure decisions over request headers (lower-case names) and the API's `CorsConfiguration`:
- a preflight (OPTIONS + Origin + Access-Control-Request-Method) is answered by the gateway itself,
  before any route or authorizer;
- CORS headers are added only when the request has an Origin, and an integration's own
  `access-control-*` headers are dropped: only the configuration counts (system.md bug 4).

What AWS does not document (the status of refused preflights, ...) is decided in `aws_unverified.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.localstack_plugins.apigw.aws_unverified import (
    AUTOMATIC_PREFLIGHT_STATUS, DISALLOWED_PREFLIGHT_STATUS, ECHO_CONFIGURED_ALLOW_HEADERS,
)
from harness.localstack_plugins.apigw.wire import wire



@dataclass(frozen=True)
class CorsConfiguration:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_api(cls, document: dict[str, Any] | None) -> "CorsConfiguration | None":
        """From the `CorsConfiguration` of CreateApi/UpdateApi (AWS field names); None if absent."""
        if not document:
            return None
        return cls(
            allow_origins=tuple(wire(document, "AllowOrigins", ())),
            allow_methods=tuple(m.upper() for m in wire(document, "AllowMethods", ())),
            allow_headers=tuple(h.lower() for h in wire(document, "AllowHeaders", ())),
            expose_headers=tuple(wire(document, "ExposeHeaders", ())),
            max_age=wire(document, "MaxAge"),
            allow_credentials=bool(wire(document, "AllowCredentials", False)),
        )


@dataclass(frozen=True)
class PreflightAnswer:
    status: int
    headers: dict[str, str]
    refused_because: str = ""  # why no CORS headers were sent (for explanations), "" when allowed


def is_preflight(method: str, headers: dict[str, str]) -> bool:
    return method.upper() == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def origin_allowed(config: CorsConfiguration, origin: str) -> bool:
    """`*`, an exact origin, or a scheme wildcard `https://*` / `http://*`."""
    for allowed in config.allow_origins:
        if allowed == "*" or allowed == origin:
            return True
        if allowed.endswith("://*") and origin.startswith(allowed[:-1]) and len(origin) > len(allowed) - 1:
            return True
    return False


def _allow_origin_value(config: CorsConfiguration, origin: str) -> str:
    return "*" if "*" in config.allow_origins and not config.allow_credentials else origin


def _listed(values: tuple[str, ...], wanted: str) -> bool:
    return "*" in values or wanted in values


def answer_preflight(config: CorsConfiguration, headers: dict[str, str]) -> PreflightAnswer:
    """The gateway's own answer to a preflight; no route, no authorizer."""
    origin = headers["origin"]
    method = headers["access-control-request-method"].upper()
    requested = [h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()]
    if not origin_allowed(config, origin):
        return PreflightAnswer(DISALLOWED_PREFLIGHT_STATUS, {}, f"origin {origin!r} is not in allowOrigins {list(config.allow_origins)}")
    if not _listed(config.allow_methods, method):
        return PreflightAnswer(DISALLOWED_PREFLIGHT_STATUS, {}, f"method {method} is not in allowMethods {list(config.allow_methods)}")
    for header in requested:
        if not _listed(config.allow_headers, header):
            return PreflightAnswer(DISALLOWED_PREFLIGHT_STATUS, {}, f"header {header!r} is not in allowHeaders {list(config.allow_headers)}")
    answer = {"access-control-allow-origin": _allow_origin_value(config, origin)}
    answer["access-control-allow-methods"] = ",".join(config.allow_methods)
    if config.allow_headers:
        echoed = config.allow_headers if ECHO_CONFIGURED_ALLOW_HEADERS else tuple(requested)
        answer["access-control-allow-headers"] = ",".join(echoed)
    if config.max_age is not None:
        answer["access-control-max-age"] = str(config.max_age)
    if config.allow_credentials:
        answer["access-control-allow-credentials"] = "true"
    if answer["access-control-allow-origin"] != "*":
        answer["vary"] = "Origin"
    return PreflightAnswer(AUTOMATIC_PREFLIGHT_STATUS, answer)


def apply_to_response(config: CorsConfiguration, request_headers: dict[str, str], response_headers: dict[str, str]) -> dict[str, str]:
    """Response headers of an actual (non-preflight) request: the integration's CORS headers are
    dropped, the configured ones added when the request has an allowed Origin."""
    headers = {k: v for k, v in response_headers.items() if not k.lower().startswith("access-control-")}
    origin = request_headers.get("origin")
    if origin is None or not origin_allowed(config, origin):
        return headers
    headers["access-control-allow-origin"] = _allow_origin_value(config, origin)
    if config.expose_headers:
        headers["access-control-expose-headers"] = ",".join(config.expose_headers)
    if config.allow_credentials:
        headers["access-control-allow-credentials"] = "true"
    if headers["access-control-allow-origin"] != "*":
        headers["vary"] = "Origin"
    return headers

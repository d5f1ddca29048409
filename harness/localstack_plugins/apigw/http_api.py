"""An HTTP API's configuration as plain data, read from the API's wire documents (GetApi, GetRoutes...).

The gateway core works on these objects only; where they come from (moto's models inside LocalStack,
or a test) does not matter to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.localstack_plugins.apigw.cors import CorsConfiguration
from harness.localstack_plugins.apigw.jwt_authorizer import JwtAuthorizerConfig
from harness.localstack_plugins.apigw.lambda_authorizer import LambdaAuthorizerConfig
from harness.localstack_plugins.apigw.routing import Route
from harness.localstack_plugins.apigw.wire import wire


def lambda_arn_of(uri: str) -> str:
    """A Lambda ARN from an integration/authorizer URI (plain ARN or the `.../functions/<arn>/invocations` form)."""
    if "/functions/" in uri:
        return uri.split("/functions/", 1)[1].split("/invocations", 1)[0]
    return uri


@dataclass(frozen=True)
class Integration:
    integration_id: str
    integration_type: str
    function_arn: str
    payload_format_version: str = "2.0"


@dataclass(frozen=True)
class Authorizer:
    authorizer_id: str
    authorizer_type: str  # REQUEST (Lambda) or JWT
    function_arn: str = ""
    lambda_config: LambdaAuthorizerConfig | None = None
    jwt_config: JwtAuthorizerConfig | None = None


@dataclass(frozen=True)
class HttpApi:
    api_id: str
    routes: list[Route]
    integrations: dict[str, Integration] = field(default_factory=dict)
    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    stages: dict[str, dict[str, str]] = field(default_factory=dict)  # stage name -> stage variables
    cors: CorsConfiguration | None = None

    @classmethod
    def from_wire(cls, api: dict, routes: list[dict], integrations: list[dict], authorizers: list[dict], stages: list[dict]) -> "HttpApi":
        return cls(
            api_id=wire(api, "ApiId"),
            routes=[_route(r) for r in routes],
            integrations={i.integration_id: i for i in map(_integration, integrations)},
            authorizers={a.authorizer_id: a for a in map(_authorizer, authorizers)},
            stages={wire(s, "StageName"): dict(wire(s, "StageVariables") or {}) for s in stages},
            cors=CorsConfiguration.from_api(wire(api, "CorsConfiguration")),
        )


def _route(document: dict) -> Route:
    target = wire(document, "Target") or ""
    return Route(wire(document, "RouteKey"), {
        "route_id": wire(document, "RouteId"),
        "authorization_type": wire(document, "AuthorizationType") or "NONE",
        "authorizer_id": wire(document, "AuthorizerId"),
        "authorization_scopes": tuple(wire(document, "AuthorizationScopes") or ()),
        "integration_id": target.removeprefix("integrations/"),
    })


def _integration(document: dict) -> Integration:
    return Integration(
        integration_id=wire(document, "IntegrationId"),
        integration_type=wire(document, "IntegrationType"),
        function_arn=lambda_arn_of(wire(document, "IntegrationUri") or ""),
        payload_format_version=wire(document, "PayloadFormatVersion") or "2.0",
    )


def _authorizer(document: dict) -> Authorizer:
    kind = wire(document, "AuthorizerType")
    sources = wire(document, "IdentitySource") or []
    sources = tuple(sources.split(",") if isinstance(sources, str) else sources)
    if kind == "JWT":
        jwt_document = wire(document, "JwtConfiguration") or {}
        return Authorizer(wire(document, "AuthorizerId"), kind, jwt_config=JwtAuthorizerConfig(
            issuer=wire(jwt_document, "Issuer") or "", audience=tuple(wire(jwt_document, "Audience") or ()),
            identity_source=sources[0] if sources else "$request.header.Authorization",
        ))
    return Authorizer(wire(document, "AuthorizerId"), kind, function_arn=lambda_arn_of(wire(document, "AuthorizerUri") or ""),
                      lambda_config=LambdaAuthorizerConfig(
                          identity_sources=tuple(s.strip() for s in sources),
                          payload_format_version=wire(document, "AuthorizerPayloadFormatVersion") or "2.0",
                          enable_simple_responses=bool(wire(document, "EnableSimpleResponses")),
                          result_ttl_seconds=int(wire(document, "AuthorizerResultTtlInSeconds") or 0),
                      ))

"""One HTTP API request, end to end, as API Gateway handles it: CORS preflight, route, authorizer,
Lambda proxy integration, CORS on the response. Effects (invoking a function, fetching a JWKS, the
time) are injected, so the whole flow runs in unit tests without a server.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from harness.localstack_plugins.apigw import gateway_responses, jwt_authorizer, lambda_authorizer, quotas
from harness.localstack_plugins.apigw.access_log import RequestRecord, milliseconds
from harness.localstack_plugins.apigw.aws_unverified import (
    AUTHORIZER_ERROR_RESPONSE_TYPE, AUTHORIZER_NOT_PERMITTED, INTEGRATION_ERROR_RESPONSE_TYPE, INTEGRATION_NOT_PERMITTED, QUOTA_RESPONSE_TYPE,
    RESPONSE_TYPES,
)
from harness.localstack_plugins.apigw.cors import answer_preflight, apply_to_response, is_preflight
from harness.localstack_plugins.apigw.http_api import Authorizer, HttpApi
from harness.localstack_plugins.apigw.lambda_authorizer import AuthorizerCache, AuthorizerDecision, RequestFacts, identity_values
from harness.localstack_plugins.apigw.lambda_invocation import Invocation
from harness.localstack_plugins.apigw.lambda_permission import authorizer_source_arn, route_source_arn
from harness.localstack_plugins.apigw.payload_v2 import (HttpRequest, HttpResponse, RouteContext, build_event, interpret, joined_headers,
                                                         query_parameters)
from harness.localstack_plugins.apigw.routing import RouteMatch, match_route

InvokeFunction = Callable[[str, bytes, str], Invocation]  # (function ARN, payload, the SourceArn API Gateway invokes with)


@dataclass
class GatewayServices:
    invoke: InvokeFunction
    jwks_for_issuer: Callable[[str], dict]
    now: Callable[[], float]
    authorizer_caches: dict[str, AuthorizerCache] = field(default_factory=dict)
    log: Callable[[str], None] = lambda message: None


@dataclass(frozen=True)
class Endpoint:
    """Where the API is reached: what requestContext and route ARNs say about it."""

    account_id: str
    region: str
    domain_name: str


def _refusal(status: int, body: dict, headers: dict[str, str] | None = None) -> HttpResponse:
    """An authorizer's refusal, serialised as the gateway's own answers are (gateway_responses)."""
    return HttpResponse(status, {"content-type": gateway_responses.JSON, **(headers or {})}, [], gateway_responses.encode(body))


def route_arn(endpoint: Endpoint, api_id: str, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{endpoint.region}:{endpoint.account_id}:{api_id}/{stage}/{method.upper()}{path}"


def handle(api: HttpApi, stage: str, request: HttpRequest, endpoint: Endpoint, services: GatewayServices,
           record: RequestRecord | None = None) -> HttpResponse:
    """The response; `record` (behaviour.md "HTTP API access logging") gets what the access log's `$context` says."""
    record = record or RequestRecord.begin(request, api_id=api.api_id, stage=stage, account_id=endpoint.account_id,
                                           domain_name=endpoint.domain_name, now=services.now())
    refusal = quotas.request_refusal(request)
    if refusal is not None:
        services.log(refusal[1])
        return record.finish(record.refused(HttpResponse.of(refusal[0]), QUOTA_RESPONSE_TYPE), services.now())
    headers = joined_headers(request.headers)  # one rule for every reader: duplicates comma-joined, as AWS joins them
    if api.cors is not None and is_preflight(request.method, headers):
        answer = answer_preflight(api.cors, headers)  # behaviour.md: no route, no authorizer for it
        if answer.refused_because:
            services.log(f"CORS preflight refused: {answer.refused_because}")
        return record.finish(HttpResponse(answer.status, answer.headers), services.now())
    response = _handle_route(api, stage, request, headers, endpoint, services, record)
    if api.cors is not None:
        response = replace(response, headers=apply_to_response(api.cors, headers, response.headers))
    return record.finish(response, services.now())


def _handle_route(api: HttpApi, stage: str, request: HttpRequest, headers: dict[str, str], endpoint: Endpoint,
                  services: GatewayServices, record: RequestRecord) -> HttpResponse:
    match = match_route(api.routes, request.method, request.raw_path)
    if match is None:
        return record.refused(HttpResponse.of(gateway_responses.NOT_FOUND), RESPONSE_TYPES[404])
    record.route_key = match.route.route_key
    context = RouteContext(
        api_id=api.api_id, stage=stage, route_key=match.route.route_key, domain_name=endpoint.domain_name,
        account_id=endpoint.account_id, request_id=record.request_id, path_parameters=match.path_parameters,
        stage_variables=api.stages.get(stage, {}),
    )
    authorization = _authorize(api, match, request, headers, context, endpoint, services, record)
    if isinstance(authorization, HttpResponse):
        return authorization
    integration = api.integrations.get(match.route.config.get("integration_id") or "")
    if integration is None:
        services.log(f"route {match.route.route_key} has no integration")
        record.integration_error = f"No integration is attached to route {match.route.route_key}."
        return record.refused(HttpResponse.of(gateway_responses.INTERNAL_SERVER_ERROR), INTEGRATION_ERROR_RESPONSE_TYPE)
    event = json.dumps(build_event(request, replace(context, authorizer=authorization), now=services.now())).encode()
    refusal = quotas.invocation_refusal(event)  # Lambda's synchronous payload limit, the request's way (quotas.py)
    if refusal is not None:
        services.log(refusal[1])
        record.integration_error = refusal[1]
        return record.refused(HttpResponse.of(refusal[0]), INTEGRATION_ERROR_RESPONSE_TYPE)
    started = services.now()
    invocation = services.invoke(integration.function_arn, event,
                                 route_source_arn(endpoint.region, endpoint.account_id, api.api_id, stage, match.route.route_key))
    record.integration_latency_ms = milliseconds(services.now() - started)
    record.integration_request_id, record.integration_service_status = invocation.request_id, invocation.status
    if not invocation.answered:
        record.integration_error = INTEGRATION_NOT_PERMITTED if invocation.not_permitted else invocation.failure
        return record.refused(HttpResponse.of(gateway_responses.INTERNAL_SERVER_ERROR), INTEGRATION_ERROR_RESPONSE_TYPE)
    refusal = quotas.response_refusal(invocation.payload)  # and the response's way
    if refusal is not None:
        services.log(refusal[1])
        record.integration_error = refusal[1]
        return record.refused(HttpResponse.of(refusal[0]), INTEGRATION_ERROR_RESPONSE_TYPE)
    interpretation = interpret(invocation.payload, invocation.function_error)
    record.integration_status, record.integration_error = interpretation.function_status, interpretation.error
    if interpretation.error:
        return record.refused(interpretation.response, INTEGRATION_ERROR_RESPONSE_TYPE)
    return interpretation.response


def _authorize(api: HttpApi, match: RouteMatch, request: HttpRequest, headers: dict[str, str], context: RouteContext,
               endpoint: Endpoint, services: GatewayServices, record: RequestRecord) -> dict | HttpResponse | None:
    """None (no authorizer), the `requestContext.authorizer` document, or the refusal response."""
    kind = match.route.config.get("authorization_type", "NONE")
    if kind == "NONE":
        return None
    authorizer = api.authorizers.get(match.route.config.get("authorizer_id") or "")
    if authorizer is None:
        services.log(f"route {match.route.route_key} names a missing authorizer")
        record.authorizer_error = f"Route {match.route.route_key} names an authorizer that does not exist."
        return record.refused(HttpResponse.of(gateway_responses.INTERNAL_SERVER_ERROR), AUTHORIZER_ERROR_RESPONSE_TYPE)  # never fail open
    started = services.now()
    if kind == "JWT":
        decision = jwt_authorizer.decide(
            authorizer.jwt_config, _header(headers, authorizer.jwt_config.identity_source),
            services.jwks_for_issuer(authorizer.jwt_config.issuer), int(services.now()),
            match.route.config.get("authorization_scopes", ()),
        )
        services.log(f"JWT authorizer: {decision.reason}")
        _record_authorizer(record, decision.status, "" if decision.allowed else decision.reason, started, services.now())
        if not decision.allowed:
            return record.refused(_refusal(decision.status, decision.body, decision.headers), RESPONSE_TYPES[decision.status])
        record.authorizer_claims = decision.claims
        return {"jwt": {"claims": decision.claims, "scopes": decision.scopes}}
    decision = _lambda_authorizer_decision(authorizer, request, headers, context, endpoint, services)
    services.log(f"Lambda authorizer {authorizer.authorizer_id}: {decision.reason}")
    _record_authorizer(record, decision.status, decision.reason if decision.status >= 500 else "", started, services.now())
    if not decision.allowed:
        return record.refused(_refusal(decision.status, decision.body), RESPONSE_TYPES.get(decision.status, AUTHORIZER_ERROR_RESPONSE_TYPE))
    record.authorizer_context, record.authorizer_principal_id = decision.context, decision.principal_id
    return {"lambda": decision.context}


def _record_authorizer(record: RequestRecord, status: int, error: str, started: float, now: float) -> None:
    """`$context.authorizer.status/.error/.latency`."""
    record.authorizer_status, record.authorizer_error = status, error
    record.authorizer_latency_ms = milliseconds(now - started)


def _header(headers: dict[str, str], identity_source: str) -> str | None:
    return headers.get(identity_source.rpartition(".")[2].lower())


def _lambda_authorizer_decision(authorizer: Authorizer, request: HttpRequest, headers: dict[str, str], context: RouteContext,
                                endpoint: Endpoint, services: GatewayServices) -> AuthorizerDecision:
    config = authorizer.lambda_config
    facts = RequestFacts(headers=headers, query=query_parameters(request.raw_query_string),
                         context={"routeKey": context.route_key, "stage": context.stage}, stage_variables=context.stage_variables)
    values = identity_values(config.identity_sources, facts)
    if values is None:
        return AuthorizerDecision.deny(gateway_responses.UNAUTHORIZED, "an identity source is missing or empty")
    cache = services.authorizer_caches.setdefault(authorizer.authorizer_id, AuthorizerCache())
    now = services.now()
    cached = cache.get(values, now)
    if cached is not None:
        return replace(cached, reason=f"cached: {cached.reason}")
    arn = route_arn(endpoint, context.api_id, context.stage, request.method, request.raw_path)
    event = _authorizer_event(config, request, context, values, arn, now)
    invocation = services.invoke(authorizer.function_arn, json.dumps(event).encode(),
                                 authorizer_source_arn(endpoint.region, endpoint.account_id, context.api_id, authorizer.authorizer_id))
    if invocation.not_permitted:  # behaviour.md: the authorizer cannot be invoked -> 500
        return AuthorizerDecision.deny(gateway_responses.INTERNAL_SERVER_ERROR, AUTHORIZER_NOT_PERMITTED)
    if invocation.failure:
        return AuthorizerDecision.deny(gateway_responses.INTERNAL_SERVER_ERROR, invocation.failure)
    try:
        answer, function_error = json.loads(invocation.payload), invocation.function_error
    except ValueError:
        answer, function_error = invocation.payload, True
    decision = lambda_authorizer.decide(config, answer, function_error, arn)
    cache.put(values, decision, config.result_ttl_seconds, now)
    return decision


def _authorizer_event(config, request: HttpRequest, context: RouteContext, values: list[str], arn: str, now: float) -> dict:
    event = build_event(request, context, now=now)
    if config.payload_format_version == "1.0":
        return {
            "version": "1.0", "type": "REQUEST", "methodArn": arn, "identitySource": ",".join(values),
            "authorizationToken": values[0], "resource": context.route_key.partition(" ")[2], "path": request.raw_path,
            "httpMethod": request.method.upper(), "headers": event["headers"],
            "queryStringParameters": event.get("queryStringParameters"), "pathParameters": event.get("pathParameters"),
            "stageVariables": event.get("stageVariables"), "requestContext": event["requestContext"],
        }
    event.pop("body", None)
    event.pop("isBase64Encoded", None)
    return {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": values, **{k: v for k, v in event.items() if k != "version"}}


def guarded(answer: Callable[[], HttpResponse], log: Callable[[str], None]) -> HttpResponse:
    """`answer()`, or the gateway's 500 if it raises: the exception goes to the log, never into the body
    (gateway_responses: a 5xx body never carries a Python exception's text)."""
    try:
        return answer()
    except Exception:  # noqa: BLE001 - whatever failed, the caller sees only AWS's 500
        log(f"the gateway failed:\n{traceback.format_exc()}")
        return HttpResponse.of(gateway_responses.INTERNAL_SERVER_ERROR)

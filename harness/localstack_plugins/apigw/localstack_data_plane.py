"""The HTTP API data plane inside LocalStack: execute-api requests on the engine's own port.

Two addresses reach an API, as with LocalStack's REST APIs:
- host form: `Host: {api_id}.execute-api.localhost.localstack.cloud:{port}`, any path;
- path form: `http://127.0.0.1:{port}/_aws/execute-api/{api_id}/...` (the `ApiEndpoint` we report).
A first path segment naming a stage selects it; otherwise the `$default` stage serves the path;
no such stage: 404. The request is then handled by `harness.localstack_plugins.apigw.gateway.handle`.

JWKS for JWT authorizers come from a registry filled by the harness (`PUT /_harness/jwks`); an
issuer not registered is fetched only from loopback; anything else finds no keys, so the token is refused.
A registered Cognito pool's JWKS and OpenID configuration are also served at Cognito's own URLs,
`https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/{jwks.json,openid-configuration}` (reached through
the AWS TLS front, `harness.endpoints`), and at `/_harness/cognito-idp/<region>/<pool>/...` on the engine's port.
`PUT /_harness/clock` moves the gateway's clock (authorizer cache TTLs, JWT expiry) for tests.
A stage with AccessLogSettings gets one line per request in its log group (`localstack_access_logs.py`). Before invoking
a function, the function's resource policy must let API Gateway invoke it (`lambda_permission.py`), as on AWS.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import urllib.request
from typing import Any
from urllib.parse import urlparse

from localstack.http import Request, Response
from localstack.runtime import hooks

from harness.localstack_plugins import lambda_invoke
from harness.localstack_plugins.apigw import api_snapshots, gateway_responses
from harness.localstack_plugins.apigw.access_log import RequestRecord
from harness.localstack_plugins.apigw.aws_unverified import INTEGRATION_ERROR_RESPONSE_TYPE
from harness.localstack_plugins.apigw.gateway import Endpoint, GatewayServices, guarded, handle
from harness.localstack_plugins.apigw.http_api import HttpApi
from harness.localstack_plugins.apigw.lambda_invocation import Invocation
from harness.localstack_plugins.apigw.lambda_permission import invoke_allowed
from harness.localstack_plugins.apigw.localstack_access_logs import WRITER
from harness.localstack_plugins.apigw.localstack_function_policy import resource_policy
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest, HttpResponse
from harness.shared import emulator_api
from harness.shared.emulator_api import cognito_issuer

LOG = logging.getLogger(__name__)
EXECUTE_API_PATH = "/_aws/execute-api"
HOST_PATTERN = "<regex('[a-z0-9]+'):api_id>.execute-api.<regex('.*'):server>"
COGNITO_HOST_PATTERN = "cognito-idp.<regex('[a-z0-9-]+'):region>.amazonaws.com<regex('(:[0-9]+)?'):port>"
_JWKS_BY_ISSUER: dict[str, dict] = {}
_CLOCK_OFFSET_SECONDS = [0.0]  # set by tests through PUT /_harness/clock
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def find_api(api_id: str) -> tuple[Any, str, str] | None:
    """(moto Api, account, region) of an HTTP API, wherever it was created."""
    from moto.apigatewayv2.models import apigatewayv2_backends

    for account_id, regions in apigatewayv2_backends.items():
        for region, backend in regions.items():
            if api_id in backend.apis:
                return backend.apis[api_id], account_id, region
    return None


def split_stage(config: HttpApi, path: str) -> tuple[str, str] | None:
    """(stage, path within it): a named stage as the first segment, else `$default`."""
    first, _, rest = path.lstrip("/").partition("/")
    if first and first != "$default" and first in config.stages:
        return first, "/" + rest
    if "$default" in config.stages:
        return "$default", "/" + path.lstrip("/")
    return None


def jwks_for_issuer(issuer: str) -> dict:
    if issuer in _JWKS_BY_ISSUER:
        return _JWKS_BY_ISSUER[issuer]
    if urlparse(issuer).hostname not in _LOOPBACK_HOSTS:
        LOG.warning("JWT authorizer: no JWKS registered for issuer %s and it is not on loopback: refusing tokens", issuer)
        return {}
    try:
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=5) as response:
            jwks_uri = json.loads(response.read())["jwks_uri"]
        with urllib.request.urlopen(jwks_uri, timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError, KeyError) as error:
        LOG.warning("JWT authorizer: JWKS of %s unavailable (%s): refusing tokens", issuer, error)
        return {}


def invoke_function(account_id: str, region: str, function_arn: str, payload: bytes, source_arn: str) -> Invocation:
    """API Gateway of `account_id`/`region` invokes a function, in-process (`lambda_invoke`), once its resource policy allows it."""
    from localstack.aws.api import ServiceException

    try:
        if not invoke_allowed(resource_policy(function_arn, account_id, region), function_arn, source_arn, account_id):
            LOG.warning("HTTP API may not invoke %s: its resource policy does not allow apigateway.amazonaws.com for %s",
                        function_arn, source_arn)
            return Invocation(status=None, not_permitted=True)
        result = lambda_invoke.invoke(function_arn, payload, "RequestResponse", account_id, region)
    except ServiceException as error:  # as the Invoke API would answer (no such function, throttled, pending, ...)
        LOG.warning("HTTP API could not invoke %s: %s", function_arn, error)
        return Invocation(status=error.status_code, failure=f"Lambda could not be invoked: {lambda_invoke.invoke_error_text(error)}")
    except Exception as error:  # noqa: BLE001 - Lambda's own failure (its Invoke answers 500); API Gateway then answers 500
        LOG.warning("HTTP API could not invoke %s: %s", function_arn, error)
        return Invocation(status=500, failure=f"Lambda could not be invoked: {type(error).__name__}: {error}")
    return Invocation(result.payload or b"", result.is_error, 200, result.request_id)


class ExecuteApiEndpoint:
    """The werkzeug endpoint for both address forms."""

    def __init__(self) -> None:
        self._caches: dict[str, dict] = {}

    def __call__(self, request: Request, api_id: str, path: str = "", **_: Any) -> Response:
        found = find_api(api_id)
        if found is None:
            return _to_response(HttpResponse.of(gateway_responses.NOT_FOUND))
        api, account_id, region = found
        config = api_snapshots.view(api)
        stage_and_path = split_stage(config, path)
        if stage_and_path is None:
            return _to_response(HttpResponse.of(gateway_responses.NOT_FOUND))
        stage, raw_path = stage_and_path
        http_request = HttpRequest(
            method=request.method, raw_path=raw_path, raw_query_string=request.query_string.decode(),
            headers=[(k, v) for k, v in request.headers.items()], body=request.get_data(),
            source_ip=request.remote_addr or "127.0.0.1",
        )
        services = GatewayServices(
            invoke=functools.partial(invoke_function, account_id, region), jwks_for_issuer=jwks_for_issuer, now=gateway_now,
            authorizer_caches=self._caches.setdefault(api_id, {}), log=lambda message: LOG.info("[%s] %s", api_id, message),
        )
        domain = request.host.split(":")[0] if ".execute-api." in request.host else f"{api_id}.execute-api.localhost.localstack.cloud"
        record = RequestRecord.begin(http_request, api_id=api_id, stage=stage, account_id=account_id, domain_name=domain, now=gateway_now())
        response = guarded(lambda: handle(config, stage, http_request, Endpoint(account_id, region, domain), services, record), services.log)
        if record.status is None:  # the gateway failed (guarded answered its 500): the line says so all the same
            response = record.finish(record.refused(response, INTEGRATION_ERROR_RESPONSE_TYPE), gateway_now())
        if api.stages[stage].access_log_settings:
            WRITER.submit(api.stages[stage].access_log_settings, record)
        return _to_response(response)


def _to_response(response: HttpResponse) -> Response:
    result = Response(response.body, status=response.status)
    result.headers.clear()
    for name, value in response.headers.items():
        result.headers[name] = value
    for cookie in response.cookies:
        result.headers.add("Set-Cookie", cookie)
    return result


def gateway_now() -> float:
    """The gateway's clock: authorizer cache TTLs and JWT time checks follow it."""
    return time.time() + _CLOCK_OFFSET_SECONDS[0]


def set_clock(request: Request) -> Response:
    """`PUT /_harness/clock` {"offset_seconds": n}: move the gateway's clock (tests of TTLs and expiry)."""
    offset = json.loads(request.get_data() or b"{}").get("offset_seconds")
    if not isinstance(offset, (int, float)):
        return Response(json.dumps({"message": "expected {offset_seconds: number}"}), status=400, mimetype="application/json")
    _CLOCK_OFFSET_SECONDS[0] = float(offset)
    return Response(json.dumps({"offset_seconds": offset}), status=200, mimetype="application/json")


def register_jwks(request: Request) -> Response:
    """`PUT /_harness/jwks` {"issuer": ..., "jwks": {...}}: the keys a JWT authorizer trusts for that issuer."""
    document = json.loads(request.get_data() or b"{}")
    if not isinstance(document.get("issuer"), str) or not isinstance(document.get("jwks"), dict):
        return Response(json.dumps({"message": "expected {issuer: str, jwks: {keys: [...]}}"}), status=400)
    _JWKS_BY_ISSUER[document["issuer"]] = document["jwks"]
    return Response(json.dumps({"registered": document["issuer"]}), status=200, mimetype="application/json")


def serve_cognito_jwks(request: Request, region: str, user_pool_id: str, **_: Any) -> Response:
    """`GET /_harness/cognito-idp/<region>/<pool>/.well-known/jwks.json`: a registered Cognito pool's JWKS."""
    jwks = _JWKS_BY_ISSUER.get(cognito_issuer(region, user_pool_id))
    if jwks is None:
        return Response(json.dumps({"message": f"no user pool {user_pool_id} registered"}), status=404, mimetype="application/json")
    return Response(json.dumps(jwks), status=200, mimetype="application/json")


def serve_cognito_openid_configuration(request: Request, region: str, user_pool_id: str, **_: Any) -> Response:
    """`GET .../<pool>/.well-known/openid-configuration`: `jwks_uri` is Cognito's own on Cognito's host, else the engine's."""
    issuer = cognito_issuer(region, user_pool_id)
    if issuer not in _JWKS_BY_ISSUER:
        return Response(json.dumps({"message": f"no user pool {user_pool_id} registered"}), status=404, mimetype="application/json")
    on_cognito_host = request.host.startswith("cognito-idp.")
    base = issuer if on_cognito_host else f"{request.host_url.rstrip('/')}{emulator_api.cognito_documents_path(region, user_pool_id)}"
    document = {"issuer": issuer, "jwks_uri": f"{base}/{emulator_api.WELL_KNOWN_JWKS}", "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"], "response_types_supported": ["code", "token"]}
    return Response(json.dumps(document), status=200, mimetype="application/json")


@hooks.on_infra_start()
def register_execute_api_routes() -> None:
    from localstack.services.edge import ROUTER

    endpoint = ExecuteApiEndpoint()
    cognito_documents = emulator_api.cognito_documents_path("<region>", "<user_pool_id>")
    ROUTER.add(emulator_api.JWKS_REGISTRY_PATH, endpoint=register_jwks, methods=["PUT"])
    ROUTER.add(emulator_api.CLOCK_PATH, endpoint=set_clock, methods=["PUT"])
    ROUTER.add(f"{cognito_documents}/{emulator_api.WELL_KNOWN_JWKS}", endpoint=serve_cognito_jwks, methods=["GET"])
    ROUTER.add(f"{cognito_documents}/{emulator_api.WELL_KNOWN_OPENID}", endpoint=serve_cognito_openid_configuration, methods=["GET"])
    ROUTER.add(f"/<user_pool_id>/{emulator_api.WELL_KNOWN_JWKS}", host=COGNITO_HOST_PATTERN, endpoint=serve_cognito_jwks, methods=["GET"])
    ROUTER.add(f"/<user_pool_id>/{emulator_api.WELL_KNOWN_OPENID}", host=COGNITO_HOST_PATTERN,
               endpoint=serve_cognito_openid_configuration, methods=["GET"])
    ROUTER.add(f"{EXECUTE_API_PATH}/<api_id>", endpoint=endpoint, defaults={"path": ""}, strict_slashes=False)
    ROUTER.add(f"{EXECUTE_API_PATH}/<api_id>/<greedy_path:path>", endpoint=endpoint)
    ROUTER.add("/", host=HOST_PATTERN, endpoint=endpoint, defaults={"path": ""})
    ROUTER.add("/<greedy_path:path>", host=HOST_PATTERN, endpoint=endpoint)

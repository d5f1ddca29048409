"""LocalStack's resources and edge route handlers ask their routers only about requests a route can match
(harness/localstack_plugins/route_prechecks.py): every request gets what LocalStack's handler gave it (a route's answer,
a 404 under /_localstack/, werkzeug's slash redirects, nothing for an AWS request), and an AWS request is not looked up."""

from __future__ import annotations

import types

import pytest
from localstack.aws.handlers import internal
from localstack.http import Request, Response
from localstack.http.dispatcher import handler_dispatcher
from rolo import Router
from rolo.gateway.handlers import RouterHandler

from harness.localstack_plugins.route_prechecks import (ask_edge_routes_only_about_matching_requests,
                                                         ask_resources_only_about_matching_requests, host_parts)

LOCAL = "localhost:4566"
PATHS = ["/_localstack/health", "/_localstack/health/", "//_localstack//health", "/_localstack/init/boot", "/_localstack/nope",
         "/_localstack", "/_localstackx", "/%5Flocalstack/health", "/custom", "/custom/", "/custom/x", "/v2/items", "/v/items",
         "/uploads/avatars/a.jpg", "/", "/2015-03-31/functions/thumb/invocations"]
# (host, path): the edge router's kinds of routes (harness/localstack_plugins/apigw/localstack_data_plane.py, LocalStack's
# execute-api and S3 website routes), and AWS requests that match none
EDGE_REQUESTS = [(LOCAL, "/_harness/jwks"), (LOCAL, "/_aws/execute-api/abc123/prod/items"), (LOCAL, "/_aws/execute-api/abc123"),
                 ("cognito-idp.us-east-1.amazonaws.com", "/us-east-1_x/.well-known/jwks.json"),
                 ("COGNITO-IDP.us-east-1.amazonaws.com:443", "/us-east-1_x/.well-known/jwks.json"),
                 ("cognito-idp.us-east-1.amazonaws.com", "/us-east-1_x/other"), ("abc123.execute-api.localhost.localstack.cloud:4566", "/"),
                 ("abc123.execute-api.localhost.localstack.cloud:4566", "/prod/items"), ("site.s3-website.localhost:4566", "/index.html"),
                 (LOCAL, "/uploads/avatars/a.jpg"), ("s3.amazonaws.com", "/uploads/a.jpg"), ("uploads.s3.amazonaws.com", "/a.jpg"),
                 (LOCAL, "/"), ("lambda.us-east-1.amazonaws.com", "/2015-03-31/functions/thumb/invocations")]


class CountingRouter(Router):
    dispatched: list[str] = []

    def dispatch(self, request: Request) -> Response:
        CountingRouter.dispatched.append(request.path)
        return super().dispatch(request)


def answer(request: Request, **values: str) -> Response:
    return Response(f"served {request.host}{request.path} {values}")


def resources() -> CountingRouter:
    router = CountingRouter(dispatcher=handler_dispatcher())
    for path in ["/_localstack/health", "/_localstack/init/<stage>", "/custom/", "/v<int:version>/items"]:
        router.add(path, endpoint=answer)
    router.add("/cognito/<pool>", host="cognito-idp.<region>.amazonaws.com", endpoint=answer)
    return router


def edge_routes() -> CountingRouter:
    router = CountingRouter(dispatcher=handler_dispatcher())
    router.add("/_harness/jwks", endpoint=answer)
    router.add("/<user_pool_id>/.well-known/jwks.json", host="cognito-idp.<regex('[a-z0-9-]+'):region>.amazonaws.com<regex('(:[0-9]+)?'):port>",
               endpoint=answer)
    router.add("/_aws/execute-api/<api_id>/<path:path>", endpoint=answer)
    router.add("/<path:path>", host="<regex('[a-z0-9]+'):api_id>.execute-api.<regex('.*'):server>", endpoint=answer)
    router.add("/", host="<regex('[a-z0-9]+'):api_id>.execute-api.<regex('.*'):server>", endpoint=answer)
    router.add("/<path:path>", host='<regex(".*"):bucket_name>.s3-website.<regex(".*"):domain>', endpoint=answer)
    return router


class Chain:
    def __init__(self) -> None:
        self.outcome: list[object] = []

    def stop(self) -> None:
        self.outcome.append("stopped")

    def respond(self, status: int, *body: str) -> None:
        self.outcome.append(status)


def outcome(handler: object, path: str, host: str = LOCAL) -> tuple:
    chain, response = Chain(), Response()
    try:
        handler(chain, types.SimpleNamespace(request=Request("GET", path, headers={"Host": host})), response)
    except Exception as error:  # noqa: BLE001 - werkzeug's redirects go up the chain as they did
        return type(error).__name__, getattr(error, "new_url", None)
    return tuple(chain.outcome), response.status_code, response.get_data()


@pytest.fixture(scope="module")
def resource_handlers() -> tuple[object, object]:
    asked_by_path = type("LocalstackResourceHandler", (internal.LocalstackResourceHandler,), {})
    ask_resources_only_about_matching_requests(types.SimpleNamespace(LocalstackResourceHandler=asked_by_path))
    return internal.LocalstackResourceHandler(resources()), asked_by_path(resources())


@pytest.fixture(scope="module")
def edge_handlers() -> tuple[object, object]:
    asked_by_request = type("EdgeRouterHandler", (RouterHandler,), {})  # LocalStack's EdgeRouterHandler, on these routes
    ask_edge_routes_only_about_matching_requests(types.SimpleNamespace(EdgeRouterHandler=asked_by_request))
    return RouterHandler(edge_routes()), asked_by_request(edge_routes())


@pytest.mark.parametrize("path", PATHS)
def test_every_path_gets_what_localstacks_resource_handler_gave_it(resource_handlers, path):
    localstacks, asked_by_path = resource_handlers
    assert outcome(asked_by_path, path) == outcome(localstacks, path)


@pytest.mark.parametrize(("host", "path"), EDGE_REQUESTS)
def test_every_request_gets_what_localstacks_edge_handler_gave_it(edge_handlers, host, path):
    localstacks, asked_by_request = edge_handlers
    assert outcome(asked_by_request, path, host) == outcome(localstacks, path, host)


def test_a_request_no_route_can_match_is_not_looked_up(resource_handlers, edge_handlers):
    CountingRouter.dispatched.clear()
    for path in ["/uploads/avatars/a.jpg", "/", "/2015-03-31/functions/thumb/invocations", "/_localstackx"]:
        outcome(resource_handlers[1], path)
    for host, path in [(LOCAL, "/uploads/avatars/a.jpg"), ("s3.amazonaws.com", "/uploads/a.jpg"), ("uploads.s3.amazonaws.com", "/a.jpg")]:
        outcome(edge_handlers[1], path, host)
    assert CountingRouter.dispatched == []
    outcome(resource_handlers[1], "/custom")
    outcome(edge_handlers[1], "/prod/items", "abc123.execute-api.localhost.localstack.cloud:4566")
    assert CountingRouter.dispatched == ["/custom", "/prod/items"]


def test_a_route_added_later_is_matched(resource_handlers):
    _, asked_by_path = resource_handlers
    asked_by_path.resources.add("/late/<name>", endpoint=lambda request, **values: Response("late"))
    assert outcome(asked_by_path, "/late/one") == (("stopped",), 200, b"late")


def test_a_host_pattern_gives_its_static_parts_and_any_host_none():
    assert host_parts("cognito-idp.<regex('[a-z0-9-]+'):region>.amazonaws.com<regex('(:[0-9]+)?'):port>") == ("cognito-idp.", ".amazonaws.com")
    assert host_parts("<__host__>") == () and host_parts(None) == ()
    assert host_parts("<regex('a>b'):x>.example.com") == ()  # not read: taken as any host

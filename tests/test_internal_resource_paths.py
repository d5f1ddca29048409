"""LocalStack's own resources looked up only for paths a route can match (harness/localstack_plugins/
internal_resource_paths.py): every request gets what LocalStack's handler gave it (the resource, its 404 under
/_localstack/, werkzeug's slash redirects, nothing for an AWS request), and an AWS request's path is not looked up."""

from __future__ import annotations

import types

import pytest
from localstack.aws.handlers import internal
from localstack.http import Request, Response
from localstack.http.dispatcher import handler_dispatcher
from rolo import Router

from harness.localstack_plugins.internal_resource_paths import look_up_only_matching_paths

PATHS = ["/_localstack/health", "/_localstack/health/", "//_localstack//health", "/_localstack/init/boot", "/_localstack/nope",
         "/_localstack", "/_localstackx", "/%5Flocalstack/health", "/custom", "/custom/", "/custom/x", "/v2/items", "/v/items",
         "/uploads/avatars/a.jpg", "/", "/2015-03-31/functions/thumb/invocations"]


class CountingRouter(Router):
    dispatched: list[str] = []

    def dispatch(self, request: Request) -> Response:
        CountingRouter.dispatched.append(request.path)
        return super().dispatch(request)


def resources() -> CountingRouter:
    router = CountingRouter(dispatcher=handler_dispatcher())
    for path in ["/_localstack/health", "/_localstack/init/<stage>", "/custom/", "/v<int:version>/items"]:
        router.add(path, endpoint=lambda request, **values: Response(f"served {request.path} {values}"))
    router.add("/cognito/<pool>", host="cognito-idp.<region>.amazonaws.com", endpoint=lambda request, **values: Response("jwks"))
    return router


class Chain:
    def __init__(self) -> None:
        self.outcome: list[object] = []

    def stop(self) -> None:
        self.outcome.append("stopped")

    def respond(self, status: int) -> None:
        self.outcome.append(status)


def outcome(handler: object, path: str) -> tuple:
    chain, response = Chain(), Response()
    try:
        handler(chain, types.SimpleNamespace(request=Request("GET", path, headers={"Host": "localhost:4566"})), response)
    except Exception as error:  # noqa: BLE001 - werkzeug's redirects go up the chain as they did
        return type(error).__name__, getattr(error, "new_url", None)
    return tuple(chain.outcome), response.status_code, response.get_data()


@pytest.fixture(scope="module")
def handlers() -> tuple[object, object]:
    looked_up_by_path = type("LocalstackResourceHandler", (internal.LocalstackResourceHandler,), {})
    look_up_only_matching_paths(types.SimpleNamespace(LocalstackResourceHandler=looked_up_by_path))
    return internal.LocalstackResourceHandler(resources()), looked_up_by_path(resources())


@pytest.mark.parametrize("path", PATHS)
def test_every_path_gets_what_localstacks_handler_gave_it(handlers, path):
    localstacks, looked_up_by_path = handlers
    assert outcome(looked_up_by_path, path) == outcome(localstacks, path)


def test_a_path_no_route_can_match_is_not_looked_up(handlers):
    _, looked_up_by_path = handlers
    CountingRouter.dispatched.clear()
    for path in ["/uploads/avatars/a.jpg", "/", "/2015-03-31/functions/thumb/invocations", "/_localstackx"]:
        outcome(looked_up_by_path, path)
    assert CountingRouter.dispatched == []
    outcome(looked_up_by_path, "/custom")
    assert CountingRouter.dispatched == ["/custom"]


def test_a_route_added_later_is_matched(handlers):
    _, looked_up_by_path = handlers
    looked_up_by_path.resources.add("/late/<name>", endpoint=lambda request, **values: Response("late"))
    assert outcome(looked_up_by_path, "/late/one") == (("stopped",), 200, b"late")

"""The data plane's view of an HTTP API, made once per control-plane change instead of once per request (inside
LocalStack; issue 13).

The execute-api endpoint needs an API's routes, integrations, authorizers and stages as an `HttpApi`; building it
from moto's models (`to_json` of each, then `HttpApi.from_wire`) was ~4 % of the engine's CPU per authorized call
(py-spy). Every apigatewayv2 operation that can change an API (any but Get*/List*/Export*, through the provider, which
CloudFormation's resources also call) counts as a change (`changed()`), after which the next request builds its view
again: what a request sees is what the last change left, as before.
"""

from __future__ import annotations

import threading
from typing import Any

from harness.localstack_plugins.apigw.http_api import HttpApi

_READ_ONLY_PREFIXES = ("Get", "List", "Export")


class _Views:
    """The views built since the last change, by moto Api (each kept with the Api it was built from)."""

    def __init__(self) -> None:
        self.generation = 0
        self.built: dict[int, tuple[Any, HttpApi]] = {}
        self.lock = threading.Lock()


_VIEWS = _Views()


def changes_apis(operation: str) -> bool:
    """Whether an apigatewayv2 operation may change an API (anything but a read)."""
    return not operation.startswith(_READ_ONLY_PREFIXES)


def changed() -> None:
    """An API may have changed: every view is built again on its next use."""
    with _VIEWS.lock:
        _VIEWS.generation += 1
        _VIEWS.built.clear()


def view(api: Any) -> HttpApi:
    """The `HttpApi` of moto's `api` as the last change left it."""
    with _VIEWS.lock:
        generation = _VIEWS.generation
        cached = _VIEWS.built.get(id(api))
    if cached is not None and cached[0] is api:  # the same object, not one that reuses a freed one's id
        return cached[1]
    built = HttpApi.from_wire(
        api.to_json(), [r.to_json() for r in api.routes.values()], [i.to_json() for i in api.integrations.values()],
        [a.to_json() for a in api.authorizers.values()], [s.to_json() for s in api.stages.values()],
    )
    with _VIEWS.lock:
        if _VIEWS.generation == generation:  # no change while it was built: keep it
            _VIEWS.built[id(api)] = (api, built)
    return built

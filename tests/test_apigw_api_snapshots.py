"""The data plane's view of an HTTP API (harness/localstack_plugins/apigw/api_snapshots.py, issue 13): built once per
control-plane change. The engine-level proof that changes reach the data plane at once is
test_apigw_control_plane.py::test_updates_and_deletes_take_effect_on_the_data_plane."""

from __future__ import annotations

from harness.localstack_plugins.apigw import api_snapshots


class MotoApi:
    """moto's apigatewayv2 Api as the view reads it: to_json() of the API and of each child."""

    def __init__(self, route_keys: list[str]) -> None:
        self.routes = {key: Child({"routeKey": key, "routeId": key, "target": "integrations/i1"}) for key in route_keys}
        self.integrations = {"i1": Child({"integrationId": "i1", "integrationType": "AWS_PROXY"})}
        self.authorizers: dict = {}
        self.stages = {"$default": Child({"stageName": "$default"})}
        self.reads = 0

    def to_json(self) -> dict:
        self.reads += 1
        return {"apiId": "abc123"}


class Child:
    def __init__(self, document: dict) -> None:
        self.document = document

    def to_json(self) -> dict:
        return self.document


def test_a_view_is_built_once_until_a_change():
    api = MotoApi(["GET /a"])
    first = api_snapshots.view(api)
    assert api_snapshots.view(api) is first and api.reads == 1
    api.routes["GET /b"] = Child({"routeKey": "GET /b", "routeId": "b", "target": "integrations/i1"})
    api_snapshots.changed()
    again = api_snapshots.view(api)
    assert [route.route_key for route in again.routes] == ["GET /a", "GET /b"] and api.reads == 2


def test_only_reads_leave_the_views_as_they_are():
    assert not any(map(api_snapshots.changes_apis, ["GetApi", "GetRoutes", "ExportApi"]))
    assert all(map(api_snapshots.changes_apis, ["CreateRoute", "UpdateApi", "DeleteStage", "ImportApi", "TagResource",
                                                 "ResetAuthorizersCache"]))

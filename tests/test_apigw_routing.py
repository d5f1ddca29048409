"""HTTP API route selection (behaviour.md "HTTP API routing"), without a server."""

from __future__ import annotations

import pytest

from harness.localstack_plugins.apigw.routing import Route, RouteKeyError, match_route, parse_route_key

CRUDDUR = [Route("POST /avatars/key_upload"), Route("OPTIONS /{proxy+}")]


def selected(routes: list[Route], method: str, path: str) -> str | None:
    match = match_route(routes, method, path)
    return match.route.route_key if match else None


def test_cruddur_routes_as_deployed():
    assert selected(CRUDDUR, "POST", "/avatars/key_upload") == "POST /avatars/key_upload"
    assert selected(CRUDDUR, "OPTIONS", "/avatars/key_upload") == "OPTIONS /{proxy+}"  # any path's preflight
    assert selected(CRUDDUR, "GET", "/avatars/key_upload") is None  # -> 404 Not Found
    assert selected(CRUDDUR, "POST", "/avatars/other") is None


def test_exact_route_beats_greedy_beats_default():
    routes = [Route("$default"), Route("ANY /{proxy+}"), Route("GET /pets/{id}"), Route("GET /pets/dog")]
    assert selected(routes, "GET", "/pets/dog") == "GET /pets/dog"
    assert selected(routes, "GET", "/pets/cat") == "GET /pets/{id}"
    assert selected(routes, "DELETE", "/pets/cat") == "ANY /{proxy+}"
    assert selected(routes, "GET", "/") == "$default"  # {proxy+} needs at least one segment


def test_method_beats_any_for_the_same_path():
    routes = [Route("ANY /pets"), Route("GET /pets")]
    assert selected(routes, "GET", "/pets") == "GET /pets"
    assert selected(routes, "PUT", "/pets") == "ANY /pets"


def test_longest_greedy_prefix_wins():
    routes = [Route("ANY /{proxy+}"), Route("ANY /api/{proxy+}")]
    assert selected(routes, "GET", "/api/v1/x") == "ANY /api/{proxy+}"
    assert selected(routes, "GET", "/other/x") == "ANY /{proxy+}"


def test_default_catches_everything_else_including_options():
    routes = [Route("$default"), Route("POST /avatars/key_upload")]
    assert selected(routes, "OPTIONS", "/avatars/key_upload") == "$default"
    assert selected(routes, "GET", "/nothing/here") == "$default"


def test_path_parameters_are_decoded():
    match = match_route([Route("GET /files/{name}"), Route("GET /raw/{proxy+}")], "GET", "/files/my%20avatar.jpg")
    assert match.path_parameters == {"name": "my avatar.jpg"}
    match = match_route([Route("GET /raw/{proxy+}")], "GET", "/raw/a/b%2Fc?x=1")
    assert match.path_parameters == {"proxy": "a/b/c"}


def test_literal_segments_must_match_exactly():
    assert selected([Route("GET /Pets")], "GET", "/pets") is None


@pytest.mark.parametrize("key", ["get /pets", "GET pets", "GET", "/pets", "GET /{proxy+}/more"])
def test_invalid_route_keys_are_rejected(key):
    with pytest.raises(RouteKeyError):
        parse_route_key(key)


@pytest.mark.aws_unverified
def test_more_specific_path_wins_over_specific_method():
    """harness/localstack_plugins/apigw/aws_unverified.py: PATH_SPECIFICITY_BEFORE_METHOD."""
    routes = [Route("GET /pets/{id}"), Route("ANY /pets/dog")]
    assert selected(routes, "GET", "/pets/dog") == "ANY /pets/dog"

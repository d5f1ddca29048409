"""werkzeug's URL builders made on first use (harness.localstack_plugins.werkzeug_url_builders): binding a rule no
longer compiles them, and URLs are built and requests matched exactly as werkzeug does."""

from __future__ import annotations


import pytest
from werkzeug.routing import Map
from werkzeug.routing.rules import Rule

from harness.localstack_plugins.werkzeug_url_builders import compile_builders_on_first_build


class CountingRule(Rule):
    compiled: list[bool] = []

    def _compile_builder(self, append_unknown: bool = True):
        CountingRule.compiled.append(append_unknown)
        return super()._compile_builder(append_unknown)


class DeferredRule(CountingRule):
    pass


compile_builders_on_first_build(DeferredRule)
compile_builders_on_first_build(DeferredRule)  # twice: still one stand-in

RULES = [("/<bucket>/<path:key>", "object", {}), ("/2015-03-31/functions/<name>/invocations", "invoke", {}),
         ("/", "root", {"path": ""}), ("/<int:version>/<regex('[a-z]+'):stage>", "stage", {})]
BUILDS = [("object", {"bucket": "uploads", "key": "avatars/my avatar.jpg"}, True),
          ("object", {"bucket": "uploads", "key": "a.jpg", "versionId": "3"}, True),  # unknown values: a query string
          ("object", {"bucket": "uploads", "key": "a.jpg", "versionId": "3"}, False),
          ("invoke", {"name": "thumb"}, True), ("root", {}, True), ("stage", {"version": 2, "stage": "prod"}, True)]


def url_map(rule_class: type[Rule]) -> Map:
    return Map([rule_class(path, endpoint=endpoint, defaults=defaults or None) for path, endpoint, defaults in RULES],
               converters={"regex": _regex_converter()})


def _regex_converter():
    from werkzeug.routing import BaseConverter

    class RegexConverter(BaseConverter):
        def __init__(self, map_: Map, *args: str) -> None:
            super().__init__(map_)
            self.regex = args[0]

    return RegexConverter


@pytest.fixture(autouse=True)
def no_compiles_yet():
    CountingRule.compiled.clear()


def test_binding_rules_compiles_no_url_builder():
    url_map(DeferredRule).bind("s3.amazonaws.com")
    assert CountingRule.compiled == []


@pytest.mark.parametrize(("endpoint", "values", "append_unknown"), BUILDS)
def test_a_url_is_built_as_werkzeug_builds_it_compiling_only_the_builder_it_needs_once(endpoint, values, append_unknown):
    deferred = url_map(DeferredRule).bind("s3.amazonaws.com")
    expected = url_map(Rule).bind("s3.amazonaws.com").build(endpoint, values, append_unknown=append_unknown)
    assert deferred.build(endpoint, values, append_unknown=append_unknown) == expected
    assert deferred.build(endpoint, values, append_unknown=append_unknown) == expected
    assert CountingRule.compiled == [append_unknown]


def test_requests_are_matched_as_before():
    deferred, plain = url_map(DeferredRule).bind("s3.amazonaws.com"), url_map(Rule).bind("s3.amazonaws.com")
    for path in ["/uploads/avatars/a.jpg", "/2015-03-31/functions/thumb/invocations", "/", "/2/prod"]:
        assert deferred.match(path) == plain.match(path)
    assert CountingRule.compiled == []

"""LocalStack's request parsers answer a header or query-string member that a request does not have with None at
once, instead of through the whole of their per-shape parse (inside LocalStack; issue 13).

A REST protocol's parser walks every member of an operation's input and parses each through `_parse_shape`, which
looks the member's location up in its serialization, fetches the header or query value and, the value absent,
returns None; S3's parser first checks each member for its object-key rule (a `uri` member named Key). An S3
CopyObject has ~40 such members, most of them absent headers: their walk was a fifth of its parse (bench: 212 ->
168 us). Here a header or query-string member that is not a list (a list is joined from repeated values first) is
looked up where the parser would look it up (`request.headers` / `request.args`, by its serialized name); absent
(None), the answer is the parser's own None; present, the parser's own `_parse_shape` parses it. What a member's
lookup is gets read once from its shape and kept on it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from harness.localstack_plugins.on_import import when_imported

_LOOKUP = "_harness_absent_member_lookup"  # kept in a botocore Shape's __dict__
_WHERE = {"header": "headers", "querystring": "args"}  # a serialization's location -> the request's attribute


def member_lookup(shape: Any) -> tuple[str, str] | None:
    """(the request's attribute, the name) where the parser reads a single-valued header or query member, or None."""
    lookup = shape.__dict__.get(_LOOKUP, False)
    if lookup is False:
        serialization = shape.serialization
        where = _WHERE.get(serialization.get("location"))
        lookup = (where, serialization.get("name")) if where and shape.type_name != "list" else None
        shape.__dict__[_LOOKUP] = lookup
    return lookup


def answer_absent_members_at_once(parser_class: type) -> None:
    """`parser_class._parse_shape` returns None for a header or query member the request does not have."""
    parse_shape: Callable[..., Any] = parser_class._parse_shape

    def _parse_shape(self: Any, request: Any, shape: Any, node: Any, uri_params: Any = None) -> Any:
        lookup = None if shape is None else member_lookup(shape)
        if lookup is not None and getattr(request, lookup[0]).get(lookup[1]) is None:
            return None
        return parse_shape(self, request, shape, node, uri_params)

    parser_class._parse_shape = _parse_shape


def patch_parsers(parser_module: ModuleType) -> None:
    """The base parser and S3's (the one with a `_parse_shape` of its own) of `localstack.aws.protocol.parser`."""
    for parser_class in (parser_module.RequestParser, parser_module.S3RequestParser):
        answer_absent_members_at_once(parser_class)


def answer_absent_request_members_at_once() -> None:
    """From when LocalStack first imports its request parsers, they answer absent header and query members at once."""
    when_imported("localstack.aws.protocol.parser", patch_parsers)

"""A request's headers answer `get` and `in` for a header the request does not have without raising and catching a
KeyError (inside LocalStack; issue 13).

LocalStack's request parser asks for every header member of an operation's input (an S3 HeadObject has ~15, a
CopyObject or PutObject ~40), most of them absent. The gateway's requests carry werkzeug's `Headers` (rolo's
WsgiGateway copies the environ's headers into one; an engine answering 40 S3 calls looked up 2,135 headers there and
none in an EnvironHeaders); werkzeug 3.1's `get` and `in` call `_get_key`, which raises BadRequestKeyError for an
absent name, and catch it: a quarter of the S3 parser's time for a CopyObject (bench: 294 -> 221 us a parse). Here
the same search answers without the exception: the first name in the list equal ignoring case, as `_get_key` finds
it. A header that is there is answered with the value found, converted by werkzeug's `get` where a `type` is asked
for; a key that is not a string and a subclass with a `_get_key` of its own (EnvironHeaders, which reads the
environ) go to werkzeug's own methods, so what a caller gets is werkzeug's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ABSENT = object()


def first_listed_value(headers: Any, name: str) -> Any:
    """A Headers' first value of `name` (equal ignoring case), from its list."""
    wanted = name.lower()
    for listed, value in headers._list:
        if listed.lower() == wanted:
            return value
    return ABSENT


def look_up_absent_headers_without_exceptions(headers_class: type) -> None:
    """`headers_class` (werkzeug's Headers) answers `get` and `in` from `first_listed_value`: the default and False
    for an absent header, no exception raised."""
    own_lookup: Callable[..., Any] = headers_class._get_key
    werkzeugs_get = headers_class.get
    werkzeugs_contains = headers_class.__contains__

    def searches_itself(headers: Any, key: object) -> bool:
        return isinstance(key, str) and headers.__class__._get_key is own_lookup

    def get(self: Any, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002 (werkzeug's name)
        if not searches_itself(self, key):
            return werkzeugs_get(self, key, default, type)
        value = first_listed_value(self, key)
        if value is ABSENT:
            return default
        return value if type is None else werkzeugs_get(self, key, default, type)  # its conversion, its ValueError rule

    def __contains__(self: Any, key: Any) -> bool:
        if searches_itself(self, key):
            return first_listed_value(self, key) is not ABSENT
        return werkzeugs_contains(self, key)

    headers_class.get = get
    headers_class.__contains__ = __contains__

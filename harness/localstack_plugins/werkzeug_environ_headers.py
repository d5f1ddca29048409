"""A request's headers (werkzeug's EnvironHeaders, read from the WSGI environ) answer `get` and `in` for a header the
request does not have with one dict lookup, not by raising and catching a KeyError (inside LocalStack; issue 13).

LocalStack's request parser asks for every header member of an operation's input (an S3 HeadObject has ~15, a
PutObject ~40), most of them absent: werkzeug 3.1's `Headers.get` calls `EnvironHeaders._get_key`, whose
`environ[...]` raises KeyError, which `get` catches (~3 % of the engine's time for an S3 HEAD, py-spy --gil). The
environ key is werkzeug's (`HTTP_` + the name upper-cased, `-` as `_`; CONTENT_TYPE and CONTENT_LENGTH without the
prefix); a header that is there is answered with the value found (werkzeug's `_get_key` returns the same), converted
by werkzeug's `get` where a `type` is asked for; a key that is not a string and a subclass with a `_get_key` of its
own go to werkzeug's own methods, so what a caller gets is werkzeug's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ABSENT = object()
_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def environ_key(header_name: str) -> str:
    """The WSGI environ key of a header, as werkzeug's EnvironHeaders reads it."""
    key = header_name.upper().replace("-", "_")
    return key if key in _UNPREFIXED else f"HTTP_{key}"


def look_up_absent_headers_without_exceptions(environ_headers_class: type) -> None:
    """`environ_headers_class` (werkzeug.datastructures.EnvironHeaders) answers an absent header's `get` with the
    default and its `in` with False from `environ.get`."""
    own_lookup: Callable[..., Any] = environ_headers_class._get_key
    werkzeugs_get = environ_headers_class.get
    werkzeugs_contains = environ_headers_class.__contains__

    def reads_environ_itself(headers: Any, key: object) -> bool:
        return isinstance(key, str) and headers.__class__._get_key is own_lookup

    def get(self: Any, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002 (werkzeug's name)
        if not reads_environ_itself(self, key):
            return werkzeugs_get(self, key, default, type)
        value = self.environ.get(environ_key(key), _ABSENT)
        if value is _ABSENT:
            return default
        return value if type is None else werkzeugs_get(self, key, default, type)  # its conversion, its ValueError rule

    def __contains__(self: Any, key: Any) -> bool:
        if reads_environ_itself(self, key):
            return self.environ.get(environ_key(key), _ABSENT) is not _ABSENT
        return werkzeugs_contains(self, key)

    environ_headers_class.get = get
    environ_headers_class.__contains__ = __contains__

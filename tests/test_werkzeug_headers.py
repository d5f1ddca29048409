"""A request's headers answer an absent header without a raising lookup (harness.localstack_plugins.werkzeug_headers),
and give werkzeug's own answers for every header, present or not: werkzeug's Headers (the gateway's requests) and its
EnvironHeaders (read from a WSGI environ)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import EnvironHeaders, Headers
from werkzeug.datastructures import headers as werkzeug_headers_module

from harness.localstack_plugins.werkzeug_headers import (environ_key, first_listed_value,
                                                          look_up_absent_headers_without_exceptions, value_in_environ)

ENVIRON = {"HTTP_X_AMZ_DATE": "20261204T000000Z", "CONTENT_TYPE": "image/jpeg", "CONTENT_LENGTH": "42",
           "HTTP_RANGE": "", "SERVER_NAME": "s3.localhost"}
LISTED = [("X-Amz-Date", "20261204T000000Z"), ("Content-Type", "image/jpeg"), ("content-length", "42"), ("Range", ""),
          ("x-amz-meta-a", "1"), ("X-AMZ-META-A", "2")]  # a name twice: the first is the answer
NAMES = ["x-amz-date", "X-Amz-Date", "Content-Type", "content-length", "Range", "If-Match", "x-amz-meta-a",
         "X-Amz-Meta-B", "Server-Name", "Server_Name", "http-x-amz-date", 7]


class CountingEnviron(dict):
    """An environ that counts the lookups that raise KeyError for a missing key."""

    misses = 0

    def __getitem__(self, key: str) -> str:
        if key not in self:
            self.misses += 1
        return super().__getitem__(key)


def patched(werkzeug_class: type, search) -> type:
    """A subclass of werkzeug's class, patched as the engine patches werkzeug's own."""
    subclass = type(werkzeug_class.__name__, (werkzeug_class,), {})
    look_up_absent_headers_without_exceptions(subclass, search)
    return subclass


def answer(lookup, headers) -> object:
    """What a lookup returns, or the type of what it raises (werkzeug's Headers.get(7) raises AttributeError)."""
    try:
        return lookup(headers)
    except Exception as error:  # noqa: BLE001 (the comparison is of werkzeug's own outcome)
        return type(error)


KINDS = {"Headers": (Headers, first_listed_value, lambda: list(LISTED)),
         "EnvironHeaders": (EnvironHeaders, value_in_environ, lambda: dict(ENVIRON))}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NAMES)
def test_get_and_in_answer_as_werkzeug_answers(kind, name):
    werkzeug_class, search, contents = KINDS[kind]
    ours, werkzeugs = patched(werkzeug_class, search)(contents()), werkzeug_class(contents())
    lookups = [lambda h: h.get(name), lambda h: h.get(name, "default"), lambda h: h.get(name, -1, int),
               lambda h: name in h]
    assert [answer(lookup, ours) for lookup in lookups] == [answer(lookup, werkzeugs) for lookup in lookups]


def test_an_absent_header_is_not_looked_up_by_a_raising_lookup(monkeypatch):
    raised: list[str] = []

    class CountedKeyError(werkzeug_headers_module.BadRequestKeyError):
        def __init__(self, key: str) -> None:
            raised.append(key)
            super().__init__(key)

    monkeypatch.setattr(werkzeug_headers_module, "BadRequestKeyError", CountedKeyError)  # what Headers._get_key raises
    environ = CountingEnviron(ENVIRON)
    for headers in (patched(Headers, first_listed_value)(LISTED), patched(EnvironHeaders, value_in_environ)(environ)):
        assert headers.get("If-Match") is None and "x-amz-meta-b" not in headers and headers.get("x-amz-date")
    assert (raised, environ.misses) == ([], 0)
    assert "If-Match" not in Headers(LISTED) and raised == ["If-Match"]  # werkzeug's own does raise, and is counted


def test_a_subclass_with_a_lookup_of_its_own_keeps_it():
    for werkzeug_class, search, _ in KINDS.values():
        class Mapped(patched(werkzeug_class, search)):
            def _get_key(self, key: str) -> str:
                return "always"

        assert Mapped({}).get("If-Match") == "always" and "If-Match" in Mapped({})


def test_the_environ_key_is_werkzeugs():
    assert [environ_key(name) for name in ["x-amz-date", "Content-Length", "content-type"]] == [
        "HTTP_X_AMZ_DATE", "CONTENT_LENGTH", "CONTENT_TYPE"]

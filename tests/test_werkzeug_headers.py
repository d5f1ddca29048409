"""A request's headers answer an absent header without a raising lookup (harness.localstack_plugins.werkzeug_headers),
and give werkzeug's own answers for every header, present or not; EnvironHeaders keeps werkzeug's own lookup."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import EnvironHeaders, Headers
from werkzeug.datastructures import headers as werkzeug_headers_module

from harness.localstack_plugins.werkzeug_headers import look_up_absent_headers_without_exceptions

LISTED = [("X-Amz-Date", "20261204T000000Z"), ("Content-Type", "image/jpeg"), ("content-length", "42"), ("Range", ""),
          ("x-amz-meta-a", "1"), ("X-AMZ-META-A", "2")]  # a name twice: the first is the answer
ENVIRON = {"HTTP_X_AMZ_DATE": "20261204T000000Z", "CONTENT_TYPE": "image/jpeg", "HTTP_RANGE": ""}
NAMES = ["x-amz-date", "X-Amz-Date", "Content-Type", "content-length", "Range", "If-Match", "x-amz-meta-a",
         "X-Amz-Meta-B", "http-x-amz-date", 7]
LOOKUPS = {"get": lambda h, name: h.get(name), "get with a default": lambda h, name: h.get(name, "default"),
           "get as int": lambda h, name: h.get(name, -1, int), "in": lambda h, name: name in h}


@pytest.fixture
def patched_headers() -> type:
    """A subclass of werkzeug's Headers, patched as the engine patches werkzeug's own."""
    patched = type("Headers", (Headers,), {})
    look_up_absent_headers_without_exceptions(patched)
    return patched


def answer(lookup, headers, name) -> object:
    """What a lookup returns, or the type of what it raises (werkzeug's Headers.get(7) raises AttributeError)."""
    try:
        return lookup(headers, name)
    except Exception as error:  # noqa: BLE001 (the comparison is of werkzeug's own outcome)
        return type(error)


@pytest.mark.parametrize("lookup", LOOKUPS.values(), ids=LOOKUPS)
@pytest.mark.parametrize("name", NAMES)
def test_get_and_in_answer_as_werkzeug_answers(patched_headers, lookup, name):
    assert answer(lookup, patched_headers(LISTED), name) == answer(lookup, Headers(LISTED), name)


def test_an_absent_header_is_not_looked_up_by_a_raising_lookup(patched_headers, monkeypatch):
    raised: list[str] = []

    class CountedKeyError(werkzeug_headers_module.BadRequestKeyError):
        def __init__(self, key: str) -> None:
            raised.append(key)
            super().__init__(key)

    monkeypatch.setattr(werkzeug_headers_module, "BadRequestKeyError", CountedKeyError)  # what Headers._get_key raises
    headers = patched_headers(LISTED)
    assert headers.get("If-Match") is None and "x-amz-meta-b" not in headers and headers.get("x-amz-date")
    assert raised == []
    assert "If-Match" not in Headers(LISTED) and raised == ["If-Match"]  # werkzeug's own does raise, and is counted


@pytest.mark.parametrize("name", NAMES)
def test_environ_headers_keep_werkzeugs_own_lookup(patched_headers, name):
    """EnvironHeaders' `_get_key` reads the environ: a subclass of the patched class with it answers as werkzeug's."""
    ours = type("EnvironHeaders", (EnvironHeaders, patched_headers), {})(dict(ENVIRON))
    for lookup in LOOKUPS.values():
        assert answer(lookup, ours, name) == answer(lookup, EnvironHeaders(dict(ENVIRON)), name)

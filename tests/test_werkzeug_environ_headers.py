"""A request's headers answer an absent header from one dict lookup (harness.localstack_plugins.
werkzeug_environ_headers), and give werkzeug's own answers for every header, present or not."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import EnvironHeaders

from harness.localstack_plugins.werkzeug_environ_headers import environ_key, look_up_absent_headers_without_exceptions

ENVIRON = {"HTTP_X_AMZ_DATE": "20261204T000000Z", "CONTENT_TYPE": "image/jpeg", "CONTENT_LENGTH": "42",
           "HTTP_RANGE": "", "SERVER_NAME": "s3.localhost"}
NAMES = ["x-amz-date", "X-Amz-Date", "Content-Type", "content-length", "Range", "If-Match", "x-amz-meta-a",
         "Server-Name", "Server_Name", "http-x-amz-date", 7]


class CountingEnviron(dict):
    """An environ that counts the lookups that raise KeyError for a missing key."""

    misses = 0

    def __getitem__(self, key: str) -> str:
        if key not in self:
            self.misses += 1
        return super().__getitem__(key)


@pytest.fixture
def patched_class() -> type:
    """A subclass of werkzeug's EnvironHeaders, patched as the engine patches werkzeug's own."""
    patched = type("EnvironHeaders", (EnvironHeaders,), {})
    look_up_absent_headers_without_exceptions(patched)
    return patched


@pytest.mark.parametrize("name", NAMES)
def test_get_and_in_answer_as_werkzeug_answers(patched_class, name):
    ours, werkzeugs = patched_class(dict(ENVIRON)), EnvironHeaders(dict(ENVIRON))
    assert ours.get(name) == werkzeugs.get(name)
    assert ours.get(name, "default") == werkzeugs.get(name, "default")
    assert ours.get(name, -1, int) == werkzeugs.get(name, -1, int)
    assert (name in ours) == (name in werkzeugs)


def test_an_absent_header_is_not_looked_up_by_a_raising_lookup(patched_class):
    environ = CountingEnviron(ENVIRON)
    headers = patched_class(environ)
    assert headers.get("If-Match") is None and "x-amz-meta-a" not in headers and headers.get("x-amz-date")
    assert environ.misses == 0


def test_a_subclass_with_a_lookup_of_its_own_keeps_it(patched_class):
    class Mapped(patched_class):
        def _get_key(self, key: str) -> str:
            return "always"

    assert Mapped({}).get("If-Match") == "always" and "If-Match" in Mapped({})


def test_the_environ_key_is_werkzeugs():
    assert [environ_key(name) for name in ["x-amz-date", "Content-Length", "content-type"]] == [
        "HTTP_X_AMZ_DATE", "CONTENT_LENGTH", "CONTENT_TYPE"]

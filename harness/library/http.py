"""A plain HTTP client for scenarios: returns status, lower-case headers and body, never raises on 4xx/5xx.

`http(..., expect=200)` (or `expect_status(result, 200)` on a result) fails with the reason when the status is another:
the API's access-log line for the request and its functions' log lines (`harness.library.access_logs`)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from harness.library.aws_endpoints import opener_for
from harness.library.recorded_answers import record


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes
    method: str = ""
    url: str = ""
    sent_at: float = 0.0  # epoch seconds: when the request left, and when its answer was read
    answered_at: float = 0.0

    def json(self):
        import json

        return json.loads(self.body)


def http(method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None, timeout: float = 30,
         expect: int | None = None) -> HttpResult:
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=body)
    opener = opener_for(url)  # https://*.amazonaws.com -> the engine, when it answers AWS hostnames (aws_endpoints)
    sent_at = time.time()
    try:
        with (opener.open if opener else urllib.request.urlopen)(request, timeout=timeout) as response:
            status, answer_headers, answer = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, answer = error.code, error.headers, error.read()
    result = HttpResult(status, {k.lower(): v for k, v in answer_headers.items()}, answer, method, url, sent_at, time.time())
    record(method, url, headers or {}, result.status, result.headers, result.body)
    if expect is not None:
        from harness.library.access_logs import expect_status

        expect_status(result, expect)
    return result


def http_raw(method: str, url: str, header_pairs: list[tuple[str, str]], body: bytes | None = None, timeout: float = 30) -> HttpResult:
    """Headers sent exactly as listed: duplicates kept, and no Host header added (list one, empty or not, to send it)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest(method, parts.path + (f"?{parts.query}" if parts.query else ""), skip_host=True, skip_accept_encoding=True)
        for name, value in header_pairs:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        result = HttpResult(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()
    record(method, url, dict(header_pairs), result.status, result.headers, result.body)
    return result

"""A plain HTTP client for scenarios: returns status, lower-case headers and body, never raises on 4xx/5xx."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from harness.recorded_answers import record


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)


def http(method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None, timeout: float = 30) -> HttpResult:
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=body)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result = HttpResult(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        result = HttpResult(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
    record(method, url, headers or {}, result.status, result.headers, result.body)
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

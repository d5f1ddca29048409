"""A plain HTTP client for scenarios: returns status, lower-case headers and body, never raises on 4xx/5xx."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from harness.endpoints.client import opener_for
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
    opener = opener_for(url)  # https://*.amazonaws.com -> the engine, when it answers AWS hostnames (harness.endpoints)
    try:
        with (opener.open if opener else urllib.request.urlopen)(request, timeout=timeout) as response:
            result = HttpResult(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        result = HttpResult(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
    record(method, url, headers or {}, result.status, result.headers, result.body)
    return result

"""A complete HTTP request handed to LocalStack's gateway inside its own process (inside LocalStack; issue 13).

The AWS TLS front (`aws_tls_front.py`) relayed every request it received to the gateway's port: a new loopback
connection, a second HTTP parse on each side, a server thread, which cost the engine more CPU than the S3 call itself
(an S3 HEAD: 3.7 ms direct, 6.0 ms through the front). `dispatch` builds the WSGI environ exactly as the gateway's
own server does (`gateway_server.KeepAliveRequestHandler`, LocalStack's werkzeug handler: raw target and header
names kept, `http` scheme, the same headers dropped), calls the same gateway application and returns the whole
answer. The front uses it for requests whose body it has read whole; a streamed body still goes by the relay.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from harness.localstack_plugins.gateway_server import KeepAliveRequestHandler, release_request

LOOPBACK = "127.0.0.1"
_NO_BODY_STATUSES = {204, 304}


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class _Headers:
    """The two views of a request's headers that werkzeug's and LocalStack's handlers read."""

    def __init__(self, raw: list[tuple[str, str]]) -> None:
        self._raw = raw

    def items(self) -> list[tuple[str, str]]:
        return list(self._raw)

    raw_items = items


class _HandedOver(KeepAliveRequestHandler):
    """What the gateway server's handler reads to make an environ, for a request that came by another way."""

    def __init__(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, port: int) -> None:
        # no BaseRequestHandler.__init__: there is no socket to serve, only an environ to make
        self.command, self.path, self.request_version = method, target, "HTTP/1.1"
        self.requestline = f"{method} {target} HTTP/1.1"
        self.headers = _Headers(headers)
        self.rfile = io.BytesIO(body)
        self.client_address = (LOOPBACK, 0)
        self.server = SimpleNamespace(multithread=True, multiprocess=False, server_address=(LOOPBACK, port), ssl_context=None)
        self.connection = self.request = self._socket = None  # not TLS (the front ended it): the gateway sees http, as by the relay


@functools.lru_cache(maxsize=1)
def _gateway_app() -> Any:
    from localstack.runtime import get_current_runtime
    from rolo.gateway.wsgi import WsgiGateway

    return WsgiGateway(get_current_runtime().components.gateway)


def dispatch(method: str, target: str, headers: list[tuple[str, str]], body: bytes, port: int) -> Answer:
    """The gateway's whole answer to the request (for HEAD, 204 and 304 without a body, as on the wire)."""
    environ = _HandedOver(method, target, headers, body, port).make_environ()
    started: list[Any] = []
    chunks: list[bytes] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, response_headers]
        return chunks.append

    result = _gateway_app()(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
        release_request(environ)
    code, _, reason = started[0].partition(" ")
    status = int(code)
    answer_headers = list(started[1])
    if method == "HEAD" or status in _NO_BODY_STATUSES:
        return Answer(status, reason, answer_headers, b"")
    data = b"".join(chunks)
    if not any(name.lower() in ("content-length", "transfer-encoding") for name, _ in answer_headers):
        answer_headers.append(("Content-Length", str(len(data))))
    return Answer(status, reason, answer_headers, data)

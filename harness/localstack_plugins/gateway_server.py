"""LocalStack's gateway served by a threaded HTTP/1.1 server (inside LocalStack; issue 13).

LocalStack 4.13.1 offers two servers: twisted, which binds 0.0.0.0 whatever GATEWAY_LISTEN says, and hypercorn
(asyncio and h11), which py-spy shows spending more of every request than LocalStack's whole handler chain (the event
loop, h11's header validation, the hop from the ASGI loop to a WSGI worker thread). This server,
`GATEWAY_SERVER=harness` (plugin namespace `localstack.runtime.server`), is werkzeug's threaded WSGI server with
LocalStack's own werkzeug request handler (the request target and header names kept as they came), on exactly the
addresses of GATEWAY_LISTEN: an S3 HEAD costs the engine 3.9 ms of CPU instead of 6.0. Each connection is served by
a pooled thread: an idle one when there is one, a new one otherwise (starting a thread per connection was ~10 % of
an S3 HEAD).
werkzeug closes each connection after its response (as LocalStack on hypercorn did, localstack#6557), because
http.server cannot drain an unread request body before the next request line. Here a request whose body has a
Content-Length of at most 1 MiB has its body read whole before the app runs (a client awaiting `100 Continue`, as
boto3 does for every S3 PutObject, gets it first): the next request line follows cleanly, so that connection is kept
alive (HTTP/1.1's default, as AWS's endpoints do; an SDK's pooled connection then serves many calls), and closed after
60 s idle. Chunked and larger bodies are read by the app as they come, and their connection closed after the answer,
as before. Answers go out without Nagle's delay (TCP_NODELAY), an answer's headers in the same send as its body
(`HeaderCoalescingWriter`). Once answered, a request is released at once (`release_request`).
A listen address another process took between the harness choosing the free port and the engine binding it ends the
engine with ENGINE_PORT_IN_USE_STATUS (werkzeug's server exits with 1, as for any failure), and the harness starts it
again on another port.
"""

from __future__ import annotations

import email.utils
import errno
import functools
import io
import logging
import os
import queue
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from localstack.aws.serving.werkzeug import CustomWSGIRequestHandler
from localstack.runtime.exceptions import LocalstackExit
from localstack.runtime.server.core import RuntimeServer, RuntimeServerPlugin
from rolo.gateway.wsgi import WsgiGateway
from werkzeug.serving import BaseWSGIServer

from harness.shared.emulator_api import ENGINE_PORT_IN_USE_STATUS

LOG = logging.getLogger(__name__)
SERVER_NAME = "harness"  # GATEWAY_SERVER


BODY_READ_WHOLE_LIMIT = 1024 * 1024  # bytes; a larger body is streamed to the app (and by the TLS front's relay)
COALESCED_BODY_LIMIT = 64 * 1024  # bytes; the first part of an answer's body sent with its headers, if no larger
IDLE_SECONDS = 60.0  # a kept-alive connection with no next request is closed after this
SHUTDOWN_POLL_SECONDS = 0.05  # a server's loop sees a shutdown within this (socketserver's default 0.5 s delayed each engine stop)
_AT_EOF_FD, _write_end = os.pipe()  # a descriptor always readable, at end of file: see KeepAliveRequestHandler.run_wsgi
os.close(_write_end)


def whole_body_length(headers: Iterable[tuple[str, str]], continue_answered: bool = False) -> int | None:
    """The length of a request body that can be read whole before the request is answered without changing what
    the client sees: a Content-Length within BODY_READ_WHOLE_LIMIT (none: 0), not chunked, no `100 Continue` awaited
    (unless the reader answers it first: `continue_answered`). None for any other request. The gateway server and the
    AWS TLS front's in-process hand-over follow this rule."""
    length = expect = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == "transfer-encoding":
            return None
        if lowered == "expect" and expect is None:
            expect = value.strip().lower()
        if lowered == "content-length" and length is None:
            length = value.strip()
    length = "0" if length is None else length
    if (expect == "100-continue" and not continue_answered) or not length.isdigit() or int(length) > BODY_READ_WHOLE_LIMIT:
        return None
    return int(length)


def release_request(environ: dict[str, Any] | None) -> None:
    """Once a request is answered: werkzeug's Request refers to its environ and the environ back to it
    (`environ["werkzeug.request"]`), so without this a request, its body and what it parsed from it were freed only by
    a garbage collection. A large one that had lived through a collection (a CreateFunction with a 16 MB body, which
    allocates a lot) waited for a full collection, which may not come for long: after provisioning the Cruddur stack
    the engine held 233 MB instead of 181 in about a third of the runs, 52 MB that `gc.collect()` freed."""
    if environ is not None:
        environ.pop("werkzeug.request", None)


class _DrainedConnection:
    """The connection as werkzeug's after-answer drain loop sees it: readable and at end of file at once, since the
    body was read before the app ran (the loop would otherwise wait 10 ms for bytes, or eat the next request line)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def fileno(self) -> int:
        return _AT_EOF_FD

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


class HeaderCoalescingWriter:
    """An answer's writer (`wfile`) that sends its header block with the body bytes that follow it (up to
    COALESCED_BODY_LIMIT) in one send: werkzeug writes the headers and then the body, each a TCP segment that wakes the
    client. Held headers go out with the next write or at the next flush, whichever comes first (werkzeug flushes after
    each part of a body, so a streamed answer is not held back); every other write goes out at once."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._held = b""

    def hold(self, headers: bytes) -> None:
        self._held += headers

    def write(self, data: bytes) -> int:
        size = len(data)
        if self._held:
            held, self._held = self._held, b""
            if len(data) > COALESCED_BODY_LIMIT:  # not worth copying a large body for: the headers go first
                self._raw.write(held)
            else:
                data = held + bytes(data)
        self._raw.write(data)
        return size

    def flush(self) -> None:
        if self._held:
            self.write(b"")
        self._raw.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _ContinueAnsweredHeaders:
    """A request's headers as werkzeug's `run_wsgi` looks at them once the handler has answered `100 Continue` itself:
    its check finds no `Expect`, so it sends no second one. Everything else, the environ's headers included, is the
    request's own."""

    def __init__(self, headers: Any) -> None:
        self._headers = headers

    def get(self, name: str, default: Any = None) -> Any:
        return default if name.lower() == "expect" else self._headers.get(name, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._headers, name)


@functools.lru_cache(maxsize=2)
def http_date(second: int) -> str:
    """RFC 9110's IMF-fixdate of a whole second, as http.server writes it."""
    return email.utils.formatdate(second, usegmt=True)


class KeepAliveRequestHandler(CustomWSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # socketserver: TCP_NODELAY on each accepted connection

    def setup(self) -> None:
        super().setup()
        self.wfile = HeaderCoalescingWriter(self.wfile)
        self._socket = self.connection
        self._requests = 0
        self._keep_alive = False
        self._close_headers = 0

    def handle_expect_100(self) -> bool:
        return True  # werkzeug's run_wsgi sends the one `100 Continue` itself

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` of an answer, made once per second (email.utils.formatdate per answer was ~3 % of an S3 HEAD)."""
        return super().date_time_string(timestamp) if timestamp is not None else http_date(int(time.time()))

    def handle_one_request(self) -> None:
        if self._requests and not self._next_request_comes():
            self.close_connection = True
            return
        self._requests += 1
        super().handle_one_request()

    def _next_request_comes(self) -> bool:
        """Wait up to IDLE_SECONDS for the first byte of the next request on a kept-alive connection."""
        self._socket.settimeout(IDLE_SECONDS)
        try:
            return bool(self.rfile.peek(1))
        except OSError:  # TimeoutError, or the client reset the connection
            return False
        finally:
            self._socket.settimeout(None)

    def run_wsgi(self) -> None:
        try:
            self._answer()
        finally:
            release_request(self.__dict__.pop("environ", None))  # werkzeug's handler kept it until the next request

    def _answer(self) -> None:
        body = self._body_read_whole()
        if body is None:  # werkzeug's way: the app reads the body as it comes; drained and closed after the answer
            super().run_wsgi()
            return
        self._keep_alive, self._close_headers = True, 0
        stream, self.rfile, self.connection = self.rfile, io.BytesIO(body), _DrainedConnection(self._socket)
        headers, self.headers = self.headers, _ContinueAnsweredHeaders(self.headers)
        try:
            super().run_wsgi()
        finally:
            self.rfile, self.connection, self._keep_alive, self.headers = stream, self._socket, False, headers

    def _body_read_whole(self) -> bytes | None:
        """The request body, read to its end, when `whole_body_length` allows it and the connection is not TLS; a
        client that waits for `100 Continue` gets it first, as werkzeug would send it."""
        if isinstance(self._socket, ssl.SSLSocket):
            return None
        length = whole_body_length(self.headers.items(), continue_answered=True)
        if length is None:
            return None
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":  # werkzeug's own test
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self.rfile.read(length)
        return body if len(body) == length else None

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ["werkzeug.socket"] = self._socket
        return environ

    def send_header(self, keyword: str, value: str) -> None:
        if self._keep_alive and keyword.lower() == "connection" and value.lower() == "close":
            self._close_headers += 1  # werkzeug's own "always close" comes last, after the app's headers
            return
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        if self._close_headers > 1:  # the app asked to close as well: so be it
            super().send_header("Connection", "close")
        self._close_headers = 0
        super().end_headers()

    def flush_headers(self) -> None:
        if hasattr(self, "_headers_buffer"):
            self.wfile.hold(b"".join(self._headers_buffer))
            self._headers_buffer = []

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # LocalStack logs each AWS request itself (localstack.request.aws)


class ConnectionThreads:
    """Daemon threads that are kept once started: work goes to an idle one, or to a new one when none is idle,
    so that no connection ever waits for another to end (as with a thread per connection) and shutdown never
    waits for a connection."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, work: Callable[..., None], *args: Any) -> None:
        with self._lock:
            start = self._idle == 0
            if not start:
                self._idle -= 1
        self._work.put((work, args))
        if start:
            threading.Thread(target=self._serve, name=self._name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            work, args = self._work.get()
            work(*args)
            with self._lock:
                self._idle += 1


class PooledWSGIServer(BaseWSGIServer):
    """werkzeug's WSGI server, each accepted connection served on one of `ConnectionThreads` (socketserver's
    ThreadingMixIn starts a new thread for each)."""

    multithread = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workers = ConnectionThreads(f"gateway-{self.server_address[1]}")

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            host, port = self.server_address[:2]
            raise LocalstackExit(f"{host}:{port} is in use by another process ({error.strerror})",
                                 code=ENGINE_PORT_IN_USE_STATUS) from error

    def process_request(self, request: Any, client_address: Any) -> None:
        self._workers.submit(self._serve_connection, request, client_address)

    def _serve_connection(self, request: Any, client_address: Any) -> None:  # as ThreadingMixIn.process_request_thread
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - socketserver's own policy: report and go on serving
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class ThreadedRuntimeServer(RuntimeServer):
    """One werkzeug server per listen address, each serving in a daemon thread; `run` blocks until `shutdown`."""

    def __init__(self) -> None:
        self._servers: list[BaseWSGIServer] = []
        self._stopped = threading.Event()

    def register(self, gateway: Any, listen: list[Any], ssl_creds: tuple[str, str] | None = None) -> None:
        app = WsgiGateway(gateway)
        for address in listen:
            server = PooledWSGIServer(address.host, address.port, app, KeepAliveRequestHandler, ssl_context=ssl_creds)
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True,
                             name=f"gateway-{address.host}:{address.port}").start()

    def run(self) -> None:
        self._stopped.wait()

    def shutdown(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._stopped.set()


class ThreadedRuntimeServerPlugin(RuntimeServerPlugin):
    name = SERVER_NAME

    def load(self, *args: Any, **kwargs: Any) -> RuntimeServer:
        return ThreadedRuntimeServer()

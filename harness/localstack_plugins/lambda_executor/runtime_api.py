"""The Lambda Runtime API, served on loopback for one execution environment.

behaviour.md "Lambda runtime": handlers run behind `/2018-06-01/runtime/invocation/next`,
`/response`, `/error` and `/init/error`. One `RuntimeApi` serves exactly one runtime process,
which handles one invocation at a time, as a Lambda execution environment does.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/2018-06-01/runtime"
_INVOCATION_PATH = re.compile(rf"^{API_PREFIX}/invocation/(?P<request_id>[^/]+)/(?P<kind>response|error)$")
_NEXT_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class PendingInvocation:
    """What `/invocation/next` hands to the runtime: the event and its Lambda-Runtime-* headers."""

    request_id: str
    payload: bytes
    invoked_function_arn: str
    timeout_ms: int  # the deadline header is counted from the moment the runtime receives the event
    trace_id: str = ""


@dataclass(frozen=True)
class RuntimeOutcome:
    """How an invocation ended, as the runtime reported it."""

    payload: bytes
    is_error: bool
    error_type: str = ""
    init_error: bool = False


@dataclass
class _State:
    pending: "deque[PendingInvocation]" = field(default_factory=deque)
    handed_out: set[str] = field(default_factory=set)
    outcomes: dict[str, Future] = field(default_factory=dict)
    init_error: RuntimeOutcome | None = None
    lock: threading.Condition = field(default_factory=threading.Condition)
    closed: threading.Event = field(default_factory=threading.Event)
    on_next: Callable[[], None] = lambda: None


class _RuntimeApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the runtime reuses one connection
    disable_nagle_algorithm = True  # a small response must not wait ~40 ms for an ACK
    wbufsize = 64 * 1024  # a response's head and body leave in one send: handle_one_request flushes after each request
    server: "_RuntimeApiServer"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        """Silence per-request logging: it would land in LocalStack's log at every invoke."""

    def handle_expect_100(self) -> bool:
        """`100 Continue` at once, not held in the write buffer until the response (the runtime waits for it)."""
        answer = super().handle_expect_100()
        self.wfile.flush()
        return answer

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self.path != f"{API_PREFIX}/invocation/next":
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"unknown path {self.path}"})
            return
        state = self.server.state
        state.on_next()
        pending = self._take_when_asked(state)
        if pending is None:
            if not state.closed.is_set():
                self.close_connection = True  # the runtime that asked is gone: nobody to answer
                return
            self._reply(HTTPStatus.GONE, {"errorMessage": "execution environment is shutting down"})
            return
        headers = {
            "Lambda-Runtime-Aws-Request-Id": pending.request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + pending.timeout_ms),
            "Lambda-Runtime-Invoked-Function-Arn": pending.invoked_function_arn,
            "Lambda-Runtime-Trace-Id": pending.trace_id,
            "Content-Type": "application/json",
        }
        self._send(HTTPStatus.OK, pending.payload, headers)

    def _take_when_asked(self, state: _State) -> PendingInvocation | None:
        """The next event, handed only to a runtime still connected and waiting for it; None once the runtime has
        gone (killed, crashed, out of memory) or the environment shuts down. A runtime that dies idle must not
        take an event with it: its successor gets it (the dead-runtime wedge, issue 9)."""
        with state.lock:
            while not state.closed.is_set():
                if not self._runtime_connected():
                    return None
                if state.pending:
                    pending = state.pending.popleft()
                    state.handed_out.add(pending.request_id)
                    return pending
                state.lock.wait(timeout=_NEXT_POLL_SECONDS)
        return None

    def _runtime_connected(self) -> bool:
        """The runtime's `/next` connection is open: a peek sees no end of stream (a killed process's socket is
        closed by the kernel before its parent learns it exited)."""
        try:
            return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
        except BlockingIOError:
            return True  # nothing to read: still connected, still waiting
        except OSError:
            return False

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type", "")
        state = self.server.state
        if self.path == f"{API_PREFIX}/init/error":
            outcome = RuntimeOutcome(body, is_error=True, error_type=error_type, init_error=True)
            with state.lock:
                state.init_error = outcome
                waiting = list(state.outcomes.values())
            for future in waiting:
                _resolve(future, outcome)
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
            return
        match = _INVOCATION_PATH.match(self.path)
        if not match:
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"unknown path {self.path}"})
            return
        with state.lock:
            future = state.outcomes.get(match["request_id"])
        if future is None:
            self._reply(HTTPStatus.BAD_REQUEST, {"errorMessage": "unknown or finished request id"})
            return
        is_error = match["kind"] == "error"
        _resolve(future, RuntimeOutcome(body, is_error=is_error, error_type=error_type))
        self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})

    def _reply(self, status: HTTPStatus, document: dict) -> None:
        self._send(status, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def _send(self, status: HTTPStatus, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _resolve(future: Future, outcome: RuntimeOutcome) -> None:
    if not future.done():
        future.set_result(outcome)


class _RuntimeApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, state: _State) -> None:
        self.state = state
        super().__init__(("127.0.0.1", 0), _RuntimeApiHandler)  # loopback only

    def handle_error(self, request, client_address) -> None:
        """A runtime killed mid-request (timeout, memory) resets its connection: expected, not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RuntimeApi:
    """A Runtime API endpoint on 127.0.0.1 with an ephemeral port."""

    def __init__(self, on_next: Callable[[], None]) -> None:
        """`on_next` runs each time the runtime asks for work: its init, or its last invocation, is over."""
        self._state = _State(on_next=on_next)
        self._server = _RuntimeApiServer(self._state)
        self._thread = threading.Thread(target=self._server.serve_forever, name="lambda-runtime-api", daemon=True)

    @property
    def address(self) -> str:
        """The value for AWS_LAMBDA_RUNTIME_API (host:port, no scheme)."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> "RuntimeApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._state.lock:
            self._state.closed.set()
            self._state.lock.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def reset_init_error(self) -> None:
        """Forget a previous init failure: a fresh runtime process is about to initialise."""
        with self._state.lock:
            self._state.init_error = None

    def submit(self, invocation: PendingInvocation) -> Future:
        """Queue an invocation for `/next`; the future resolves to a `RuntimeOutcome`."""
        future: Future = Future()
        with self._state.lock:
            init_error = self._state.init_error
            self._state.outcomes[invocation.request_id] = future
            if init_error is None:
                self._state.pending.append(invocation)
                self._state.lock.notify_all()
        if init_error is not None:
            _resolve(future, init_error)
        return future

    def handed_out(self, request_id: str) -> bool:
        """Whether a runtime took this invocation from `/next` (else it is still queued for the next runtime)."""
        with self._state.lock:
            return request_id in self._state.handed_out

    def forget(self, request_id: str) -> None:
        """Drop a finished invocation, and any copy of it `/next` has not handed out yet."""
        with self._state.lock:
            self._state.outcomes.pop(request_id, None)
            self._state.handed_out.discard(request_id)
            self._state.pending = deque(p for p in self._state.pending if p.request_id != request_id)

"""(Runs inside LocalStack.) The TLS front that AWS hostnames reach: `https://<anything>.amazonaws.com` -> the gateway.

An `on_infra_start` hook starts it on `127.0.0.1:<free port>`. Connections come from Lambda processes (the LD_PRELOAD
library sends `<AWS hostname>:443` here), from the test process and from Chromium (`harness.library.aws_endpoints`).
TLS ends here with a certificate for the name the client asked for (SNI), issued by the harness CA and kept
(`HarnessCa.leaf_chain`); each HTTP/1.1 request then goes to LocalStack's gateway as it came (method, target, every
end-to-end header: `Host: <bucket>.s3.amazonaws.com`, the SigV4 signature), and LocalStack routes it by them: handed
over in-process (`in_process_gateway`) when its body is read whole (`gateway_server.whole_body_length`: up to 1 MiB, not
chunked; a client waiting for `100 Continue` gets it from the front at once, as the gateway's own server sends it before
the request reaches LocalStack), else relayed, streaming, to the gateway's port. SDKs send `Expect: 100-continue` with
S3 uploads (the AWS SDK for JavaScript with each PutObject): relayed, each cost a loopback connection and the gateway
server's HTTP parse besides the front's own.
Each connection is served on a pooled thread, on a blocking `ssl.SSLSocket`, by an http.server handler, as the
gateway's own server serves its connections (issue 13). The front was an asyncio loop with h11: h11's parsing and
header validation, asyncio's pure-Python TLS transport and the hop to a worker thread for each hand-over cost
0.8-1.1 ms of CPU per request (an in-process front, a canned answer, a kept-alive client), now 0.28-0.34 ms.
Only AWS hostnames get a certificate of their own; any other name is answered with the `amazonaws.com` one,
which the client refuses. `GET /_harness/aws-endpoints` tells the test process where the front listens.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any

from localstack.http import Request, Response
from localstack.runtime import hooks

from harness.endpoints.ca import AWS_DOMAIN, HarnessCa, certificate_names, ensure_ca, is_aws_hostname
from harness.endpoints.preload import AWS_ADDRESS, ensure_library, library_path
from harness.localstack_plugins import gateway_server, in_process_gateway
from harness.shared import emulator_api

LOG = logging.getLogger(__name__)
HandOver = Callable[[str, str, list[tuple[str, str]], bytes, int], in_process_gateway.Answer]
LOOPBACK = "127.0.0.1"
ENDPOINTS_PATH = emulator_api.AWS_ENDPOINTS_PATH
DEFAULT_NAME = AWS_DOMAIN
_CHUNK = 256 * 1024
_HANDSHAKE_TIMEOUT_SECONDS = 10
_ACCEPT_RETRY_SECONDS = 0.1
_STOP_TIMEOUT_SECONDS = 5  # the accepting thread ends at once once its listener is shut down


class TlsFront:
    """TLS on a loopback port with per-name certificates; each HTTP/1.1 request handed over in-process or relayed to
    the gateway at `upstream_port`. A connection is served on a pooled thread (`gateway_server.ConnectionThreads`) on
    a blocking `ssl.SSLSocket`, as the gateway's own server serves its connections."""

    def __init__(self, ca: HarnessCa, upstream_port: int, hand_over: HandOver | None = None) -> None:
        """`hand_over`: how a request read whole reaches the gateway in-process (None: every request is relayed)."""
        self._ca = ca
        self.upstream_port, self.hand_over = upstream_port, hand_over
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._connections = gateway_server.ConnectionThreads("aws-tls-front")
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._stopped = threading.Event()
        self.port = 0

    def start(self) -> "TlsFront":
        base = self.context_for(DEFAULT_NAME)
        base.sni_callback = self._on_sni
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = self._listener.getsockname()[1]
        self._accepting = threading.Thread(target=self._accept, args=(self._listener, base), name="harness-aws-tls-front",
                                           daemon=True)
        self._accepting.start()
        return self

    def stop(self) -> None:
        """Stop listening (LocalStack's process ends the front with itself; tests call this). The listening descriptor
        is freed only once the accepting thread has ended: freed while that thread was about to accept on it, the
        number could be the next socket's, whose connections the old front would then take (seen in the suite: a
        second front's request answered through the first front's gateway)."""
        self._stopped.set()
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, which close alone does not
            except OSError:
                pass
            if self._accepting is not None:
                self._accepting.join(_STOP_TIMEOUT_SECONDS)
            self._listener.close()

    def context_for(self, server_name: str | None) -> ssl.SSLContext:
        hostname = server_name if server_name and is_aws_hostname(server_name) else DEFAULT_NAME
        key = certificate_names(hostname)[0]  # one certificate per name AWS's certificates cover
        with self._lock:
            if key not in self._contexts:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(self._ca.leaf_chain(hostname), self._ca.leaf_key)
                context.set_alpn_protocols(["http/1.1"])  # the gateway speaks HTTP/1.1 to us; so must the client
                self._contexts[key] = context
            return self._contexts[key]

    # -- internals --------------------------------------------------------------------------------
    def _on_sni(self, connection: ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext) -> None:
        connection.context = self.context_for(server_name)

    def _accept(self, listener: socket.socket, base: ssl.SSLContext) -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError as error:
                if self._stopped.is_set():
                    return
                LOG.warning("AWS TLS front: accept failed (%s); still listening", error)  # e.g. out of descriptors
                self._stopped.wait(_ACCEPT_RETRY_SECONDS)
                continue
            self._connections.submit(self._serve, raw, base)

    def _serve(self, raw: socket.socket, base: ssl.SSLContext) -> None:
        """The TLS handshake (within its timeout), then HTTP/1.1 requests, kept alive, until the client is done."""
        try:
            raw.settimeout(_HANDSHAKE_TIMEOUT_SECONDS)
            connection = base.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as error:
            LOG.debug("AWS TLS front: handshake failed: %s", error)
            raw.close()
            return
        try:
            _FrontRequestHandler(connection, connection.getpeername(), self)
        except (ssl.SSLError, OSError) as error:  # ConnectionError included: the client or the gateway went away
            LOG.debug("AWS TLS front: connection ended: %s", error)
        except Exception:  # noqa: BLE001 - as socketserver's policy: report, end this connection, serve the others
            LOG.exception("AWS TLS front: a request on this connection failed; the connection is closed")
        finally:
            connection.close()


_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"}
_MAX_LINE = 65536  # as http.server and http.client limit a request or header line
_NO_BODY_STATUSES = {204, 304}


class _FrontRequestHandler(BaseHTTPRequestHandler):
    """One client connection: each request handed over (its body read whole by `gateway_server.whole_body_length`'s
    rule, a `100 Continue` awaited answered first) or relayed, streaming, on a connection of its own to the gateway,
    which closes every connection after its answer (LocalStack's `Connection: close`): a client's TLS connection then
    serves many SDK calls, as AWS's endpoints do, instead of costing a handshake (and a CA bundle load) each."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = gateway_server.IDLE_SECONDS  # a kept-alive connection with no next request is closed after this
    wbufsize = _CHUNK  # an answer's head and the start of its body in one TLS record; flushed after each request
    server: TlsFront

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """LocalStack logs each request the gateway answers; the front adds nothing."""

    def handle_expect_100(self) -> bool:
        return True  # answered by _exchange: at once for a body read whole, as the gateway answers a relayed one

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method goes to the gateway, which answers the unknown ones
            return self._exchange
        raise AttributeError(name)

    def _exchange(self) -> None:
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in _HOP_HEADERS]
        front = self.server
        length = None if front.hand_over is None else gateway_server.whole_body_length(headers, continue_answered=True)
        if length is None:
            self._relay(headers)
            return
        if self._awaits_continue():
            self._send_continue()
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True  # the client left mid-body
            return
        answer = front.hand_over(self.command, self.path, headers, body, front.upstream_port)
        self._send_head(answer.status, answer.reason, answer.headers)
        self.wfile.write(answer.body)

    def _awaits_continue(self) -> bool:
        return self.request_version != "HTTP/1.0" and self.headers.get("Expect", "").strip().lower() == "100-continue"

    def _send_continue(self) -> None:
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.wfile.flush()

    def _send_head(self, status: int, reason: str, headers: list[tuple[str, str]]) -> None:
        """The answer's status line and end-to-end headers (a Date as the gateway's own server adds it)."""
        lines = [f"HTTP/1.1 {status} {reason}\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers if name.lower() not in _HOP_HEADERS]
        if not any(name.lower() == "date" for name, _ in headers):
            lines.append(f"Date: {formatdate(usegmt=True)}\r\n")
        if self.close_connection:
            lines.append("Connection: close\r\n")
        self.wfile.write(("".join(lines) + "\r\n").encode("latin-1"))

    def _relay(self, headers: list[tuple[str, str]]) -> None:
        with socket.create_connection((LOOPBACK, self.server.upstream_port)) as upstream:
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader, writer = upstream.makefile("rb"), upstream.makefile("wb")
            head = f"{self.command} {self.path} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
            writer.write(head.encode("latin-1"))
            writer.flush()
            status, reason, answer_headers = self._relay_body(reader, writer, headers)
            has_body = self.command != "HEAD" and status not in _NO_BODY_STATUSES
            framing = _framing(answer_headers)
            if has_body and framing is None:
                self.close_connection = True  # a body without length ends when the gateway closes: so does this connection
            self._send_head(status, reason, answer_headers)
            if has_body:
                _copy_body(reader, self.wfile, framing)

    def _relay_body(self, reader: Any, writer: Any, headers: list[tuple[str, str]]) -> tuple[int, str, list[tuple[str, str]]]:
        """The request body, client -> gateway (after the gateway's `100 Continue` when the client waits for one), then
        the gateway's final answer head. An answer that comes before the body ends this client connection after it."""
        if self._awaits_continue():
            status, reason, answer_headers = _read_head(reader)
            if status != 100:
                self.close_connection = True  # the client's body, sent or not, is never read
                return status, reason, answer_headers
            self._send_continue()
        try:
            _copy_body(self.rfile, writer, _framing(headers) or 0)  # a request without length or chunks has no body
            writer.flush()
        except BrokenPipeError:  # the gateway answered and closed before taking it all
            self.close_connection = True
        while True:
            status, reason, answer_headers = _read_head(reader)
            if status >= 200:
                return status, reason, answer_headers


def _read_head(reader: Any) -> tuple[int, str, list[tuple[str, str]]]:
    """An answer's status and headers, as the gateway sent them."""
    line = reader.readline(_MAX_LINE + 1).decode("latin-1")
    version, _, rest = line.rstrip("\r\n").partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or not code.isdigit():
        raise ConnectionError(f"the gateway answered {line[:200]!r}")
    return int(code), reason, http.client.parse_headers(reader).items()


def _framing(headers: list[tuple[str, str]]) -> int | str | None:
    """How a message's body is framed: "chunked", its Content-Length, or None (neither). The first of each header
    counts, as headers.get answers."""
    values = {name.lower(): value for name, value in reversed(headers)}
    if "chunked" in values.get("transfer-encoding", "").lower():
        return "chunked"
    if "content-length" in values:
        return int(values["content-length"].strip())
    return None


def _copy_body(source: Any, sink: Any, framing: int | str | None) -> None:
    """A message body as `_framing` found it framed (chunked: copied with its framing; None: to the end of `source`)."""
    if framing == "chunked":
        _copy_chunked(source, sink)
    elif framing is None:
        _copy_to_end(source, sink)
    else:
        _copy_exact(source, sink, framing)


def _copy_chunked(source: Any, sink: Any) -> None:
    while True:
        line = source.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise ConnectionError("a chunked body ended early")
        sink.write(line)
        size = int(line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (trailer := source.readline(_MAX_LINE + 1)) not in (b"\r\n", b"\n", b""):
                sink.write(trailer)
            sink.write(trailer)
            return
        _copy_exact(source, sink, size + 2)  # the chunk and its line end


def _copy_exact(source: Any, sink: Any, length: int) -> None:
    while length > 0:
        data = source.read(min(length, _CHUNK))
        if not data:
            raise ConnectionError(f"a body ended {length} bytes early")
        sink.write(data)
        length -= len(data)


def _copy_to_end(source: Any, sink: Any) -> None:
    while data := source.read1(_CHUNK):
        sink.write(data)


_FRONT: list[TlsFront] = []


def running_front() -> TlsFront | None:
    return _FRONT[0] if _FRONT else None


def gateway_port() -> int:
    from localstack import config

    return config.GATEWAY_LISTEN[0].port


def describe_endpoints(request: Request) -> Response:
    """`GET /_harness/aws-endpoints`: where AWS hostnames are answered (for the test process and the browser)."""
    front = running_front()
    if front is None:
        return Response(json.dumps({"message": "the AWS TLS front is not running"}), status=503, mimetype="application/json")
    ca = ensure_ca()
    document = {"https": f"{LOOPBACK}:{front.port}", "http": f"{LOOPBACK}:{gateway_port()}", "address": AWS_ADDRESS,
                "ca_certificate": str(ca.certificate), "leaf_spki_sha256": ca.leaf_spki_sha256()}
    return Response(json.dumps(document), status=200, mimetype="application/json")


def redirect_aws_hostnames(env: dict[str, str], function_variables: dict[str, str]) -> dict[str, str]:
    """A Lambda process's environment with its AWS hostnames sent here (`preload.lambda_environment`), and without
    the `AWS_ENDPOINT_URL` LocalStack adds (AWS sets none; with it SDKs build URLs AWS never sees, e.g.
    `http://assets.cruddur.com.127.0.0.1:<port>/`), unless the function sets it itself. Unchanged, with a log
    line, when the front or the library is missing."""
    from harness.endpoints.preload import lambda_environment

    front = running_front()
    if front is None or not library_path().is_file():
        LOG.warning("AWS hostnames will not reach the engine from Lambda processes: the TLS front or %s is missing",
                    library_path())
        return env
    redirected = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL" or "AWS_ENDPOINT_URL" in function_variables}
    return redirected | lambda_environment(library_path(), ensure_ca(), f"{LOOPBACK}:{front.port}",
                                           f"{LOOPBACK}:{gateway_port()}", existing_preload=env.get("LD_PRELOAD", ""))


@hooks.on_infra_start()
def start_aws_tls_front() -> None:
    """Only with the harness's host executor: in Docker, LocalStack's own DNS server and certificate do this job."""
    from localstack import config
    from localstack.services.edge import ROUTER

    if config.LAMBDA_RUNTIME_EXECUTOR != "harness":
        return
    ca = ensure_ca()
    try:
        ensure_library()
    except Exception as error:  # noqa: BLE001 - the engine still runs; Lambdas then meet AWS hostnames unresolved
        LOG.error("AWS hostnames inside Lambda: %s", error)
    _FRONT.append(TlsFront(ca, gateway_port(), in_process_gateway.dispatch).start())
    ROUTER.add(ENDPOINTS_PATH, endpoint=describe_endpoints, methods=["GET"])

"""(Runs inside LocalStack.) The TLS front that AWS hostnames reach: `https://<anything>.amazonaws.com` -> the gateway.

An `on_infra_start` hook starts it on `127.0.0.1:<free port>`. Connections come from Lambda processes (the LD_PRELOAD
library sends `<AWS hostname>:443` here), from the test process and from Chromium (`harness.library.aws_endpoints`).
TLS ends here with a certificate for the name the client asked for (SNI), issued by the harness CA on first use and
kept; each HTTP/1.1 request then goes to LocalStack's gateway as it came (method, target, every end-to-end header:
`Host: <bucket>.s3.amazonaws.com`, the SigV4 signature), and LocalStack routes it by them: handed over in-process
(`in_process_gateway`) when its body is read whole (`gateway_server.whole_body_length`: up to 1 MiB, not chunked;
a client waiting for `100 Continue` gets it from the front at once, as the gateway's own server sends it before the
request reaches LocalStack), else relayed, streaming, to the gateway's port. SDKs send `Expect: 100-continue` with
S3 uploads (the AWS SDK for JavaScript with each PutObject): relayed, each cost a loopback connection and the gateway
server's HTTP parse besides the front's own.
Only AWS hostnames get a certificate of their own; any other name is answered with the `amazonaws.com` one,
which the client refuses. `GET /_harness/aws-endpoints` tells the test process where the front listens.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from pathlib import Path

import h11
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
_DISPATCHERS = 64  # requests handed to the gateway at once (a function's SDK call can wait long: Lambda Invoke)


class TlsFront:
    """TLS on a loopback port with per-name certificates; HTTP/1.1 requests relayed to the gateway at `upstream_port`."""

    def __init__(self, ca: HarnessCa, upstream_port: int, workdir: Path, hand_over: HandOver | None = None) -> None:
        """`hand_over`: how a request read whole reaches the gateway in-process (None: every request is relayed)."""
        self._ca, self._upstream_port, self._workdir, self._hand_over = ca, upstream_port, workdir, hand_over
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._dispatchers = ThreadPoolExecutor(_DISPATCHERS, thread_name_prefix="aws-tls-front")
        self.port = 0

    def start(self) -> "TlsFront":
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), name="harness-aws-tls-front", daemon=True).start()
        if not ready.wait(timeout=10) or not self.port:
            raise RuntimeError("the AWS TLS front did not start listening")
        return self

    def stop(self) -> None:
        """Stop listening and end the loop (LocalStack's process ends it with itself; tests call this)."""
        self._loop.call_soon_threadsafe(self._loop.stop)

    def context_for(self, server_name: str | None) -> ssl.SSLContext:
        hostname = server_name if server_name and is_aws_hostname(server_name) else DEFAULT_NAME
        key = certificate_names(hostname)[0]  # one certificate per name AWS's certificates cover
        with self._lock:
            if key not in self._contexts:
                pem = self._workdir / f"{key.replace('*', '_')}.pem"
                pem.write_bytes(self._ca.issue(hostname))
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(pem, self._ca.leaf_key)
                context.set_alpn_protocols(["http/1.1"])  # the gateway speaks HTTP/1.1 to us; so must the client
                self._contexts[key] = context
            return self._contexts[key]

    # -- internals --------------------------------------------------------------------------------
    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        base = self.context_for(DEFAULT_NAME)
        base.sni_callback = self._on_sni
        server = self._loop.run_until_complete(asyncio.start_server(
            self._serve, LOOPBACK, 0, ssl=base, ssl_handshake_timeout=_HANDSHAKE_TIMEOUT_SECONDS))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self._loop.run_forever()
        server.close()

    def _on_sni(self, connection: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
        connection.context = self.context_for(server_name)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """HTTP/1.1 with the client, kept alive; each request on a connection of its own to the gateway, which closes
        every connection after its response (LocalStack's `Connection: close`): a client's TLS connection then serves
        many SDK calls, as AWS's endpoints do, instead of costing a handshake (and a CA bundle load) each."""
        client = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_HEAD_BYTES)
        try:
            while isinstance(request := await _next_event(client, client_reader), h11.Request):
                await self._exchange(client, client_reader, client_writer, request)
                if client.our_state is not h11.DONE or client.their_state is not h11.DONE:
                    break
                client.start_next_cycle()
        except (h11.ProtocolError, ConnectionError, ssl.SSLError, OSError) as error:
            LOG.debug("AWS TLS front: connection ended: %s", error)
        finally:
            client_writer.close()

    async def _exchange(self, client: h11.Connection, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter,
                        request: h11.Request) -> None:
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in _end_to_end_headers(request)]
        # read whole by `gateway_server.whole_body_length`'s rule (a Content-Length within the limit or no body, not
        # chunked), a `100 Continue` awaited answered here; hop-by-hop headers have no part in it
        if self._hand_over is None or gateway_server.whole_body_length(headers, continue_answered=True) is None:
            await self._relay(client, client_reader, client_writer, request)
            return
        if client.client_is_waiting_for_100_continue:
            client_writer.write(client.send(h11.InformationalResponse(status_code=100, headers=[])))
        body = await _whole_body(client, client_reader)
        if body is None:
            return  # the client left mid-body
        answer = await self._loop.run_in_executor(
            self._dispatchers, self._hand_over, request.method.decode("latin-1"), request.target.decode("latin-1"),
            headers, body, self._upstream_port)
        answer_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
                          if name.lower().encode("latin-1") not in _HOP_HEADERS]
        if not any(name.lower() == b"date" for name, _ in answer_headers):
            answer_headers.append((b"Date", formatdate(usegmt=True).encode()))  # as the gateway's own server adds it
        client_writer.write(client.send(h11.Response(status_code=answer.status, reason=answer.reason.encode("latin-1"),
                                                     headers=answer_headers)))
        if answer.body:
            client_writer.write(client.send(h11.Data(data=answer.body)))
        client_writer.write(client.send(h11.EndOfMessage()))
        await client_writer.drain()

    async def _relay(self, client: h11.Connection, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter,
                     request: h11.Request) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(LOOPBACK, self._upstream_port)
        upstream = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD_BYTES)
        try:
            upstream_writer.write(upstream.send(h11.Request(method=request.method, target=request.target,
                                                            headers=_end_to_end_headers(request))))
            body = asyncio.ensure_future(_relay_body(client, client_reader, upstream, upstream_writer))
            try:
                await _relay_response(upstream, upstream_reader, client, client_writer)
            finally:
                if client.their_state is h11.SEND_BODY:  # answered before the body ended: this connection ends here
                    body.cancel()
                else:
                    await body
        finally:
            upstream_writer.close()


_HOP_HEADERS = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
_MAX_HEAD_BYTES = 64 * 1024


def _end_to_end_headers(message: h11.Request | h11.Response | h11.InformationalResponse) -> list[tuple[bytes, bytes]]:
    """The message's headers but the hop-by-hop ones, names spelled as they came."""
    return [(name, value) for name, value in message.headers.raw_items() if name.lower() not in _HOP_HEADERS]


async def _whole_body(client: h11.Connection, client_reader: asyncio.StreamReader) -> bytes | None:
    """The request body to its end; None when the client closed before it."""
    chunks = []
    while not isinstance(event := await _next_event(client, client_reader), (h11.EndOfMessage, h11.ConnectionClosed)):
        chunks.append(bytes(event.data))
    return None if isinstance(event, h11.ConnectionClosed) else b"".join(chunks)


async def _next_event(connection: h11.Connection, reader: asyncio.StreamReader):
    while (event := connection.next_event()) is h11.NEED_DATA:
        connection.receive_data(await reader.read(_CHUNK))
    return event


async def _relay_body(client: h11.Connection, client_reader: asyncio.StreamReader, upstream: h11.Connection,
                      upstream_writer: asyncio.StreamWriter) -> None:
    """The request body, client -> gateway, to its end (what comes after the gateway stopped reading is dropped)."""
    while not isinstance(event := await _next_event(client, client_reader), (h11.EndOfMessage, h11.ConnectionClosed)):
        if upstream.our_state is h11.SEND_BODY:
            upstream_writer.write(upstream.send(event))
            await upstream_writer.drain()
    if isinstance(event, h11.ConnectionClosed):
        upstream_writer.close()  # the client left mid-body: so does the request to the gateway
    elif upstream.our_state is h11.SEND_BODY:
        upstream_writer.write(upstream.send(event))


async def _relay_response(upstream: h11.Connection, upstream_reader: asyncio.StreamReader, client: h11.Connection,
                          client_writer: asyncio.StreamWriter) -> None:
    """100 Continue, the response head and body, gateway -> client, without the gateway's `Connection: close`."""
    while True:
        event = await _next_event(upstream, upstream_reader)
        if isinstance(event, h11.InformationalResponse):
            client_writer.write(client.send(h11.InformationalResponse(status_code=event.status_code,
                                                                      headers=_end_to_end_headers(event))))
        elif isinstance(event, h11.Response):
            client_writer.write(client.send(h11.Response(status_code=event.status_code, reason=event.reason,
                                                         headers=_end_to_end_headers(event))))
        elif isinstance(event, h11.Data):
            client_writer.write(client.send(event))
        elif isinstance(event, h11.EndOfMessage):
            client_writer.write(client.send(h11.EndOfMessage()))
            await client_writer.drain()
            return
        else:  # the gateway closed mid-response: the client's connection cannot go on either
            raise ConnectionError(f"the gateway ended the response early ({event!r})")
        await client_writer.drain()


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
    _FRONT.append(TlsFront(ca, gateway_port(), Path(tempfile.mkdtemp(prefix="aws-tls-front-")), in_process_gateway.dispatch).start())
    ROUTER.add(ENDPOINTS_PATH, endpoint=describe_endpoints, methods=["GET"])

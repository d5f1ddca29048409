"""(Runs inside LocalStack.) The TLS front that AWS hostnames reach: `https://<anything>.amazonaws.com` -> the gateway.

An `on_infra_start` hook starts it on `127.0.0.1:<free port>`. Connections come from Lambda processes (the LD_PRELOAD
library sends `<AWS hostname>:443` here), from the test process and from Chromium (`harness.endpoints.client`).
TLS ends here with a certificate for the name the client asked for (SNI), issued by the harness CA on first use and
kept; the plain bytes then go, unchanged, to LocalStack's own gateway port: the HTTP request keeps its
`Host: <bucket>.s3.amazonaws.com`, its SigV4 signature and its headers, and LocalStack routes it by them.
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
from pathlib import Path

from localstack.http import Request, Response
from localstack.runtime import hooks

from harness.endpoints.ca import HarnessCa, certificate_names, ensure_ca
from harness.endpoints.preload import AWS_ADDRESS, ensure_library, library_path

LOG = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
ENDPOINTS_PATH = "/_harness/aws-endpoints"
DEFAULT_NAME = "amazonaws.com"
_CHUNK = 256 * 1024
_HANDSHAKE_TIMEOUT_SECONDS = 10


def is_aws_hostname(name: str) -> bool:
    """`amazonaws.com` or a name under it (the same rule as the LD_PRELOAD library's)."""
    name = name.rstrip(".").lower()
    return name == DEFAULT_NAME or name.endswith("." + DEFAULT_NAME)


class TlsFront:
    """TLS on a loopback port, per-name certificates, bytes piped to `upstream_port`."""

    def __init__(self, ca: HarnessCa, upstream_port: int, workdir: Path) -> None:
        self._ca, self._upstream_port, self._workdir = ca, upstream_port, workdir
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self.port = 0

    def start(self) -> "TlsFront":
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), name="harness-aws-tls-front", daemon=True).start()
        if not ready.wait(timeout=10) or not self.port:
            raise RuntimeError("the AWS TLS front did not start listening")
        return self

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

    def _on_sni(self, connection: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
        connection.context = self.context_for(server_name)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(LOOPBACK, self._upstream_port)
        except OSError as error:
            LOG.warning("AWS TLS front: gateway port %s unreachable: %s", self._upstream_port, error)
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        writer.close()


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
    _FRONT.append(TlsFront(ca, gateway_port(), Path(tempfile.mkdtemp(prefix="aws-tls-front-"))).start())
    ROUTER.add(ENDPOINTS_PATH, endpoint=describe_endpoints, methods=["GET"])

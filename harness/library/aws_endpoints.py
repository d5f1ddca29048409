"""(Test process.) URLs on AWS hostnames that code under test hands out (a presigned PUT on
`https://<bucket>.s3.amazonaws.com/...`) reach the engine's TLS front from the test process and from Chromium.

`AwsEndpoints.of_engine(url)` asks an engine where its front listens (`GET /_harness/aws-endpoints`); `activate` makes
`harness.library.http` send `https://*.amazonaws.com` there (connecting to the front, with the URL's own host as SNI and
`Host`, verifying against the harness CA), until `deactivate`. Other URLs are untouched. For other clients:
`curl_arguments` (`--connect-to`, `--cacert`), `process_environment` (the Lambda mechanism for any process:
curl, requests, the AWS CLI) and `chromium_arguments` (`--host-resolver-rules` + the leaf key's SPKI hash).
"""

from __future__ import annotations

import functools
import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from harness.endpoints.ca import HarnessCa, ensure_ca, is_aws_hostname
from harness.endpoints.preload import ensure_library, lambda_environment
from harness.shared import emulator_api

def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


@dataclass(frozen=True)
class AwsEndpoints:
    """Where one engine answers AWS hostnames: `https` (the TLS front) and `http` (its gateway), as host:port."""

    https: str
    http: str
    ca: HarnessCa
    leaf_spki_sha256: str

    @classmethod
    def of_engine(cls, endpoint_url: str, timeout: float = 10) -> "AwsEndpoints | None":
        """The engine's answer, or None when it has no front (an engine without the harness's hooks)."""
        try:
            with urllib.request.urlopen(f"{endpoint_url}{emulator_api.AWS_ENDPOINTS_PATH}", timeout=timeout) as response:
                document = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError):  # 404 from an engine without our hooks, or not an engine
            return None
        return cls(document["https"], document["http"], HarnessCa(Path(document["ca_certificate"]).parent),
                   document["leaf_spki_sha256"])

    def curl_arguments(self) -> list[str]:
        """`curl <these> https://<bucket>.s3.amazonaws.com/...`: any host's port 443 to the front, the CA trusted."""
        return ["--connect-to", f"::{self.https}", "--cacert", str(self.ca.certificate)]

    def process_environment(self) -> dict[str, str]:
        """The variables the Lambda processes get: with them any dynamically linked program's AWS hostnames reach
        the engine (`env $(...) curl https://...`, `requests`, the AWS CLI without --endpoint-url)."""
        return lambda_environment(ensure_library(), ensure_ca(self.ca.directory), self.https, self.http)

    def chromium_arguments(self) -> list[str]:
        """Chromium resolves `*.amazonaws.com` (port 443 included) to the front and accepts its leaf key."""
        return [f"--host-resolver-rules=MAP *.amazonaws.com {self.https}, MAP amazonaws.com {self.https}",
                f"--ignore-certificate-errors-spki-list={self.leaf_spki_sha256}"]

    def opener(self) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener(_FrontHttpsHandler(_address(self.https), self.ca.client_context()))


class _FrontHttpsConnection(http.client.HTTPSConnection):
    """An HTTPS connection to `front` that presents the URL's host (SNI, certificate check, Host header)."""

    def __init__(self, host: str, *, front: tuple[str, int], context: ssl.SSLContext, **kwargs) -> None:
        super().__init__(host, context=context, **kwargs)
        self._front, self._front_context = front, context

    def connect(self) -> None:
        sock = socket.create_connection(self._front, self.timeout)
        self.sock = self._front_context.wrap_socket(sock, server_hostname=self.host)


class _FrontHttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, front: tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._front, self._front_context = front, context

    def https_open(self, request: urllib.request.Request):
        host = urlsplit(request.full_url).hostname
        if not is_aws_hostname(host):
            return super().https_open(request)
        return self.do_open(functools.partial(_FrontHttpsConnection, front=self._front, context=self._front_context), request)


_ACTIVE: list[AwsEndpoints] = []


def activate(endpoints: AwsEndpoints | None) -> None:
    """`harness.library.http` sends `https://*.amazonaws.com` to these endpoints (None: to the real hosts)."""
    _ACTIVE[:] = [endpoints] if endpoints else []


def deactivate() -> None:
    _ACTIVE.clear()


def active() -> AwsEndpoints | None:
    return _ACTIVE[0] if _ACTIVE else None


def opener_for(url: str) -> urllib.request.OpenerDirector | None:
    """The opener for `url` when it is an https URL on an AWS hostname and an engine answers those; else None."""
    endpoints = active()
    parts = urlsplit(url)
    if endpoints is None or parts.scheme != "https" or not is_aws_hostname(parts.hostname):
        return None
    return endpoints.opener()

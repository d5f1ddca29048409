"""A CloudFront-like distribution in front of an S3 origin (the Cruddur assets bucket), on loopback.

`GET/HEAD /<key>` answers the object with Content-Type, ETag, Last-Modified and Cache-Control;
`If-None-Match` with the current ETag gives 304; a missing key gives 404 (CloudFront passes S3's
NoSuchKey through when the origin may list the bucket), a denied one 403; methods other than GET,
HEAD and OPTIONS give 403, as a distribution with the default allowed methods answers.
"""

from __future__ import annotations

import threading
from datetime import timezone
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

DEFAULT_CACHE_CONTROL = "public, max-age=86400"
_ERROR_BODY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"


class _CdnHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_CdnServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: scenarios assert on responses, not on access logs."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve_or_502(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._serve_or_502(send_body=False)

    def _serve_or_502(self, send_body: bool) -> None:
        try:
            self._serve(send_body)
        except Exception as error:  # noqa: BLE001 - the origin failed: CloudFront answers 502, it does not hang up
            self._error(HTTPStatus.BAD_GATEWAY, "OriginError", f"{type(error).__name__}: {error}")

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._error(HTTPStatus.FORBIDDEN, "MethodNotAllowed", "This distribution is not configured to allow the HTTP request method")

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _serve(self, send_body: bool) -> None:
        key = unquote(urlsplit(self.path).path.lstrip("/"))
        distribution = self.server.distribution
        try:
            obj = distribution.s3.get_object(Bucket=distribution.bucket, Key=key)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            status = HTTPStatus.NOT_FOUND if code in ("NoSuchKey", "404") else HTTPStatus.FORBIDDEN
            self._error(status, code, error.response["Error"].get("Message", code))
            return
        body = obj["Body"].read()
        headers = {
            "Content-Type": obj.get("ContentType", "binary/octet-stream"),
            "ETag": obj["ETag"],
            "Last-Modified": format_datetime(obj["LastModified"].astimezone(timezone.utc), usegmt=True),
            "Cache-Control": distribution.cache_control,
            "X-Cache": "Miss from cloudfront",
        }
        if self.headers.get("If-None-Match") == obj["ETag"]:
            self._send(HTTPStatus.NOT_MODIFIED, {k: v for k, v in headers.items() if k != "Content-Type"}, b"", False)
            return
        self._send(HTTPStatus.OK, headers, body, send_body)

    def _error(self, status: HTTPStatus, code: str, message: str) -> None:
        body = _ERROR_BODY.format(code=code, message=message).encode()
        self._send(status, {"Content-Type": "application/xml", "X-Cache": "Error from cloudfront"}, body, True)

    def _send(self, status: HTTPStatus, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class _CdnServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, distribution: "CdnDistribution", port: int) -> None:
        self.distribution = distribution
        super().__init__(("127.0.0.1", port), _CdnHandler)  # loopback only


class CdnDistribution:
    """`with CdnDistribution(s3, "assets.cruddur.com") as cdn: cdn.url` -> http://127.0.0.1:<port>."""

    def __init__(self, s3: Any, bucket: str, cache_control: str = DEFAULT_CACHE_CONTROL, port: int = 0) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.cache_control = cache_control
        self._server = _CdnServer(self, port)
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"cdn-{bucket}", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "CdnDistribution":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "CdnDistribution":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

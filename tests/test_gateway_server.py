"""The engine's gateway server (harness.localstack_plugins.gateway_server): HTTP/1.1 connections kept alive where
the request body is read whole before the app runs, closed after the answer where it is streamed, and never a body
byte taken for the next request line (issue 13)."""

from __future__ import annotations

import contextlib
import gc
import socket
import socketserver
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO
from urllib.parse import urlsplit

import pytest
from werkzeug.wrappers import Request

from harness.localstack_plugins.gateway_server import (
    COALESCED_BODY_LIMIT,
    KeepAliveRequestHandler,
    PooledWSGIServer,
    whole_body_length,
)

pytestmark = pytest.mark.emulator_only("the engine's own HTTP server")


def connect(endpoint_url: str) -> socket.socket:
    parts = urlsplit(endpoint_url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def request(method: str, url: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    if body and not any(k.lower() == "transfer-encoding" for k in headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_answer(stream: BinaryIO, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One answer framed by its Content-Length or chunked encoding (what a keep-alive client relies on)."""
    status = int(stream.readline().split()[1])
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    if method == "HEAD" or status in (204, 304):
        return status, headers, b""
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while (size := int(stream.readline().strip(), 16)):
            body += stream.read(size)
            stream.readline()
        stream.readline()
        return status, headers, body
    return status, headers, stream.read(int(headers.get("content-length", "0")))


@pytest.fixture
def bucket(s3_bucket_factory, aws_client) -> str:
    name = s3_bucket_factory("gateway-server")
    aws_client.s3.put_object(Bucket=name, Key="kept.txt", Body=b"kept")
    return name


def presigned(aws_client, method: str, bucket: str, key: str) -> str:
    return aws_client.s3.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)


def test_one_connection_serves_requests_with_bodies_one_after_another(localstack_engine, aws_client, bucket):
    """behaviour.md "S3": a presigned PUT then GET, and a HEAD, all on one connection, each answered in full."""
    with connect(localstack_engine.endpoint_url) as connection, connection.makefile("rb") as answers:
        connection.sendall(request("PUT", presigned(aws_client, "put_object", bucket, "a.txt"), body=b"first body"))
        status, headers, _ = read_answer(answers)
        assert status == 200 and headers.get("connection") != "close"
        connection.sendall(request("GET", presigned(aws_client, "get_object", bucket, "a.txt")))
        assert read_answer(answers)[::2] == (200, b"first body")
        connection.sendall(request("HEAD", presigned(aws_client, "head_object", bucket, "kept.txt")))
        status, headers, _ = read_answer(answers, "HEAD")
        assert status == 200 and headers["content-length"] == "4"


def test_two_requests_sent_at_once_are_answered_in_order(localstack_engine, aws_client, bucket):
    with connect(localstack_engine.endpoint_url) as connection, connection.makefile("rb") as answers:
        connection.sendall(request("PUT", presigned(aws_client, "put_object", bucket, "b.txt"), body=b"pipelined")
                           + request("GET", presigned(aws_client, "get_object", bucket, "b.txt")))
        assert read_answer(answers)[0] == 200
        assert read_answer(answers)[::2] == (200, b"pipelined")


def test_a_body_the_answer_never_read_is_not_taken_for_the_next_request(localstack_engine, aws_client, bucket):
    """An anonymous PUT is refused (behaviour.md "S3": private by default) without its body being used; the next
    request on the connection is parsed from its own first byte."""
    url = presigned(aws_client, "put_object", bucket, "refused.txt").split("?")[0]
    with connect(localstack_engine.endpoint_url) as connection, connection.makefile("rb") as answers:
        connection.sendall(request("PUT", url, body=b"GET /not-a-request-line HTTP/1.1\r\n\r\n"))
        assert read_answer(answers)[0] == 403
        connection.sendall(request("GET", presigned(aws_client, "get_object", bucket, "kept.txt")))
        assert read_answer(answers)[::2] == (200, b"kept")


def test_a_chunked_body_is_streamed_to_the_app_and_its_connection_closed_after_the_answer(localstack_engine, aws_client, bucket):
    url = presigned(aws_client, "put_object", bucket, "chunked.txt")
    with connect(localstack_engine.endpoint_url) as connection, connection.makefile("rb") as answers:
        connection.sendall(request("PUT", url, {"Transfer-Encoding": "chunked"}, b"7\r\nchunked\r\n0\r\n\r\n"))
        status, headers, _ = read_answer(answers)
        assert status == 200 and headers["connection"] == "close"
        assert answers.read(1) == b""  # closed by the server
    assert aws_client.s3.get_object(Bucket=bucket, Key="chunked.txt")["Body"].read() == b"chunked"


def test_a_request_awaiting_100_continue_gets_it_and_its_connection_is_kept_alive(localstack_engine, aws_client, bucket):
    """boto3 sends `Expect: 100-continue` with every S3 PutObject: one `100 Continue`, the answer, and the connection
    serves the next request (it was closed after each such answer)."""
    url = presigned(aws_client, "put_object", bucket, "continued.txt")
    with connect(localstack_engine.endpoint_url) as connection, connection.makefile("rb") as answers:
        connection.sendall(request("PUT", url, {"Expect": "100-continue", "Content-Length": "9"}))
        assert answers.readline() == b"HTTP/1.1 100 Continue\r\n" and answers.readline() == b"\r\n"
        connection.sendall(b"continued")
        status, headers, _ = read_answer(answers)
        assert status == 200 and headers.get("connection") != "close"
        connection.sendall(request("GET", presigned(aws_client, "get_object", bucket, "continued.txt")))
        assert read_answer(answers)[::2] == (200, b"continued")


def test_an_sdk_put_object_reuses_its_pooled_connection(localstack_engine, aws_client, bucket):
    answers = [aws_client.s3.put_object(Bucket=bucket, Key=f"pooled-{n}.txt", Body=b"pooled")["ResponseMetadata"]
               for n in range(2)]
    assert [answer["HTTPHeaders"].get("connection") for answer in answers] == [None, None]


def test_a_large_body_awaiting_100_continue_is_streamed_to_the_app_and_its_connection_closed(localstack_engine, aws_client, bucket):
    url = presigned(aws_client, "put_object", bucket, "large.bin")
    body = b"x" * (1024 * 1024 + 1)
    with connect(localstack_engine.endpoint_url) as connection, connection.makefile("rb") as answers:
        connection.sendall(request("PUT", url, {"Expect": "100-continue", "Content-Length": str(len(body))}))
        assert answers.readline() == b"HTTP/1.1 100 Continue\r\n" and answers.readline() == b"\r\n"
        connection.sendall(body)
        status, headers, _ = read_answer(answers)
        assert status == 200 and headers["connection"] == "close"
    assert aws_client.s3.head_object(Bucket=bucket, Key="large.bin")["ContentLength"] == len(body)


@pytest.mark.parametrize("headers, length", [
    ([], 0),
    ([("Content-Length", "9")], 9),
    ([("content-length", " 9 "), ("Content-Length", "12")], 9),  # the first, as http.server's headers.get answers
    ([("Content-Length", str(1024 * 1024))], 1024 * 1024),
    ([("Content-Length", str(1024 * 1024 + 1))], None),
    ([("Transfer-Encoding", "chunked")], None),
    ([("Content-Length", "9"), ("Expect", "100-Continue")], None),
    ([("Content-Length", "-1")], None),
])
def test_whole_body_length_is_the_one_rule_of_the_server_and_the_tls_front(headers, length):
    assert whole_body_length(headers) == length


def test_a_reader_that_answers_100_continue_itself_reads_that_body_whole():
    """The AWS TLS front: it sends `100 Continue` before it reads; the other limits still hold."""
    assert whole_body_length([("Content-Length", "9"), ("Expect", "100-continue")], continue_answered=True) == 9
    assert whole_body_length([("Transfer-Encoding", "chunked"), ("Expect", "100-continue")], continue_answered=True) is None
    assert whole_body_length([("Content-Length", str(1024 * 1024 + 1)), ("Expect", "100-continue")], continue_answered=True) is None


@contextlib.contextmanager
def stand_alone_server(app: Callable[..., Iterable[bytes]]) -> Iterator[tuple[str, int]]:
    """The engine's server class and request handler, serving `app` in this process on a free loopback port."""
    server = PooledWSGIServer("127.0.0.1", 0, app, KeepAliveRequestHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server.server_address
    finally:
        server.shutdown()
        server.server_close()


def test_a_request_is_freed_once_answered_not_at_some_later_garbage_collection():
    """werkzeug's Request and its environ refer to each other; the server breaks that cycle after each answer, so a
    request and its body go at once (a kept-alive connection, with the collector off, as if none ran for long)."""
    freed = threading.Event()
    requests: list[weakref.ref] = []

    def app(environ, start_response):
        received = Request(environ)
        received.get_data()  # the body, kept on the request
        requests.append(weakref.ref(received, lambda _: freed.set()))
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    with stand_alone_server(app) as address:
        gc.disable()
        try:
            with socket.create_connection(address, timeout=10) as connection:
                connection.sendall(request("PUT", f"http://127.0.0.1:{address[1]}/code", body=b"x" * 1_000_000))
                assert read_answer(connection.makefile("rb"))[0] == 200
                assert freed.wait(5), "the request outlived its answer"
        finally:
            gc.enable()


def sends_per_answer(monkeypatch, app: Callable[..., Iterable[bytes]], method: str = "GET") -> list[bytes]:
    """What the server's writer sent, one item per send, for one request to `app`."""
    sent: list[bytes] = []
    write = socketserver._SocketWriter.write
    monkeypatch.setattr(socketserver._SocketWriter, "write", lambda writer, data: (sent.append(bytes(data)), write(writer, data))[1])
    with stand_alone_server(app) as address, socket.create_connection(address, timeout=10) as connection:
        connection.sendall(request(method, f"http://127.0.0.1:{address[1]}/answer"))
        read_answer(connection.makefile("rb"), method)
    return sent


def test_an_answers_headers_go_out_in_the_same_send_as_its_body(monkeypatch):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "4")])
        return [b"body"]

    (sent,) = sends_per_answer(monkeypatch, app)
    assert sent.startswith(b"HTTP/1.1 200 OK\r\n") and sent.endswith(b"\r\n\r\nbody")


def test_a_large_body_is_not_copied_to_go_with_its_headers(monkeypatch):
    """Above COALESCED_BODY_LIMIT the headers go first, then the body as it was given (no copy of it is made)."""
    body = b"x" * (COALESCED_BODY_LIMIT + 1)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    headers, sent = sends_per_answer(monkeypatch, app)
    assert headers.startswith(b"HTTP/1.1 200 OK\r\n") and headers.endswith(b"\r\n\r\n") and sent == body


def test_the_headers_of_an_answer_without_body_go_out_at_once(monkeypatch):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "4")])
        return []

    (sent,) = sends_per_answer(monkeypatch, app, "HEAD")
    assert sent.startswith(b"HTTP/1.1 200 OK\r\n") and sent.endswith(b"\r\n\r\n")


def test_each_part_of_a_streamed_answer_goes_out_as_it_comes(monkeypatch):
    """A part is not held back until the next one is made: the first goes with the headers, then one send each."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "10")])
        yield b"first"
        yield b"later"

    sent = sends_per_answer(monkeypatch, app)
    assert len(sent) == 2 and sent[0].endswith(b"\r\n\r\nfirst") and sent[1] == b"later"


def test_date_header_is_made_once_per_second_as_http_server_makes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import email.utils
    import http.server
    import time

    from harness.localstack_plugins.gateway_server import http_date

    now = 1_764_720_000.25
    monkeypatch.setattr(time, "time", lambda: now)
    http_date.cache_clear()
    calls: list[float] = []
    formatdate = email.utils.formatdate
    monkeypatch.setattr(email.utils, "formatdate",
                        lambda *args, **kwargs: calls.append(args[0]) or formatdate(*args, **kwargs))
    handler = KeepAliveRequestHandler.__new__(KeepAliveRequestHandler)
    answers = [handler.date_time_string() for _ in range(3)]
    assert answers == [formatdate(int(now), usegmt=True)] * 3 == ["Wed, 03 Dec 2025 00:00:00 GMT"] * 3
    assert calls == [int(now)]  # once for the second, not once per answer
    assert handler.date_time_string(0) == http.server.BaseHTTPRequestHandler.date_time_string(handler, 0)

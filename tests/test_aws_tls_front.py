"""The AWS TLS front's HTTP/1.1 relay (harness/localstack_plugins/aws_tls_front.py), against a stand-in gateway that, like
LocalStack's, answers `Connection: close` and closes: keep-alive towards the client, 100 Continue, chunked bodies, an
answer sent before the body, an answer's framing, SNI certificates, a handshake that never comes; and the in-process
hand-over."""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest

from harness.endpoints.ca import HarnessCa, ensure_ca
from harness.localstack_plugins.aws_tls_front import TlsFront
from tests.python_probe import run_probe


class StandInGateway:
    """Reads one request per connection (head, then its Content-Length or chunked body), answers, closes."""

    def __init__(self, answer_before_body: bool = False, raw_answer: bytes = b"") -> None:
        self.answer_before_body, self.raw_answer = answer_before_body, raw_answer
        self.requests: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._serving = threading.Thread(target=self._serve, daemon=True)
        self._serving.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:  # closed
                return
            with connection:
                self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        head = _read_head(reader)
        if b"expect: 100-continue" in head.lower() and not self.answer_before_body:
            connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = b"" if self.answer_before_body else _read_body(reader, head)
        self.requests.append(head + body)
        if self.raw_answer:
            connection.sendall(self.raw_answer)
            return
        status = b"403 Forbidden" if self.answer_before_body else b"200 OK"
        payload = b"echo:" + body
        connection.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(payload)).encode()
                           + b"\r\nConnection: close\r\n\r\n" + payload)


    def close(self) -> None:
        """As TlsFront.stop: the accepting thread ends before the descriptor is freed, else it could accept on the
        next test's socket that got the same number, and answer that test's requests as this gateway."""
        try:
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._serving.join(5)
        self._server.close()


def _read_head(reader) -> bytes:
    lines = []
    while (line := reader.readline()) not in (b"\r\n", b""):
        lines.append(line)
    return b"".join(lines)


def _read_body(reader, head: bytes) -> bytes:
    headers = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
    headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
    if headers.get(b"transfer-encoding") == b"chunked":
        body = b""
        while (size := int(reader.readline().strip(), 16)) > 0:
            body += reader.read(size)
            reader.readline()
        reader.readline()
        return body
    return reader.read(int(headers.get(b"content-length", b"0")))


@pytest.fixture
def front_to() -> Iterator:
    fronts: list[TlsFront] = []

    gateways: list[StandInGateway] = []

    def make(gateway: StandInGateway) -> TlsFront:
        gateways.append(gateway)
        fronts.append(TlsFront(ensure_ca(), gateway.port).start())
        return fronts[-1]

    yield make
    for front in fronts:
        front.stop()
    for gateway in gateways:
        gateway.close()


def connect(front: TlsFront, hostname: str) -> http.client.HTTPSConnection:
    connection = http.client.HTTPSConnection(hostname, timeout=10)
    raw = socket.create_connection(("127.0.0.1", front.port), timeout=10)
    connection.sock = ensure_ca().client_context().wrap_socket(raw, server_hostname=hostname)
    return connection


def test_one_client_connection_carries_many_requests_though_the_gateway_closes_each(front_to):
    gateway = StandInGateway()
    connection = connect(front_to(gateway), "sts.amazonaws.com")
    answers = []
    for body in (b"one", b"two", b"three"):
        connection.request("POST", "/", body=body, headers={"Content-Type": "text/plain"})
        response = connection.getresponse()
        answers.append((response.status, response.read(), response.getheader("connection")))
    assert answers == [(200, b"echo:one", None), (200, b"echo:two", None), (200, b"echo:three", None)]
    assert len(gateway.requests) == 3 and all(b"Host: sts.amazonaws.com" in r for r in gateway.requests)


def test_expect_100_continue_and_chunked_bodies_are_relayed(front_to):
    gateway = StandInGateway()
    connection = connect(front_to(gateway), "bucket.s3.amazonaws.com")
    connection.putrequest("PUT", "/key")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Expect", "100-continue")
    connection.endheaders()
    for chunk in (b"abc", b"defg"):
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"echo:abcdefg")


def test_an_answer_before_the_body_reaches_the_client(front_to):
    gateway = StandInGateway(answer_before_body=True)
    connection = connect(front_to(gateway), "bucket.s3.amazonaws.com")
    connection.putrequest("PUT", "/key")
    connection.putheader("Content-Length", "1000000")
    connection.putheader("Expect", "100-continue")
    connection.endheaders()  # the body is never sent: the gateway refuses first
    response = connection.getresponse()
    assert response.status == 403


@pytest.mark.parametrize("framing", [b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
                                     b"\r\nabcdefg"])  # chunked; no length at all: the body ends when the gateway closes
def test_a_relayed_answer_keeps_its_framing_or_ends_the_connection_with_its_body(front_to, framing):
    connection = connect(front_to(StandInGateway(raw_answer=b"HTTP/1.1 200 OK\r\nConnection: close\r\n" + framing)),
                         "bucket.s3.amazonaws.com")
    connection.request("GET", "/key")
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"abcdefg")
    assert response.getheader("connection") == (None if b"chunked" in framing else "close")


def test_a_client_that_never_completes_its_handshake_holds_up_no_other(front_to):
    front = front_to(StandInGateway())
    with socket.create_connection(("127.0.0.1", front.port), timeout=10):  # connected, silent
        connection = connect(front, "sts.amazonaws.com")
        connection.request("POST", "/", body=b"one")
        assert connection.getresponse().read() == b"echo:one"


def test_a_stopped_front_no_longer_accepts_before_its_port_is_given_back(front_to):
    """A stopped front's accepting thread has ended when stop() returns: freeing the listening descriptor under a
    thread about to accept on it let the next socket with that number lose its connections to the old front."""
    gateway = StandInGateway()
    front = front_to(gateway)
    threads = {thread for thread in threading.enumerate() if thread.name == "harness-aws-tls-front"}
    front.stop()
    assert not any(thread.is_alive() for thread in threads)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", front.port), timeout=2)


def test_certificates_follow_the_name_the_client_asked_for(front_to):
    front = front_to(StandInGateway())
    context = ensure_ca().client_context()
    for hostname in ("cognito-idp.us-east-1.amazonaws.com", "cruddur-uploaded-avatars.s3.amazonaws.com"):
        with socket.create_connection(("127.0.0.1", front.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=hostname) as tls:
                assert tls.version() is not None
    for refused in ("assets.cruddur.com.s3.amazonaws.com", "api.cruddur.com"):
        with socket.create_connection(("127.0.0.1", front.port), timeout=10) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                context.wrap_socket(raw, server_hostname=refused)


def test_a_leaf_certificate_is_kept_a_week_and_issued_again_after_it_or_once_the_ca_is_new(tmp_path, monkeypatch):
    """HarnessCa.leaf_chain (issue 13): engines take the leaf an earlier one issued; one older than a week, or older
    than the CA's certificate, is issued again (a new serial number)."""
    ca = ensure_ca(tmp_path / "ca")
    first = ca.leaf_chain("lambda.us-east-1.amazonaws.com").read_bytes()
    issue = HarnessCa.issue
    monkeypatch.setattr(HarnessCa, "issue", lambda self, hostname: pytest.fail(f"{hostname}: issued again"))
    chain = ca.leaf_chain("LAMBDA.us-east-1.amazonaws.com.")
    assert chain.read_bytes() == first and chain.parent == tmp_path / "ca" / "leaves"
    monkeypatch.setattr(HarnessCa, "issue", issue)
    week_ago = time.time() - 7 * 24 * 3600 - 60
    os.utime(chain, (week_ago, week_ago))
    second = ca.leaf_chain("lambda.us-east-1.amazonaws.com").read_bytes()
    assert second != first
    os.utime(ca.certificate, (time.time() + 5, time.time() + 5))
    assert ca.leaf_chain("lambda.us-east-1.amazonaws.com").read_bytes() not in (first, second)
    assert sorted(path.name for path in chain.parent.iterdir()) == ["lambda.us-east-1.amazonaws.com.pem"]


def test_a_front_started_with_a_kept_leaf_certificate_does_without_cryptographys_x509_modules(tmp_path):
    """What the engine's boot imports for its front (issue 13): a fresh interpreter whose cache has the leaf."""
    environment = {**os.environ, "HARNESS_CACHE_DIR": str(tmp_path)}
    probe = """
        import sys
        from harness.endpoints.ca import ensure_ca
        from harness.localstack_plugins.aws_tls_front import TlsFront
        front = TlsFront(ensure_ca(), 9).start()
        front.stop()
        print("cryptography.x509" in sys.modules)
        """
    assert [run_probe(probe, env=environment).stdout.strip() for _ in range(2)] == ["True", "False"]


def test_a_request_read_whole_is_handed_over_and_a_streamed_one_relayed():
    """With a hand-over (the engine's in-process gateway), a body within BODY_READ_WHOLE_LIMIT goes to it, with the
    request's method, target and end-to-end headers; a chunked body still goes to the gateway's port."""
    from harness.localstack_plugins.gateway_server import BODY_READ_WHOLE_LIMIT
    from harness.localstack_plugins.in_process_gateway import Answer

    handed: list[tuple] = []

    def hand_over(method, target, headers, body, port):
        handed.append((method, target, dict(headers), body))
        answer = b"" if method == "HEAD" else b"in-process:" + body  # as in_process_gateway.dispatch answers
        return Answer(201, "Created", [("Content-Length", str(len(answer))), ("Connection", "close")], answer)

    gateway = StandInGateway()
    front = TlsFront(ensure_ca(), gateway.port, hand_over).start()
    try:
        connection = connect(front, "bucket.s3.amazonaws.com")
        for body in (b"small", b"x" * BODY_READ_WHOLE_LIMIT):
            connection.request("PUT", "/my%20key?x=1", body=body, headers={"X-Amz-Meta-A": "b"})
            response = connection.getresponse()
            assert (response.status, response.read(), response.getheader("connection")) == (201, b"in-process:" + body, None)
            assert response.getheader("date")
        connection.request("HEAD", "/my%20key")
        assert connection.getresponse().read() == b""
        method, target, headers, body = handed[0]
        assert (method, target, body, headers["Host"], headers["X-Amz-Meta-A"]) == ("PUT", "/my%20key?x=1", b"small",
                                                                                     "bucket.s3.amazonaws.com", "b")
        connection.putrequest("PUT", "/streamed")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        connection.send(b"3\r\nabc\r\n0\r\n\r\n")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"echo:abc") and len(handed) == 3
    finally:
        front.stop()
        gateway.close()


def test_a_client_waiting_for_100_continue_gets_it_from_the_front_and_its_request_is_handed_over():
    """An SDK's upload (`Expect: 100-continue`, a Content-Length within the limit): the front answers `100 Continue`
    at once, as the gateway's own server does, reads the body and hands the request over in-process."""
    from harness.localstack_plugins.in_process_gateway import Answer

    handed: list[bytes] = []

    def hand_over(method, target, headers, body, port):
        handed.append(body)
        answer = b"in-process:" + body
        return Answer(201, "Created", [("Content-Length", str(len(answer)))], answer)

    gateway = StandInGateway()
    front = TlsFront(ensure_ca(), gateway.port, hand_over).start()
    try:
        with socket.create_connection(("127.0.0.1", front.port), timeout=5) as raw, \
                ensure_ca().client_context().wrap_socket(raw, server_hostname="bucket.s3.amazonaws.com") as tls:
            tls.sendall(b"PUT /key HTTP/1.1\r\nHost: bucket.s3.amazonaws.com\r\nContent-Length: 5\r\n"
                        b"Expect: 100-continue\r\n\r\n")
            assert tls.recv(1000).startswith(b"HTTP/1.1 100 ")  # before the body was sent
            tls.sendall(b"hello")
            answer = b""
            while not answer.endswith(b"in-process:hello"):
                answer += tls.recv(1000) or pytest.fail(f"the front closed the connection after {answer!r}")
        assert answer.startswith(b"HTTP/1.1 201 ") and handed == [b"hello"] and gateway.requests == []
    finally:
        front.stop()
        gateway.close()


def test_a_request_handed_over_in_process_is_freed_once_answered(monkeypatch):
    """As by the gateway's server (test_gateway_server): the Request/environ cycle is broken after the answer."""
    import gc
    import weakref

    from werkzeug.wrappers import Request

    from harness.localstack_plugins import in_process_gateway

    requests: list[weakref.ref] = []

    def app(environ, start_response):
        received = Request(environ)
        received.get_data()
        requests.append(weakref.ref(received))
        start_response("200 OK", [])
        return [b"ok"]

    monkeypatch.setattr(in_process_gateway, "_gateway_app", lambda: app)
    gc.disable()
    try:
        answer = in_process_gateway.dispatch("PUT", "/code", [("Content-Length", "3")], b"zip", 4566)
        assert (answer.status, answer.body) == (200, b"ok")
        assert requests[0]() is None, "the request outlived its answer"
    finally:
        gc.enable()


def test_a_ca_folder_where_leaves_cannot_be_kept_still_gives_a_leaf_certificate(tmp_path):
    """HarnessCa.leaf_chain: a cache that cannot take the leaf (here `leaves` is a file, which fails as a read-only
    folder does, for root too) costs the kept leaf, not the front: a temporary file of this process has it."""
    ca = ensure_ca(tmp_path / "ca")
    (tmp_path / "ca" / "leaves").write_text("not a folder")
    chain = ca.leaf_chain("sts.amazonaws.com")
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, ca.leaf_key)
        assert chain.name.startswith("harness-leaf-") and not list(tmp_path.glob("ca/*.partial"))
    finally:
        chain.unlink()

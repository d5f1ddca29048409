"""The loopback Runtime API, spoken to by a fake runtime over real HTTP (behaviour.md "Lambda runtime")."""

from __future__ import annotations

import http.client
import json
import socket
import time
import threading

import pytest

from harness.localstack_plugins.lambda_executor.runtime_api import PendingInvocation, RuntimeApi


@pytest.fixture
def api():
    calls: list[str] = []
    server = RuntimeApi(on_next=lambda: calls.append("next")).start()
    server.calls = calls
    yield server
    server.stop()


def connect(api: RuntimeApi) -> http.client.HTTPConnection:
    host, port = api.address.split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def pending(request_id: str = "req-1") -> PendingInvocation:
    return PendingInvocation(request_id, b'{"k": 1}', "arn:aws:lambda:us-east-1:000000000000:function:f", 3000, "Root=1-x")


def test_binds_loopback_only(api):
    assert api.address.startswith("127.0.0.1:")


def test_next_hands_out_the_event_with_lambda_headers_and_response_resolves(api):
    future = api.submit(pending())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read()) == {"k": 1}
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
    handed_out_ms = time.time() * 1000
    assert handed_out_ms + 2900 < int(response.headers["Lambda-Runtime-Deadline-Ms"]) <= handed_out_ms + 3000  # timeout from now
    assert response.headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
    assert response.headers["Lambda-Runtime-Trace-Id"] == "Root=1-x"
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/response", body=b'"ok"')  # same connection: keep-alive
    assert conn.getresponse().status == 202
    outcome = future.result(timeout=5)
    assert (outcome.payload, outcome.is_error) == (b'"ok"', False)
    assert api.calls == ["next"]


def test_a_response_body_that_waits_for_100_continue_gets_it_at_once(api):
    """A runtime's client (curl) may send `Expect: 100-continue` before a large response body: the interim answer
    must leave at once, not wait in the write buffer for the final one."""
    future = api.submit(pending())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    body = b'"' + b"x" * 4096 + b'"'
    host, port = api.address.split(":")
    with socket.create_connection((host, int(port)), timeout=2) as runtime:
        runtime.sendall(b"POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\n"
                        b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert runtime.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")  # within the 2 s timeout, before the body
        runtime.sendall(body)
        assert runtime.recv(100).startswith(b"HTTP/1.1 202 ")
    assert future.result(timeout=5).payload == body


def test_error_carries_the_error_type_header(api):
    future = api.submit(pending())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/error", body=b'{"errorType": "X"}',
                 headers={"Lambda-Runtime-Function-Error-Type": "Unhandled"})
    assert conn.getresponse().status == 202
    outcome = future.result(timeout=5)
    assert outcome.is_error and outcome.error_type == "Unhandled"


def test_init_error_resolves_waiting_and_later_invocations_until_reset(api):
    waiting = api.submit(pending("a"))
    conn = connect(api)
    conn.request("POST", "/2018-06-01/runtime/init/error", body=b'{"errorType": "Runtime.ImportModuleError"}')
    assert conn.getresponse().status == 202
    assert waiting.result(timeout=5).init_error
    assert api.submit(pending("b")).result(timeout=5).init_error  # fails at once: the module cannot load
    api.reset_init_error()
    assert not api.submit(pending("c")).done()


def test_unknown_request_id_and_path_are_rejected(api):
    conn = connect(api)
    conn.request("POST", "/2018-06-01/runtime/invocation/nope/response", body=b"{}")
    assert conn.getresponse().status == 400
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/other")
    assert conn.getresponse().status == 404


def test_forget_drops_an_invocation_not_yet_handed_out(api):
    api.submit(pending("gone"))
    api.submit(pending("kept"))
    api.forget("gone")
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    response = conn.getresponse()
    response.read()
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "kept"


def test_next_long_polls_until_work_arrives(api):
    result = {}

    def runtime():
        conn = connect(api)
        conn.request("GET", "/2018-06-01/runtime/invocation/next")
        response = conn.getresponse()
        result["id"] = response.headers["Lambda-Runtime-Aws-Request-Id"]
        response.read()

    thread = threading.Thread(target=runtime)
    thread.start()
    thread.join(0.7)
    assert thread.is_alive()  # still waiting: nothing was submitted
    api.submit(pending("late"))
    thread.join(5)
    assert result == {"id": "late"}


def test_nagle_is_disabled_on_runtime_connections(api):
    from harness.localstack_plugins.lambda_executor.runtime_api import _RuntimeApiHandler

    assert _RuntimeApiHandler.disable_nagle_algorithm is True  # the stdlib then sets TCP_NODELAY per connection
    assert _RuntimeApiHandler.wbufsize > 0  # and a response's head and body go out together, flushed after each request


def ask_for_work(api: RuntimeApi) -> http.client.HTTPConnection:
    """A runtime's `/next` request, sent and left waiting (the response is not read)."""
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    return conn


def wait_for_calls(api: RuntimeApi, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(api.calls) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(api.calls) >= count, api.calls


def test_event_is_not_handed_to_a_runtime_that_died_waiting(api):
    """The dead-runtime wedge (issue 9): a runtime killed while its `/next` waited must not take the next event
    to its dead socket; the runtime that replaced it gets it."""
    dead = ask_for_work(api)
    wait_for_calls(api, 1)
    dead.sock.close()  # what the kernel does to a SIGKILLed runtime's connection
    fresh = ask_for_work(api)
    wait_for_calls(api, 2)
    api.submit(pending("after-the-crash"))
    response = fresh.getresponse()
    response.read()
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "after-the-crash"
    assert api.handed_out("after-the-crash")


def test_event_waits_for_a_runtime_when_the_only_one_died(api):
    dead = ask_for_work(api)
    wait_for_calls(api, 1)
    dead.sock.close()
    api.submit(pending("queued"))
    time.sleep(0.2)
    assert not api.handed_out("queued")  # still queued: nobody alive asked for it
    fresh = ask_for_work(api)
    response = fresh.getresponse()
    response.read()
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "queued"


def test_runtime_killed_while_waiting_for_work_is_noticed(api, tmp_path):
    """A real process SIGKILLed during its `/next` long poll: its request is dropped, its successor served."""
    import signal
    import subprocess
    import sys

    script = (
        "import http.client, sys\n"
        "host, port = sys.argv[1].split(':')\n"
        "conn = http.client.HTTPConnection(host, int(port))\n"
        "conn.request('GET', '/2018-06-01/runtime/invocation/next')\n"
        "print(conn.getresponse().headers['Lambda-Runtime-Aws-Request-Id'], flush=True)\n"
    )
    victim = subprocess.Popen([sys.executable, "-c", script, api.address], stdout=subprocess.PIPE, text=True)
    wait_for_calls(api, 1)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=5)
    successor = subprocess.Popen([sys.executable, "-c", script, api.address], stdout=subprocess.PIPE, text=True)
    wait_for_calls(api, 2)
    api.submit(pending("for-the-successor"))
    out, _ = successor.communicate(timeout=10)
    assert out.strip() == "for-the-successor"


def test_forget_clears_the_handed_out_mark(api):
    api.submit(pending("done"))
    conn = ask_for_work(api)
    conn.getresponse().read()
    assert api.handed_out("done")
    api.forget("done")
    assert not api.handed_out("done")

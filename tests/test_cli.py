"""`harness up` contract (issue: manual use): stack.json, runs until SIGTERM, shuts down cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.engine import descendants, living
from harness.http import http

STACK_KEYS = {"endpoint_url", "region", "uploads_bucket", "assets_bucket", "thumbnail_function", "output_folder",
              "api_url", "issuer", "jwks_url", "user_pool_id", "client_id", "frontend_origin", "aws_https", "ca_certificate"}


def wait_for_file(path: Path, process: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file():
            return json.loads(path.read_text())
        if process.poll() is not None:
            pytest.fail(f"harness up exited with {process.returncode}:\n{process.stdout.read()}")
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"{path} did not appear within {timeout}s:\n{process.stdout.read()}")


def answer_url(stack: dict, state_dir) -> str:
    """The presigned PUT URL the upload Lambda of a running `harness up` hands out."""
    token = subprocess.run([sys.executable, "-m", "harness.cli", "token", "--state-dir", str(state_dir)],
                           capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    return http("POST", f"{stack['api_url']}/avatars/key_upload", {"Authorization": f"Bearer {token}",
                "Content-Type": "application/json"}, b'{"extension": "png"}').json()["url"]


def test_up_writes_stack_json_and_stops_cleanly_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "up", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        stack = wait_for_file(tmp_path / "stack.json", process, timeout=180)
        assert STACK_KEYS <= stack.keys()
        assert stack["endpoint_url"].startswith("http://127.0.0.1:")
        assert (stack["uploads_bucket"], stack["assets_bucket"], stack["output_folder"]) == (
            "cruddur-uploaded-avatars", "assets.cruddur.com", "avatars")
        children = descendants(process.pid)
        assert children  # LocalStack runs under it
        assert stack["issuer"] == f"https://cognito-idp.{stack['region']}.amazonaws.com/{stack['user_pool_id']}"
        for flags, status in (([], 200), (["--expired"], 403)):
            token = subprocess.run([sys.executable, "-m", "harness.cli", "token", "--state-dir", str(tmp_path), *flags],
                                   capture_output=True, text=True, check=True, timeout=60).stdout.strip()
            answer = http("POST", f"{stack['api_url']}/avatars/key_upload", {"Authorization": f"Bearer {token}",
                          "Content-Type": "application/json", "Origin": stack["frontend_origin"]}, b'{"extension": "png"}')
            assert answer.status == status, answer.body
        # README: the presigned URL is on S3's real host; curl reaches it with --connect-to and --cacert.
        put = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--connect-to", f"::{stack['aws_https']}",
                              "--cacert", stack["ca_certificate"], "-X", "PUT", "--data-binary", "png", answer_url(stack, tmp_path)],
                             capture_output=True, text=True, timeout=60)
        assert put.stdout == "200", put.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "shutting down" in output and "stopping LocalStack" in output
    assert living(children) == []


def test_up_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "harness.cli", "up", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_token_without_a_running_stack_says_how_to_start_one(tmp_path):
    result = subprocess.run([sys.executable, "-m", "harness.cli", "token", "--state-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "identity.json does not exist" in result.stderr and "harness up --state-dir" in result.stderr


def test_cors_explains_a_blocked_preflight_against_a_real_api(avatar_api):
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "cors", f"{avatar_api.api_url}/avatars/key_upload", "--origin",
         "https://old-dev-url.gitpod.io", "--method", "POST", "--header", "Authorization", "--header", "Content-Type",
         "--content-type", "application/json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout
    assert "BLOCKED" in result.stdout and "Access-Control-Allow-Origin: missing" in result.stdout
    ok = subprocess.run(
        [sys.executable, "-m", "harness.cli", "cors", f"{avatar_api.api_url}/avatars/key_upload", "--origin",
         avatar_api.spec.frontend_origin, "--method", "POST", "--header", "Authorization", "--content-type", "application/json",
         "--header", "Content-Type"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "ALLOWED" in ok.stdout, ok.stdout

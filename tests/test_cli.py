"""`harness up` contract (issue: manual use): stack.json, runs until SIGTERM, shuts down cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.library.targets.engine_process import descendants, living
from harness.library.http import http
from harness.library.waiting import wait_until

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
    token = subprocess.run([sys.executable, "-m", "harness.cli.main", "token", "--state-dir", str(state_dir)],
                           capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    return http("POST", f"{stack['api_url']}/avatars/key_upload", {"Authorization": f"Bearer {token}",
                "Content-Type": "application/json"}, b'{"extension": "png"}').json()["url"]


def test_up_writes_stack_json_and_stops_cleanly_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "up", "--state-dir", str(tmp_path)],
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
        # the provisioning process became the small watcher (harness.cli.up_watch), same pid, LocalStack its child
        watcher = wait_until(lambda: b"harness.cli.up_watch" in Path(f"/proc/{process.pid}/cmdline").read_bytes(), timeout=30,
                             what="harness up to become its watcher", evidence=lambda: Path(f"/proc/{process.pid}/cmdline").read_bytes())
        assert watcher and living(children)
        assert stack["issuer"] == f"https://cognito-idp.{stack['region']}.amazonaws.com/{stack['user_pool_id']}"
        for flags, status in (([], 200), (["--expired"], 403)):
            token = subprocess.run([sys.executable, "-m", "harness.cli.main", "token", "--state-dir", str(tmp_path), *flags],
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
    assert not (tmp_path / "stack.json").exists()  # a clean stop leaves no stack.json describing a stack that is gone


def test_up_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "harness.cli.main", "up", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_token_without_a_running_stack_says_how_to_start_one(tmp_path):
    result = subprocess.run([sys.executable, "-m", "harness.cli.main", "token", "--state-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "identity.json does not exist" in result.stderr and "harness up --state-dir" in result.stderr


def test_cors_explains_a_blocked_preflight_against_a_real_api(avatar_api):
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "cors", f"{avatar_api.api_url}/avatars/key_upload", "--origin",
         "https://old-dev-url.gitpod.io", "--method", "POST", "--header", "Authorization", "--header", "Content-Type",
         "--content-type", "application/json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout
    assert "BLOCKED" in result.stdout and "Access-Control-Allow-Origin: missing" in result.stdout
    ok = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "cors", f"{avatar_api.api_url}/avatars/key_upload", "--origin",
         avatar_api.spec.frontend_origin, "--method", "POST", "--header", "Authorization", "--content-type", "application/json",
         "--header", "Content-Type"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "ALLOWED" in ok.stdout, ok.stdout


def test_logs_prints_the_access_log_and_function_logs_interleaved_and_follows(tmp_path, avatar_api, cognito_user_pool, localstack_engine):
    """`harness logs --state-dir D [--follow]`: what a person reproducing a bug with curl reads (behaviour.md "HTTP API access logging")."""
    import threading

    from harness.library.lambda_functions import log_group
    from harness.library.waiting import wait_until
    from scenarios.avatar_client import key_upload

    groups = [avatar_api.spec.access_log_group, log_group(avatar_api.spec.authorizer_function), log_group(avatar_api.spec.upload_function)]
    (tmp_path / "stack.json").write_text(json.dumps({"endpoint_url": localstack_engine.endpoint_url, "region": localstack_engine.region,
                                                     "log_groups": groups}))
    refused = key_upload(avatar_api.api_url, cognito_user_pool.bad_tokens()["expired"], expect=403)
    avatar_api.access_log_entry(refused)  # written
    printed = subprocess.run([sys.executable, "-m", "harness.cli.main", "logs", "--state-dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    (line,) = [line for line in printed if refused.headers["apigw-requestid"] in line]
    assert f" {avatar_api.spec.access_log_group} " in line and '"status": "403"' in line
    assert any(f"{groups[1]} START RequestId:" in text for text in printed)  # the authorizer's own lines too
    stamps = [text.split(" ", 1)[0] for text in printed if text[:2].isdigit()]
    assert stamps == sorted(stamps)  # interleaved by time

    process = subprocess.Popen([sys.executable, "-m", "harness.cli.main", "logs", "--state-dir", str(tmp_path), "--follow"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    followed: list[str] = []
    threading.Thread(target=lambda: followed.extend(process.stdout), daemon=True).start()
    try:
        answer = key_upload(avatar_api.api_url, cognito_user_pool.access_token(), expect=200)
        wait_until(lambda: any(answer.headers["apigw-requestid"] in text for text in followed), timeout=30,
                   what="the new request's line in `harness logs --follow`", evidence=lambda: "".join(followed[-10:]))
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_logs_without_a_running_stack_says_how_to_start_one(tmp_path):
    result = subprocess.run([sys.executable, "-m", "harness.cli.main", "logs", "--state-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "stack.json does not exist" in result.stderr and "harness up --state-dir" in result.stderr
    (tmp_path / "stack.json").write_text(json.dumps({"endpoint_url": "http://127.0.0.1:9", "region": "us-east-1", "log_groups": ["g"]}))
    result = subprocess.run([sys.executable, "-m", "harness.cli.main", "logs", "--state-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "nothing answers at http://127.0.0.1:9" in result.stderr, result.stderr
@pytest.mark.parametrize("argv, message", [
    (["up", "--port", "70000"], "argument --port: 70000 is not a port number (1-65535)"),
    (["up", "--port", "0"], "argument --port: 0 is not a port number"),
    (["up", "--port", "http"], "argument --port: 'http' is not a port number"),
    (["demo", "--runtime", "ruby2.7"], "argument --runtime: 'ruby2.7' is not a runtime of the thumbnail Lambda"),
    (["demo", "--image", "/nonexistent.jpg"], "argument --image: '/nonexistent.jpg' is not a file"),
    (["up", "--state-dir", "/etc/hostname"], "argument --state-dir: '/etc/hostname' exists and is not a directory"),
    (["cors", "localhost:4566/x", "--origin", "https://a.example"], "argument url: 'localhost:4566/x' is not an http(s) URL"),
    (["cors", "http://127.0.0.1:1/x", "--origin", "a.example"], "argument --origin: 'a.example' is not an origin"),
    (["cors", "http://127.0.0.1:1/x", "--origin", "https://a.example", "--method", "PO ST"], "argument --method"),
    (["answers-diff", "/etc/hostname", "/tmp"], "argument aws_dir: '/etc/hostname' exists and is not a directory"),
    (["answers-diff", "/tmp", "/nonexistent"], "argument emulator_dir: '/nonexistent' is not a directory"),
])
def test_every_bad_argument_gets_a_one_line_error_and_the_usage(capsys, argv, message):
    from harness.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(argv)
    error = capsys.readouterr().err
    assert exited.value.code == 2
    assert error.startswith("usage: harness ") and message in error and "Traceback" not in error
    assert len([line for line in error.splitlines() if "error:" in line]) == 1


def test_the_engine_refuses_a_port_out_of_range_with_a_clear_error():
    from harness.library.targets.localstack_host import ensure_port_free
    from harness.shared.errors import HarnessError

    with pytest.raises(HarnessError, match="70000 is not a port number"):
        ensure_port_free(70000)


def test_cors_never_says_allowed_for_a_simple_request_it_did_not_send(avatar_api):
    url = f"{avatar_api.api_url}/avatars/key_upload"
    harness_cors = [sys.executable, "-m", "harness.cli.main", "cors", url, "--origin", "https://evil.example"]
    unsent = subprocess.run([*harness_cors, "--method", "POST"], capture_output=True, text=True, timeout=60)
    assert unsent.returncode == 1 and "ALLOWED" not in unsent.stdout and "UNDECIDED" in unsent.stdout, unsent.stdout
    assert "depends on that response" in unsent.stdout
    sent = subprocess.run([*harness_cors, "--method", "POST", "--send"], capture_output=True, text=True, timeout=60)
    assert sent.returncode == 1 and "BLOCKED" in sent.stdout and "Access-Control-Allow-Origin: missing" in sent.stdout, sent.stdout
    safe = subprocess.run([*harness_cors, "--method", "GET"], capture_output=True, text=True, timeout=60)  # safe: sent unasked
    assert safe.returncode == 1 and f"GET {url} ->" in safe.stdout and "BLOCKED" in safe.stdout, safe.stdout


def test_demo_runs_the_avatar_flow_step_by_step_then_one_broken_step_with_its_symptom_and_log_line(tmp_path):
    """issue 10: the main job shows the whole avatar flow on the seed's functions, then bug 2's 403 and the line explaining it."""
    result = subprocess.run([sys.executable, "-m", "harness.cli.main", "demo", "--state-dir", str(tmp_path / "state")],
                            capture_output=True, text=True, timeout=280)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "The avatar flow (seed: upload ruby3.2, authorizer nodejs18.x, thumbnailer nodejs18.x):" in out
    for step, status in (("mint a token", "-"), ("preflight OPTIONS /avatars/key_upload", "204"),
                         ("POST /avatars/key_upload (through the authorizer)", "200"), ("PUT the avatar to the presigned URL", "200"),
                         ("thumbnail in the assets bucket", "-"), ("from the CDN", "200")):
        line = next((line for line in out.splitlines() if step in line), None)
        assert line is not None and line.lstrip().startswith("ok") and f" {status} " in line and " ms" in line, (step, out)
    assert "/aws/lambda/CruddurApiGatewayLambdaAuthorizer" in out and "authorized sub=" in out  # the functions' lines
    assert "/aws/lambda/cruddur-process-images" in out
    broken = out.split("One step broken on purpose", 1)[1]
    assert "POST /avatars/key_upload with an expired token" in broken and ' 403 ' in broken and '{"message":"Forbidden"}' in broken
    assert "Access forbidden: JwtExpiredError: Token expired at " in broken  # aws-jwt-verify's own words

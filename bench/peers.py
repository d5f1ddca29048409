"""Peers benchmark (issue 13; not a test): one workload, through boto3 and plain HTTP, against the harness's engine and
against MiniStack, in one run, printing each figure for both and the ratio.

MiniStack comes from PyPI into a bench-only venv, `$HARNESS_CACHE_DIR/bench/ministack-venv` (made on first use, never
part of the harness's own dependencies). Both engines listen on 127.0.0.1 only; every loop is bounded in count and time.

The workload: boot to ready; for the harness also `harness up` to ready to use (its stack.json written: the engine
booted and the whole Cruddur stack provisioned) and the memory of that stack idle; a python echo function, cold and warm invoke; S3 PUT -> an S3-triggered function that
copies the object -> HEAD in the other bucket (first and p50); an HTTP API with a REQUEST authorizer (payload 2.0,
simple responses, no cache) and a Lambda integration: p50/p95 of 200 calls, calls/s with 8 clients for 5 s; memory of
the whole stack (the engine and every process under it) after the workload; and the CPU time that whole stack spent
per warm invoke, per copy and per authorized call, which moves far less with the machine's load than the latencies.

Run: `make bench-peers` (or `.venv/bin/python bench/peers.py`).
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
from botocore.config import Config

from harness.library.http import http
from harness.library.lambda_functions import THROWAWAY_ROLE_ARN, wait_function_ready
from harness.library.packaging import zip_files
from harness.library.s3 import head_object
from harness.library.targets.engine_process import descendants, living
from harness.library.targets.localstack_host import LocalStackEngine, free_loopback_port
from harness.shared.cache import cache_dir
from measure import cpu_ms_per_call, percentile, rss_mb  # bench/measure.py (the script's own folder is on sys.path)

MINISTACK_VERSION = "1.5.33"  # the release issue 13 measured
BOTO3_VERSION = "1.43.106"  # MiniStack runs python functions on its venv's `python3`; 1.42.34 (ours) conflicts with its pins
REGION = "us-east-1"
WARM_INVOKES = 100
COPIES = 30
API_CALLS = 200
CLIENTS = 8
LOAD_SECONDS = 5
RUNTIME = "python3.12"

ECHO = "def handler(event, context):\n    return event\n"
COPIER = """import boto3
from urllib.parse import unquote_plus
s3 = boto3.client("s3")
def handler(event, context):
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        s3.copy_object(Bucket=record["s3"]["bucket"]["name"] + "-copy", Key=key,
                       CopySource={"Bucket": record["s3"]["bucket"]["name"], "Key": key})
"""
AUTHORIZER = """def handler(event, context):
    return {"isAuthorized": (event.get("headers") or {}).get("authorization") == "Bearer bench"}
"""
INTEGRATION = """def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": '{"ok": true}'}
"""


@dataclass
class Figures:
    values: dict[str, float] = field(default_factory=dict)

    def add(self, label: str, value: float) -> None:
        self.values[label] = value
        print(f"  {label:<58} {value:>9.1f}", flush=True)


@dataclass
class Engine:
    name: str
    endpoint: str
    pid: int
    boot_ms: float
    stop: Callable[[], None]




def ministack_program() -> Path:
    """The bench-only venv with MiniStack from PyPI (pinned), made once under the harness cache."""
    venv = cache_dir() / "bench" / "ministack-venv"
    program = venv / "bin" / "ministack"
    marker = venv / f".ministack-{MINISTACK_VERSION}-boto3-{BOTO3_VERSION}"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                        f"ministack=={MINISTACK_VERSION}", f"boto3=={BOTO3_VERSION}"], check=True)
        marker.touch()
    return program


def start_ministack() -> Engine:
    port = free_loopback_port()
    state = Path(tempfile.mkdtemp(prefix="bench-ministack-"))
    env = {**os.environ, "PATH": f"{ministack_program().parent}{os.pathsep}{os.environ['PATH']}",  # its `python3` runs functions
           "GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "MINISTACK_HOST": "localhost",
           "LAMBDA_EXECUTOR": "local", "AWS_DEFAULT_REGION": REGION}
    started = time.perf_counter()
    process = subprocess.Popen([str(ministack_program())], cwd=state, env=env, stdout=(state / "ministack.log").open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            raise SystemExit(f"MiniStack exited ({process.returncode}):\n{(state / 'ministack.log').read_text()[-3000:]}")
        if time.perf_counter() - started > 60:
            raise SystemExit(f"MiniStack did not answer {endpoint}/_ministack/health within 60 s")
        try:
            if http("GET", f"{endpoint}/_ministack/health", {}, b"").status == 200:
                break
        except OSError:
            time.sleep(0.01)
    boot_ms = (time.perf_counter() - started) * 1000

    def stop() -> None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        shutil.rmtree(state, ignore_errors=True)

    return Engine("MiniStack", endpoint, process.pid, boot_ms, stop)


def start_harness() -> Engine:
    engine = LocalStackEngine()
    started = time.perf_counter()
    engine.start()
    return Engine("harness", engine.endpoint_url, engine.pid, (time.perf_counter() - started) * 1000, engine.stop)


def bench_harness_up(figures: Figures) -> None:
    """`harness up` until it has written stack.json (the stack is provisioned and usable), then its idle memory."""
    state = Path(tempfile.mkdtemp(prefix="bench-harness-up-"))
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "harness.cli.main", "up", "--state-dir", str(state)],
                               stdout=(state.parent / f"{state.name}.log").open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while not (state / "stack.json").exists():
            if process.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit(f"harness up ended ({process.returncode}) or took over 120 s without stack.json:\n"
                                 f"{(state.parent / f'{state.name}.log').read_text()[-3000:]}")
            time.sleep(0.01)
        figures.add("harness up: ready to use, Cruddur stack provisioned (ms)", (time.perf_counter() - started) * 1000)
        time.sleep(1)
        figures.add("harness up: memory of the idle stack (MB)", rss_mb(process.pid))
    finally:
        engine = descendants(process.pid)  # LocalStack runs in a session of its own: a group kill misses it
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            for pid in living(engine):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(state, ignore_errors=True)
        (state.parent / f"{state.name}.log").unlink(missing_ok=True)


def client(engine: Engine, service: str):
    return boto3.client(service, endpoint_url=engine.endpoint, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, max_pool_connections=16))


def create_function(lambda_, name: str, code: str, timeout: int = 10) -> str:
    arn = lambda_.create_function(FunctionName=name, Runtime=RUNTIME, Role=THROWAWAY_ROLE_ARN, Handler="app.handler",
                                  Code={"ZipFile": zip_files({"app.py": code})}, Timeout=timeout)["FunctionArn"]
    wait_function_ready(lambda_, name, 60)
    return arn


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def invoked(lambda_: Any, name: str) -> bytes:
    """One Invoke as a caller makes it, answer read: an unread Payload keeps urllib3 from reusing the connection."""
    return lambda_.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()


def bench_invoke(engine: Engine, figures: Figures) -> None:
    lambda_ = client(engine, "lambda")
    name = f"bench-echo-{uuid.uuid4().hex[:8]}"
    create_function(lambda_, name, ECHO)
    figures.add("echo invoke, cold (ms)", timed(lambda: invoked(lambda_, name)))
    warm: list[float] = []
    cpu = cpu_ms_per_call(engine.pid, WARM_INVOKES, lambda: warm.extend(
        timed(lambda: invoked(lambda_, name)) for _ in range(WARM_INVOKES)))
    figures.add(f"echo invoke, warm p50 of {WARM_INVOKES} (ms)", statistics.median(warm))
    figures.add("echo invoke, warm: stack CPU per call (ms)", cpu)


def bench_s3_copy(engine: Engine, figures: Figures) -> None:
    s3, lambda_ = client(engine, "s3"), client(engine, "lambda")
    source = f"bench-source-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=f"{source}-copy")
    arn = create_function(lambda_, f"bench-copier-{source[-8:]}", COPIER)
    lambda_.add_permission(FunctionName=arn, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                           SourceArn=f"arn:aws:s3:::{source}")
    s3.put_bucket_notification_configuration(Bucket=source, NotificationConfiguration={"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})

    def copy_once() -> float:
        key = f"{uuid.uuid4().hex}.txt"
        started = time.perf_counter()
        s3.put_object(Bucket=source, Key=key, Body=b"bench")
        while head_object(s3, f"{source}-copy", key) is None:
            if time.perf_counter() - started > 30:
                raise SystemExit(f"{engine.name}: the copy of {key} did not appear within 30 s")
            time.sleep(0.002)
        return (time.perf_counter() - started) * 1000

    figures.add("S3 PUT -> Lambda copy -> HEAD, first (ms)", copy_once())
    copies: list[float] = []
    cpu = cpu_ms_per_call(engine.pid, COPIES, lambda: copies.extend(copy_once() for _ in range(COPIES)))
    figures.add(f"S3 PUT -> Lambda copy -> HEAD, p50 of {COPIES} (ms)", statistics.median(copies))
    figures.add("S3 copy: stack CPU per copy, polls included (ms)", cpu)


def provision_api(engine: Engine) -> str:
    lambda_, apigw = client(engine, "lambda"), client(engine, "apigatewayv2")
    suffix = uuid.uuid4().hex[:8]
    authorizer_arn = create_function(lambda_, f"bench-authorizer-{suffix}", AUTHORIZER)
    integration_arn = create_function(lambda_, f"bench-integration-{suffix}", INTEGRATION)
    api_id = apigw.create_api(Name=f"bench-{suffix}", ProtocolType="HTTP")["ApiId"]
    for arn in (authorizer_arn, integration_arn):
        lambda_.add_permission(FunctionName=arn, StatementId="apigw", Action="lambda:InvokeFunction",
                               Principal="apigateway.amazonaws.com", SourceArn=f"arn:aws:execute-api:{REGION}:*:{api_id}/*")
    authorizer_id = apigw.create_authorizer(
        ApiId=api_id, Name="bench", AuthorizerType="REQUEST", IdentitySource=["$request.header.Authorization"],
        AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True, AuthorizerResultTtlInSeconds=0,
        AuthorizerUri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{authorizer_arn}/invocations",
    )["AuthorizerId"]
    integration_id = apigw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=integration_arn,
                                              PayloadFormatVersion="2.0")["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /hello", AuthorizationType="CUSTOM", AuthorizerId=authorizer_id,
                       Target=f"integrations/{integration_id}")
    apigw.create_stage(ApiId=api_id, StageName="bench", AutoDeploy=True)
    return f"{engine.endpoint}/_aws/execute-api/{api_id}/bench/hello"


def bench_authorized_api(engine: Engine, figures: Figures) -> None:
    url = provision_api(engine)

    def call() -> float:
        started = time.perf_counter()
        answer = http("GET", url, {"Authorization": "Bearer bench"}, b"")
        if answer.status != 200:
            raise SystemExit(f"{engine.name}: authorized call failed: {answer.status} {answer.body[:300]!r}")
        return (time.perf_counter() - started) * 1000

    for _ in range(10):
        call()
    latencies: list[float] = []
    cpu = cpu_ms_per_call(engine.pid, API_CALLS, lambda: latencies.extend(call() for _ in range(API_CALLS)))
    figures.add(f"authorized API call p50 of {API_CALLS} (ms)", percentile(latencies, 0.5))
    figures.add("authorized API call p95 (ms)", percentile(latencies, 0.95))
    figures.add("authorized API call: stack CPU per call (ms)", cpu)
    with ThreadPoolExecutor(CLIENTS) as workers:
        list(workers.map(lambda _: call(), range(8 * CLIENTS)))  # one warm environment per concurrent caller
        deadline = time.perf_counter() + LOAD_SECONDS

        def client_loop(_: int) -> int:
            done = 0
            while time.perf_counter() < deadline:
                call()
                done += 1
            return done

        done = sum(workers.map(client_loop, range(CLIENTS)))
    figures.add(f"authorized calls/s, {CLIENTS} clients, {LOAD_SECONDS} s", done / LOAD_SECONDS)


def run(start: Callable[[], Engine]) -> Figures:
    figures = Figures()
    engine = start()
    print(f"{engine.name} ({engine.endpoint}):", flush=True)
    try:
        figures.add("boot to ready (ms)", engine.boot_ms)
        figures.add("idle memory of the stack (MB)", rss_mb(engine.pid))
        bench_invoke(engine, figures)
        bench_s3_copy(engine, figures)
        bench_authorized_api(engine, figures)
        figures.add("memory of the stack after the workload (MB)", rss_mb(engine.pid))
    finally:
        engine.stop()
    return figures


def higher_is_better(label: str) -> bool:
    return "/s" in label


# What MiniStack's ready-to-use stack is compared with (it provisions nothing at boot): issue 13's first rows.
PEER_FIGURE = {"harness up: ready to use, Cruddur stack provisioned (ms)": "boot to ready (ms)",
               "harness up: memory of the idle stack (MB)": "idle memory of the stack (MB)"}


def comparison(harness: Figures, peer: Figures) -> Iterator[str]:
    yield f"\n{'figure':<58} {'harness':>9} {'MiniStack':>10} {'':>14}"
    for label, ours in harness.values.items():
        theirs = peer.values.get(PEER_FIGURE.get(label, label))
        if theirs is None or ours <= 0 or theirs <= 0:
            continue
        ratio = ours / theirs if higher_is_better(label) else theirs / ours
        verdict = f"ahead {ratio:.1f}x" if ratio >= 1 else f"behind {1 / ratio:.1f}x"
        yield f"{label:<58} {ours:>9.1f} {theirs:>10.1f} {verdict:>14}"


def main() -> int:
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}, cores: {os.cpu_count()}", flush=True)
    ministack_program()
    harness = run(start_harness)
    bench_harness_up(harness)
    peer = run(start_ministack)
    for line in comparison(harness, peer):
        print(line)
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

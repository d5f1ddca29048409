"""Benchmarks (not tests): prints what the targets in bench/README.md are measured against.

Run with `make bench`. Numbers depend on the machine; the targets assume 2 cores.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.library.avatar_api import AvatarApiSpec, provision_avatar_api
from harness.library.cdk import CDK_APP_DIR, CdkApp, cruddur_function_assets
from harness.library.targets.localstack_host import LocalStackEngine
from harness.library.http import http
from harness.library.identity import FakeCognitoUserPool
from harness.library.packaging import zip_files
from harness.library.lambda_functions import THROWAWAY_ROLE_ARN, wait_function_ready
from harness.lambda_runtime.aws_runtimes import aws_runtime
from harness.lambda_runtime.runtimes import servable_runtimes
from harness.library.s3 import head_object
from harness.library.layout import APP_DIR, CHECKOUT_ROOT
from harness.library.thumbnail_pipeline import ThumbnailPipelineSpec, provision_thumbnail_pipeline
from measure import percentile, rss_mb  # bench/measure.py (the script's own folder is on sys.path)

IMAGES = sorted((CHECKOUT_ROOT / "fixtures" / "images").iterdir())
UPLOADS = 50
WARM_INVOKES = 100
API_CALLS = 200



def report(label: str, value: float, unit: str, target: str = "") -> None:
    print(f"{label:<46} {value:>9.1f} {unit:<3} {target}")



def bench_boot() -> None:
    times = []
    for _ in range(3):
        with LocalStackEngine() as engine:
            times.append(engine.boot_seconds * 1000)
    report("engine boot to ready (median of 3)", statistics.median(times), "ms", "target <= 2000 ms")


def bench_invoke(engine: LocalStackEngine) -> None:
    """Cold and warm invoke of an echo handler in every runtime this host serves (issue 9)."""
    lambda_ = engine.clients().lambda_
    handlers = {
        "python": ("app.handler", {"app.py": "def handler(e, c):\n    return e\n"}),
        "nodejs": ("index.handler", {"index.js": "exports.handler = async (e) => e;"}),
        "ruby": ("function.handler", {"function.rb": "def handler(event:, context:)\n  event\nend\n"}),
    }
    for runtime in servable_runtimes():
        family = aws_runtime(runtime).family
        if family not in handlers:
            continue
        handler, files = handlers[family]
        name = f"bench-{runtime.replace('.', '')}"
        lambda_.create_function(FunctionName=name, Runtime=runtime, Role=THROWAWAY_ROLE_ARN, Handler=handler,
                                Code={"ZipFile": zip_files(files)})
        wait_function_ready(lambda_, name, 30)
        started = time.perf_counter()
        lambda_.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()  # read: the connection is then reused
        report(f"Lambda cold invoke, {runtime}", (time.perf_counter() - started) * 1000, "ms")
        warm = []
        for _ in range(WARM_INVOKES):
            started = time.perf_counter()
            lambda_.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
            warm.append((time.perf_counter() - started) * 1000)
        report(f"Lambda warm invoke p50, {runtime} (boto3 round trip)", statistics.median(warm), "ms", "target <= 5 ms")


def bench_pipeline(engine: LocalStackEngine) -> None:
    clients = engine.clients()
    for runtime in ("python3.12", "nodejs20.x"):
        pipeline = provision_thumbnail_pipeline(clients, ThumbnailPipelineSpec(runtime=runtime).with_unique_names())
        body = (CHECKOUT_ROOT / "fixtures" / "images" / "photo.jpg").read_bytes()
        latencies = []
        for _ in range(UPLOADS):
            key = f"{uuid.uuid4()}.jpg"
            started = time.perf_counter()
            pipeline.upload(key, body)
            output = pipeline.spec.output_key(key)
            while head_object(clients.s3, pipeline.spec.assets_bucket, output) is None:
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"thumbnail for {key} did not appear within 30 s:\n{pipeline.logs()[-3000:]}")
                time.sleep(0.002)
            latencies.append((time.perf_counter() - started) * 1000)
        report(f"upload -> thumbnail p50, {runtime} ({UPLOADS} uploads)", percentile(latencies, 0.5), "ms", "target p50 <= 150 ms")
        report(f"upload -> thumbnail p95, {runtime}", percentile(latencies, 0.95), "ms")
        pipeline.teardown()
    report("RSS of the whole stack (LocalStack + runtimes)", rss_mb(engine.pid), "MB")


def bench_authorized_api(engine: LocalStackEngine) -> None:
    clients = engine.clients()
    pipeline = provision_thumbnail_pipeline(clients, ThumbnailPipelineSpec().with_unique_names())
    pool = FakeCognitoUserPool(region=engine.region)
    api = provision_avatar_api(clients, pool, AvatarApiSpec(uploads_bucket=pipeline.spec.uploads_bucket).with_unique_names())
    headers = {"Authorization": f"Bearer {pool.access_token()}", "Content-Type": "application/json", "Origin": api.spec.frontend_origin}

    def call() -> float:
        started = time.perf_counter()
        answer = http("POST", f"{api.api_url}/avatars/key_upload", headers, b'{"extension": "jpg"}')
        if answer.status != 200:
            raise SystemExit(f"authorized call failed: {answer.status} {answer.body[:300]!r}")
        return (time.perf_counter() - started) * 1000

    for _ in range(10):
        call()
    latencies = [call() for _ in range(API_CALLS)]
    report(f"authorized API call p50, warm ({API_CALLS} calls)", percentile(latencies, 0.5), "ms", "target <= 15 ms")
    report("authorized API call p95", percentile(latencies, 0.95), "ms")
    with ThreadPoolExecutor(8) as workers:
        list(workers.map(lambda _: call(), range(64)))  # warm: one environment per concurrent caller, as on AWS
        deadline, done = time.perf_counter() + 5, 0
        while time.perf_counter() < deadline:
            done += len(list(workers.map(lambda _: call(), range(32))))
    report("authorized API calls per second (8 clients, warm, 5 s)", done / 5, "/s")
    api.teardown()
    pipeline.teardown()


def bench_thumbnail_rule() -> None:
    spec = importlib.util.spec_from_file_location("thumbnail", APP_DIR / "thumbnail_python" / "thumbnail.py")
    thumbnail = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(thumbnail)
    sharp = json.loads(subprocess.run(
        ["node", str(Path(__file__).with_name("sharp_timing.js")), *map(str, IMAGES)],
        capture_output=True, text=True, check=True,
    ).stdout)
    print(f"\n{'thumbnail time per image (median of 10)':<30} {'Pillow':>9} {'sharp':>9} {'ratio':>7}   target Pillow <= 1.1x sharp")
    pillow_total = sharp_total = 0.0
    for image in IMAGES:
        data = image.read_bytes()
        runs = []
        for _ in range(10):
            started = time.perf_counter()
            thumbnail.make_thumbnail(data, 512, 512)
            runs.append((time.perf_counter() - started) * 1000)
        pillow_ms, sharp_ms = statistics.median(runs), sharp[str(image)]
        pillow_total += pillow_ms
        sharp_total += sharp_ms
        print(f"  {image.name:<28} {pillow_ms:>7.1f}ms {sharp_ms:>7.1f}ms {pillow_ms / sharp_ms:>6.2f}x")
    print(f"  {'all images':<28} {pillow_total:>7.1f}ms {sharp_total:>7.1f}ms {pillow_total / sharp_total:>6.2f}x")


def bench_cdk_app(engine: LocalStackEngine) -> None:
    """The project's CDK app (thumbnail stack) with the CDK CLI: synth, bootstrap, deploy, destroy."""
    clients = engine.clients()
    suffix = uuid.uuid4().hex[:8]
    assets = f"cdk-bench-assets-{suffix}"
    clients.s3.create_bucket(Bucket=assets)
    with tempfile.TemporaryDirectory() as directory:
        context = {"uploadsBucketName": f"cdk-bench-uploads-{suffix}", "assetsBucketName": assets,
                   **cruddur_function_assets(Path(directory))}
        app = CdkApp(CDK_APP_DIR, clients, context)
        app.deploy()
        started = time.perf_counter()
        app.destroy()
        destroy_seconds = time.perf_counter() - started
    for step in ("synth", "bootstrap", "deploy"):
        report(f"CDK app (thumbnail stack): cdk {step}", app.deployment.seconds[step], "s")
    report("CDK app (thumbnail stack): cdk destroy", destroy_seconds, "s")


def main() -> int:
    if sys.argv[1:] == ["invoke"]:  # `python bench/run.py invoke`: only the per-runtime cold/warm invokes
        with LocalStackEngine() as engine:
            bench_invoke(engine)
        return 0
    bench_boot()
    with LocalStackEngine() as engine:
        bench_invoke(engine)
        bench_pipeline(engine)
        bench_authorized_api(engine)
        bench_cdk_app(engine)
    bench_thumbnail_rule()
    return 0


if __name__ == "__main__":
    sys.exit(main())

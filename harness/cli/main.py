"""`harness` command line: `demo` (the main job), `up` (a stack to use by hand until Ctrl-C), `token`, `logs`, `cors`,
`doctor`, `answers-diff`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from botocore.exceptions import EndpointConnectionError

from harness.library.avatar_api import AvatarApi, AvatarApiSpec, provision_avatar_api
from harness.library.aws import AwsClients
from harness.library.aws_endpoints import AwsEndpoints
from harness.library.cloudwatch_logs import follow
from harness.library.cors_explainer import CorsRequest
from harness.library.cors_probe import probe
from harness.cli.doctor import findings as doctor_findings
from harness.cli.doctor import report as doctor_report
from harness.library.targets.emulator_control import EmulatorControl
from harness.library.targets.localstack_host import LocalStackEngine
from harness.shared.errors import HarnessError
from harness.library.identity import FakeCognitoUserPool
from harness.library.lambda_functions import log_group
from harness.library.progress import step
from harness.library.recorded_answers import differences
from harness.library.layout import SAMPLE_AVATAR
from harness.library.thumbnail_pipeline import ThumbnailPipeline, ThumbnailPipelineSpec, provision_thumbnail_pipeline
from harness.cli import arguments as cli_arguments

IDENTITY_FILE = "identity.json"  # the fake user pool's keys, for `harness token`
STACK_FILE = "stack.json"  # exists only while it describes a live, ready stack


@contextmanager
def running_engine(state_dir: str | None, port: int | None) -> Iterator[LocalStackEngine]:
    engine = LocalStackEngine(state_dir=state_dir, port=port)
    print(f"LocalStack (host mode, no Docker), state in {engine.state_dir}")
    step("booting LocalStack on 127.0.0.1", engine.start)
    try:
        yield engine
    finally:
        step("stopping LocalStack", engine.stop)


@contextmanager
def withdrawn_at_exit(stack_file: Path) -> Iterator[Path]:
    """Whatever ends the block (Ctrl-C, SIGTERM, LocalStack dying, a failed step), stack.json goes first:
    a reader never sees one describing a stack that is gone or going."""
    try:
        yield stack_file
    finally:
        stack_file.unlink(missing_ok=True)


def stack_facts(engine: LocalStackEngine, pipeline: ThumbnailPipeline, api: AvatarApi, pool: FakeCognitoUserPool) -> dict[str, str]:
    spec = pipeline.spec
    return {
        "endpoint_url": engine.endpoint_url,
        "region": engine.region,
        "uploads_bucket": spec.uploads_bucket,
        "assets_bucket": spec.assets_bucket,
        "thumbnail_function": spec.function_name,
        "thumbnail_runtime": spec.runtime,
        "output_folder": spec.folder_output,
        "api_url": api.api_url,
        "issuer": pool.issuer,
        "jwks_url": engine.emulator.jwks_url(pool),
        "user_pool_id": pool.user_pool_id,
        "client_id": pool.client_id,
        "frontend_origin": api.spec.frontend_origin,
        "log": str(engine.log_path),
        "log_groups": [api.spec.access_log_group, *(log_group(name) for name in (
            api.spec.authorizer_function, api.spec.upload_function, spec.function_name))],  # for `harness logs`
    } | _aws_hostname_facts(engine)


def _aws_hostname_facts(engine: LocalStackEngine) -> dict[str, str]:
    """Where `https://*.amazonaws.com` URLs (the presigned PUT) are answered: `curl --connect-to ::<aws_https> --cacert <ca_certificate>`."""
    endpoints = AwsEndpoints.of_engine(engine.endpoint_url)
    return {"aws_https": endpoints.https, "ca_certificate": str(endpoints.ca.certificate)} if endpoints else {}


def demo(args: argparse.Namespace) -> int:
    """Boot, provision, upload a sample avatar, wait for its thumbnail, report."""
    image = Path(args.image)
    body = image.read_bytes()
    with running_engine(args.state_dir, args.port) as engine:
        clients = engine.clients()
        spec = ThumbnailPipelineSpec(runtime=args.runtime)
        pipeline = step(f"provisioning the thumbnail pipeline ({spec.runtime})", lambda: provision_thumbnail_pipeline(clients, spec))
        latencies = []
        for start in ("cold", "warm"):  # the first upload starts the function's environment, the second reuses it
            key = f"{uuid.uuid4()}.jpg"  # the upload Lambda names uploads <cognito sub>.<extension>
            step(f"uploading {image.name} ({len(body)} bytes) to s3://{spec.uploads_bucket}/{key}", lambda: pipeline.upload(key, body))
            started = time.perf_counter()
            thumbnail = step(f"waiting for the thumbnail ({start} start)", lambda: pipeline.wait_for_thumbnail(key, timeout=60))
            latencies.append((start, (time.perf_counter() - started) * 1000))
        head = clients.s3.head_object(Bucket=spec.assets_bucket, Key=spec.output_key(key))
        width, height = _jpeg_size(thumbnail)
        print("\nWhat happened:")
        print(f"  LocalStack ready in {engine.boot_seconds * 1000:.0f} ms at {engine.endpoint_url}")
        print(f"  s3://{spec.uploads_bucket}/{key}: {len(body)} bytes uploaded")
        print(f"  s3://{spec.assets_bucket}/{spec.output_key(key)}: {head['ContentLength']} bytes, {head['ContentType']}, {width}x{height}")
        for start, latency_ms in latencies:
            print(f"  upload -> thumbnail visible ({start} start): {latency_ms:.0f} ms")
        print("  function log (CloudWatch Logs):")
        for line in pipeline.wait_for_logs("REPORT RequestId", timeout=10).splitlines():
            print(f"    {line}")
    return 0


def up(args: argparse.Namespace) -> int:
    """Boot and provision, write <state-dir>/stack.json, run until Ctrl-C or SIGTERM, or until LocalStack dies (exit 1)."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if args.state_dir:  # a restart in the same state dir: the last run's stack.json describes nothing that runs
        (Path(args.state_dir) / STACK_FILE).unlink(missing_ok=True)
    with running_engine(args.state_dir, args.port) as engine, withdrawn_at_exit(engine.state_dir / STACK_FILE):
        clients = engine.clients()
        spec = ThumbnailPipelineSpec(runtime=args.runtime)
        pipeline = step("provisioning the thumbnail pipeline", lambda: provision_thumbnail_pipeline(clients, spec))
        pool = FakeCognitoUserPool(region=engine.region)
        api = step("provisioning the avatar upload API", lambda: provision_avatar_api(
            clients, pool, AvatarApiSpec(uploads_bucket=spec.uploads_bucket)))
        pool.save(engine.state_dir / IDENTITY_FILE)
        facts = stack_facts(engine, pipeline, api, pool)
        stack_file = engine.state_dir / STACK_FILE
        partial = stack_file.with_suffix(".json.partial")
        partial.write_text(json.dumps(facts, indent=2) + "\n")
        partial.replace(stack_file)  # atomic: a reader never sees half a file
        print(json.dumps(facts, indent=2))
        print(f"wrote {stack_file}; running until Ctrl-C or SIGTERM", flush=True)
        engine.watch(stop)  # raises EngineDiedError (exit 1, with the log tail) if LocalStack dies under us
        print("shutting down", flush=True)
    return 0


def token(args: argparse.Namespace) -> int:
    """Print an access token for the user pool of a running `harness up` (or an expired one)."""
    identity = Path(args.state_dir) / IDENTITY_FILE
    if not identity.is_file():
        raise HarnessError(f"{identity} does not exist", hint=f"start the stack first: harness up --state-dir {args.state_dir}")
    pool = FakeCognitoUserPool.load(identity)
    sub = args.sub or str(uuid.uuid4())
    print(pool.bad_tokens(sub)["expired"] if args.expired else pool.access_token(sub=sub))
    return 0


def logs(args: argparse.Namespace) -> int:
    """Print the avatar API's access log and the functions' logs of a running `harness up`, interleaved by time;
    with --follow, then every new line until Ctrl-C."""
    stack_file = Path(args.state_dir) / "stack.json"
    if not stack_file.is_file():
        raise HarnessError(f"{stack_file} does not exist", hint=f"start the stack first: harness up --state-dir {args.state_dir}")
    stack = json.loads(stack_file.read_text())
    if "log_groups" not in stack:
        raise HarnessError(f"{stack_file} names no log groups", hint="it was written by an older harness up: start it again")
    clients = AwsClients(stack["endpoint_url"], stack["region"], emulator=EmulatorControl(stack["endpoint_url"]))
    try:
        follow(clients.logs, stack["log_groups"], lambda line: print(line, flush=True), keep_going=lambda: args.follow)
    except KeyboardInterrupt:
        pass
    except EndpointConnectionError as error:
        raise HarnessError(f"nothing answers at {stack['endpoint_url']}", evidence=str(error),
                           hint=f"is `harness up --state-dir {args.state_dir}` still running?") from error
    return 0


def cors(args: argparse.Namespace) -> int:
    """Send the preflight a browser would send (and the request with --send), explain the verdict rule by rule."""
    headers = tuple(h.lower() for h in args.header)
    request = CorsRequest(args.origin, args.method.upper(), headers, content_type=args.content_type, credentials=args.credentials)
    result = probe(args.url, request, send=args.send, body=args.data.encode() if args.data else None)
    print(result.explain())
    return 0 if result.allowed else 1


def answers_diff(args: argparse.Namespace) -> int:
    """Compare what AWS answered with what the emulator answered, for the aws_unverified scenarios."""
    if not any(args.aws_dir.glob("*.json")):
        raise HarnessError(f"no recorded answers in {args.aws_dir}", hint="record them with `pytest scenarios --engine aws --aws-opt-in`")
    found = differences(args.aws_dir, args.emulator_dir)
    print("\n".join(found) if found else "the emulator answered as AWS did in every recorded exchange")
    return 1 if found else 0


def doctor(args: argparse.Namespace) -> int:
    """Check the machine (python, LocalStack, Lambda runtimes, node and sharp, chromium, loopback) and say how to fix it."""
    text, healthy = doctor_report(doctor_findings())
    print(text)
    return 0 if healthy else 1


def _jpeg_size(data: bytes) -> tuple[int, int]:
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(data)) as image:
        return image.size


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="harness", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check this machine and say how to fix what is missing").set_defaults(run=doctor)
    cors_command = commands.add_parser("cors", help="explain, rule by rule, whether a browser allows a cross-origin request")
    cors_command.set_defaults(run=cors)
    cors_command.add_argument("url", type=cli_arguments.http_url)
    cors_command.add_argument("--origin", required=True, type=cli_arguments.origin, help="the page's origin, e.g. https://3000-cruddur.gitpod.io")
    cors_command.add_argument("--method", default="GET", type=cli_arguments.http_method)
    cors_command.add_argument("--header", action="append", default=[], help="a header the page sets (repeatable)")
    cors_command.add_argument("--content-type", default="", help="the Content-Type the page sends")
    cors_command.add_argument("--credentials", action="store_true", help="fetch(..., {credentials: 'include'})")
    cors_command.add_argument("--send", action="store_true", help="also send the actual request")
    cors_command.add_argument("--data", default="", help="body of the actual request")
    answers_command = commands.add_parser("answers-diff", help="where the emulator answered otherwise than AWS (--record-answers dirs)")
    answers_command.set_defaults(run=answers_diff)
    answers_command.add_argument("aws_dir", type=cli_arguments.answers_dir, help="recorded by `pytest --engine aws` (reports/aws-answers)")
    answers_command.add_argument("emulator_dir", type=cli_arguments.existing_dir, help="recorded by `pytest --record-answers DIR` on an emulator")
    token_command = commands.add_parser("token", help="print an access token valid for a running `harness up`")
    token_command.set_defaults(run=token)
    token_command.add_argument("--state-dir", required=True, type=cli_arguments.state_dir, help="the --state-dir given to `harness up`")
    token_command.add_argument("--sub", help="the Cognito sub (default: a new UUID)")
    token_command.add_argument("--expired", action="store_true", help="an access token that expired an hour ago")
    logs_command = commands.add_parser("logs", help="print the access log and the functions' logs of a running `harness up`")
    logs_command.set_defaults(run=logs)
    logs_command.add_argument("--state-dir", required=True, help="the --state-dir given to `harness up`")
    logs_command.add_argument("--follow", action="store_true", help="keep printing new lines until Ctrl-C")
    for name, function, help_text in (
        ("demo", demo, "boot the stack, run the avatar thumbnail flow once, print what happened"),
        ("up", up, "boot and provision the stack, write stack.json, run until Ctrl-C"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.set_defaults(run=function)
        command.add_argument("--state-dir", type=cli_arguments.state_dir, help="where LocalStack keeps its state (default: a fresh temp dir)")
        command.add_argument("--port", type=cli_arguments.port, help="loopback port (default: a free one)")
        command.add_argument("--runtime", default="python3.12", type=cli_arguments.thumbnail_runtime, help="thumbnail Lambda runtime: python3.12 (Pillow) or nodejs20.x (sharp)")
        if name == "demo":
            command.add_argument("--image", default=str(SAMPLE_AVATAR), type=cli_arguments.existing_file, help="the avatar to upload")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except HarnessError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

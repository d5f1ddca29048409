"""`harness` command line: `demo` (the main job), `up` (a stack to use by hand until Ctrl-C), `token`, `logs`, `cors`,
`doctor`, `answers-diff`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli import arguments as cli_arguments
from harness.cli import up_watch
from harness.library.layout import IMPLEMENTATIONS, SAMPLE_AVATAR
from harness.library.progress import step
from harness.library.targets.localstack_host import LocalStackEngine
from harness.shared.errors import HarnessError

if TYPE_CHECKING:
    from harness.cli.stack import Prepared

# The commands import what they use when they run, and `up`/`demo` while LocalStack boots (stack.py): the AWS library
# and boto3 take ~0.6 s to import, which `harness up` no longer spends before it starts the engine (issue 13).

IDENTITY_FILE = "identity.json"  # the fake user pool's keys, for `harness token`
STACK_FILE = "stack.json"  # exists only while it describes a live, ready stack


def _prepare_while_booting(engine: LocalStackEngine) -> Prepared:
    from harness.cli import stack

    return stack.prepare_while_booting(engine)


@contextmanager
def running_engine(state_dir: str | None, port: int | None) -> Iterator[tuple[LocalStackEngine, Prepared]]:
    """A booted engine, and the fake user pool and clients that `harness.cli.stack` (loaded meanwhile) made while it
    booted."""
    engine = LocalStackEngine(state_dir=state_dir, port=port)
    print(f"LocalStack (host mode, no Docker), state in {engine.state_dir}")
    prepared: list[Prepared] = []
    step("booting LocalStack on 127.0.0.1",
         lambda: engine.start(while_booting=lambda: prepared.append(_prepare_while_booting(engine))))
    try:
        yield engine, prepared[0]
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


def demo(args: argparse.Namespace) -> int:
    """Boot, provision the avatar stack, run the avatar flow step by step, then one step broken on purpose (avatar_demo)."""
    image = Path(args.image).read_bytes()  # before booting: an unreadable image is said at once
    with running_engine(args.state_dir, args.port) as (engine, prepared):
        from harness.cli import stack

        return stack.avatar_flow_report(engine, prepared, args, image)


def up(args: argparse.Namespace) -> int:
    """Boot and provision, write <state-dir>/stack.json, run until Ctrl-C or SIGTERM, or until LocalStack dies (exit 1)."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if args.state_dir:  # a restart in the same state dir: the last run's stack.json describes nothing that runs
        (Path(args.state_dir) / STACK_FILE).unlink(missing_ok=True)
    with (running_engine(args.state_dir, args.port) as (engine, prepared),
          withdrawn_at_exit(engine.state_dir / STACK_FILE)):
        from harness.cli import stack

        pool = prepared.pool
        pipeline, api = stack.provision_stack(prepared.clients_of(engine), pool, args)
        pool.save(engine.state_dir / IDENTITY_FILE)
        facts = stack.stack_facts(engine, pipeline, api, pool)
        stack_file = engine.state_dir / STACK_FILE
        partial = stack_file.with_suffix(".json.partial")
        partial.write_text(json.dumps(facts, indent=2) + "\n")
        partial.replace(stack_file)  # atomic: a reader never sees half a file
        print(json.dumps(facts, indent=2))
        print(f"wrote {stack_file}; running until Ctrl-C or SIGTERM", flush=True)
        become_the_watcher(engine, stack_file, stop)  # unless a stop came during provisioning: then on below
        engine.watch(stop)  # raises EngineDiedError (exit 1, with the log tail) if LocalStack dies under us
        print("shutting down", flush=True)
    return 0


def become_the_watcher(engine: LocalStackEngine, stack_file: Path, stop: threading.Event) -> None:
    """Exec `harness.cli.up_watch`, which keeps and stops the engine as this process would, without the ~80 MB of
    boto3 and the AWS library (issue 13); SIGINT/SIGTERM stay blocked across the exec, so none is lost."""
    signal.pthread_sigmask(signal.SIG_BLOCK, up_watch.STOP_SIGNALS)
    if stop.is_set():  # Ctrl-C while provisioning: shut down here
        signal.pthread_sigmask(signal.SIG_UNBLOCK, up_watch.STOP_SIGNALS)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, up_watch.arguments(engine.pid, stack_file, engine.log_path, engine.endpoint_url,
                                                engine.state_dir_of_its_own))


def token(args: argparse.Namespace) -> int:
    """Print an access token for the user pool of a running `harness up` (or an expired one)."""
    from harness.library.identity import FakeCognitoUserPool

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
    from botocore.exceptions import EndpointConnectionError

    from harness.library.aws import AwsClients
    from harness.library.cloudwatch_logs import follow
    from harness.library.targets.emulator_control import EmulatorControl

    stack_file = Path(args.state_dir) / "stack.json"
    if not stack_file.is_file():
        raise HarnessError(f"{stack_file} does not exist", hint=f"start the stack first: harness up --state-dir {args.state_dir}")
    stack = json.loads(stack_file.read_text())
    if "log_groups" not in stack:
        raise HarnessError(f"{stack_file} names no log groups", hint="it was written by an older harness up: start it again")
    clients = AwsClients(stack["endpoint_url"], stack["region"], emulator=EmulatorControl(stack["endpoint_url"]))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C ends it even if started with SIGINT ignored (as `up`)
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
    from harness.library.cors_explainer import CorsRequest
    from harness.library.cors_probe import probe

    headers = tuple(h.lower() for h in args.header)
    request = CorsRequest(args.origin, args.method.upper(), headers, content_type=args.content_type, credentials=args.credentials)
    result = probe(args.url, request, send=args.send, body=args.data.encode() if args.data else None)
    print(result.explain())
    return 0 if result.allowed else 1


def answers_diff(args: argparse.Namespace) -> int:
    """Compare what AWS answered with what the emulator answered, for the aws_unverified scenarios."""
    from harness.library.recorded_answers import differences

    if not any(args.aws_dir.glob("*.json")):
        raise HarnessError(f"no recorded answers in {args.aws_dir}", hint="record them with `pytest scenarios --engine aws --aws-opt-in`")
    found = differences(args.aws_dir, args.emulator_dir)
    print("\n".join(found) if found else "the emulator answered as AWS did in every recorded exchange")
    return 1 if found else 0


def doctor(args: argparse.Namespace) -> int:
    """Check the machine (python, LocalStack, Lambda runtimes, node and sharp, chromium, loopback) and say how to fix it."""
    from harness.cli.doctor import findings, report

    text, healthy = report(findings())
    print(text)
    return 0 if healthy else 1


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
        ("demo", demo, "boot the stack, run the avatar flow step by step, then one step broken on purpose"),
        ("up", up, "boot and provision the stack, write stack.json, run until Ctrl-C"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.set_defaults(run=function)
        command.add_argument("--state-dir", type=cli_arguments.state_dir, help="where LocalStack keeps its state (default: a fresh temp dir)")
        command.add_argument("--port", type=cli_arguments.port, help="loopback port (default: a free one)")
        command.add_argument("--sut", choices=IMPLEMENTATIONS, default=os.environ.get("HARNESS_SUT", "seed"),
                             help="the functions: seed (Ruby upload, Node authorizer and thumbnailer; the default, or $HARNESS_SUT) "
                                  "or python (the Python stand-ins)")
        command.add_argument("--runtime", default=None, type=cli_arguments.thumbnail_runtime,
                             help="thumbnail Lambda runtime (default: the --sut's, nodejs18.x or python3.12): python3.<minor> (Pillow) or nodejs<major>.x (sharp)")
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

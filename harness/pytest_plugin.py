"""pytest fixtures for the harness (registered with the `pytest11` entry point).

Two tiers, as pytest-httpserver does: session fixtures own the engine's life (boot once),
function fixtures create uniquely named resources and delete them at teardown.

`--engine` picks the target: LocalStack on the host (default), LocalStack in Docker, or a real AWS account
(`--engine aws --aws-opt-in`; `--dry-run` prints the plan). On AWS, tests marked `emulator_only` are skipped,
and tests marked `aws_unverified` record what AWS answered (`--record-answers`).
"""

from __future__ import annotations

import functools
import json
import os
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from harness.avatar_api import AvatarApi, AvatarApiSpec, provision_avatar_api
from harness.aws import AwsClients
from harness.aws_plan import PlannedTest, plan_text
from harness.cdn import CdnDistribution
from harness.cors_explainer import CorsRequest
from harness.cors_probe import CorsProbe, probe
from harness.engine import LocalStackEngine
from harness.engine_aws import AwsAccount, AwsTargetRefused, credentials_method, new_name_prefix, open_account
from harness.endpoints import client as aws_hostnames
from harness.endpoints.client import AwsEndpoints
from harness.engine_docker import DockerLocalStack
from harness.identity import FakeCognitoUserPool
from harness.lambda_functions import (
    THROWAWAY_ROLE_ARN, create_function, delete_function, delete_role, ensure_role, wait_function_ready,
)
from harness.progress import Write, step
from harness.recorded_answers import recorded_exchanges, write_answers
from harness.stack import ThumbnailPipeline, ThumbnailPipelineSpec, provision_thumbnail_pipeline

ENGINES = ("localstack-host", "localstack-docker", "aws")
PROGRESS_LEAD = "harness: "
Engine = LocalStackEngine | DockerLocalStack | AwsAccount
MARKERS = (
    "aws_unverified: behaviour not yet confirmed on real AWS (behaviour.md); --engine aws records what AWS answers",
    "emulator_only(reason): cannot run against a real AWS account; skipped with --engine aws",
)
_ACCOUNT = pytest.StashKey[AwsAccount]()
_OUTCOME = pytest.StashKey[str]()
_SWEPT = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "cruddur-harness targets")
    group.addoption("--engine", choices=ENGINES, default="localstack-host",
                    help="localstack-host: LocalStack as a host process, no Docker (default); "
                         "localstack-docker: docker-compose.yml through pytest-docker; "
                         "aws: a real account (needs --aws-opt-in and credentials)")
    group.addoption("--aws-opt-in", action="store_true", default=False,
                    help="confirm that --engine aws may create (and then delete) billable resources in the account")
    group.addoption("--aws-region", default=None, help="region for --engine aws (default: the SDK's configuration, else us-east-1)")
    group.addoption("--dry-run", action="store_true", default=False,
                    help="with --engine aws: print what would be created, run, skipped and recorded; touch nothing")
    group.addoption("--record-answers", default=None, metavar="DIR",
                    help="write the HTTP answers of aws_unverified tests to DIR (default with --engine aws: reports/aws-answers)")


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    if config.getoption("--dry-run") and config.getoption("--engine") != "aws":
        raise pytest.UsageError("--dry-run plans a run against a real account: add --engine aws")
    if config.getoption("--engine") != "aws" or config.getoption("--dry-run"):
        return
    try:
        config.stash[_ACCOUNT] = open_account(opted_in=config.getoption("--aws-opt-in"), region=config.getoption("--aws-region"))
    except AwsTargetRefused as refusal:
        raise pytest.UsageError(str(refusal)) from refusal


def _skip_reason(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("emulator_only")
    if marker is None:
        return None
    return f"emulator-only: {marker.args[0] if marker.args else 'needs the emulator'}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--engine") != "aws":
        return
    if config.getoption("--dry-run"):
        _print_plan(config, items)
        pytest.exit("dry run: nothing was created", returncode=0)
    for item in items:
        if (reason := _skip_reason(item)) is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def _print_plan(config: pytest.Config, items: list[pytest.Item]) -> None:
    session = boto3.session.Session(region_name=config.getoption("--aws-region"))
    tests = [PlannedTest(item.nodeid, _skip_reason(item), item.get_closest_marker("aws_unverified") is not None) for item in items]
    text = plan_text(region=session.region_name or "us-east-1", prefix=new_name_prefix(), credentials=credentials_method(session),
                     opted_in=config.getoption("--aws-opt-in"), tests=tests)
    config.get_terminal_writer().line("\n" + text)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _ACCOUNT in config.stash:
        swept = config.stash.get(_SWEPT, [])
        terminalreporter.write_sep("-", f"--engine aws teardown: deleted {len(swept)} resource(s) named {config.stash[_ACCOUNT].name_prefix}*")
        for label in swept:
            terminalreporter.write_line(f"  {label}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call" or report.outcome != "passed":
        item.stash[_OUTCOME] = report.outcome
    return report


def _answers_directory(config: pytest.Config) -> Path | None:
    if (given := config.getoption("--record-answers")) is not None:
        return Path(given)
    return config.rootpath / "reports" / "aws-answers" if config.getoption("--engine") == "aws" else None


@pytest.fixture(autouse=True)
def _record_aws_answers(request: pytest.FixtureRequest) -> Iterator[None]:
    """For `aws_unverified` tests: the HTTP exchanges they make, written with the outcome (see recorded_answers)."""
    directory = _answers_directory(request.config)
    if directory is None or request.node.get_closest_marker("aws_unverified") is None:
        yield
        return
    with recorded_exchanges() as exchanges:
        yield
    outcome = request.node.stash.get(_OUTCOME, "unknown")
    write_answers(directory, request.node.nodeid, request.config.getoption("--engine"), outcome, exchanges)


@pytest.fixture(scope="session")
def aws_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The target chosen by --engine: LocalStack on 127.0.0.1 as a host process (fresh state dir, stopped after
    the session), LocalStack in Docker started by pytest-docker, or a real AWS account (every resource named with
    the run's prefix is deleted at the end of the session, whatever happened)."""
    choice = request.config.getoption("--engine")
    progress = _progress(request.config)
    if choice == "aws":
        account = request.config.stash[_ACCOUNT]
        _terminal(request.config)(f"{PROGRESS_LEAD}--engine aws, region {account.region}, credentials from "
                                  f"{account.credentials_method}, every name starts with {account.name_prefix}\n")
        # An AWS_ENDPOINT_URL that is a harness engine standing in for the account answers AWS hostnames too.
        aws_hostnames.activate(AwsEndpoints.of_engine(os.environ["AWS_ENDPOINT_URL"]) if "AWS_ENDPOINT_URL" in os.environ else None)
        try:
            yield account
        finally:
            aws_hostnames.deactivate()
            request.config.stash[_SWEPT] = progress(f"deleting every resource named {account.name_prefix}*", account.sweep)
        return
    if choice == "localstack-docker":
        yield progress("waiting for LocalStack in Docker to be healthy", lambda: DockerLocalStack(
            request.getfixturevalue("docker_ip"), request.getfixturevalue("docker_services")))
        return
    local = LocalStackEngine(state_dir=tmp_path_factory.mktemp("localstack"))
    progress("booting LocalStack (host mode) on 127.0.0.1", local.start)
    aws_hostnames.activate(AwsEndpoints.of_engine(local.endpoint_url))  # harness.http: *.amazonaws.com -> it
    try:
        yield local
    finally:
        aws_hostnames.deactivate()
        progress("stopping LocalStack", local.stop)


def _terminal(config: pytest.Config) -> Write:
    """Writes on the terminal, past pytest's output capture (as live logging does); nothing with -q."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or config.get_verbosity() < 0:
        return lambda text: None

    def write(text: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()  # a line of its own among pytest's progress dots
            reporter.write(text, flush=True)

    return write


def _progress(config: pytest.Config) -> Callable[..., Any]:
    """`progress(label, action)`: runs a slow step, showing what happens and how long it took."""
    return functools.partial(step, write=_terminal(config), lead=PROGRESS_LEAD)


@pytest.fixture(scope="session")
def localstack_engine(aws_target: Engine) -> LocalStackEngine | DockerLocalStack:
    """The LocalStack behind the run; tests that need it (its logs, its /_harness endpoints) are emulator-only."""
    if isinstance(aws_target, AwsAccount):
        pytest.skip("emulator-only: this test needs LocalStack itself, not only AWS APIs")
    return aws_target


@pytest.fixture(scope="session")
def name_prefix(aws_target: Engine) -> str:
    """Put in front of every name a test creates: '' on an emulator, the run's `harness-<id>-` on AWS."""
    return aws_target.name_prefix


def _session_names(spec: Any, prefix: str) -> Any:
    """Emulators keep system.md's names for the session stack (bug reproductions read like the real system);
    on AWS every name is unique and carries the run's prefix (bucket names are global)."""
    return spec.with_unique_names(prefix) if prefix else spec


@pytest.fixture(scope="session")
def aws_client(aws_target: Engine) -> AwsClients:
    """`aws_client.s3`, `aws_client.lambda_`, `aws_client.logs`, ... pointed at the target."""
    return aws_target.clients()


@pytest.fixture
def lambda_function_factory(aws_client: AwsClients, name_prefix: str) -> Iterator[Callable[..., dict]]:
    """`make(**create_function_kwargs)`: CreateFunction with a unique name and a default role; waits
    until Active; returns the function configuration; deletes the function and its logs at teardown."""
    created: list[str] = []
    roles: list[str] = []

    def default_role() -> str:
        """LocalStack does not check roles; on AWS (a run prefix) a logs-only execution role, made once per test."""
        if not name_prefix:
            return THROWAWAY_ROLE_ARN
        roles[:] = roles or [f"{name_prefix}fn-role-{uuid.uuid4().hex[:8]}"]
        return ensure_role(aws_client.iam, roles[0])

    def make(**kwargs: Any) -> dict:
        kwargs.setdefault("FunctionName", f"{name_prefix}fn-{uuid.uuid4().hex[:10]}")
        kwargs["Role"] = kwargs.get("Role") or default_role()
        create_function(aws_client.lambda_, **kwargs)
        created.append(kwargs["FunctionName"])
        return wait_function_ready(aws_client.lambda_, kwargs["FunctionName"], timeout=30)

    yield make
    for name in created:
        delete_function(aws_client.lambda_, aws_client.logs, name)
    for role in roles:
        delete_role(aws_client.iam, role)


@pytest.fixture(scope="session")
def thumbnail_pipeline(request: pytest.FixtureRequest, aws_client: AwsClients, name_prefix: str) -> Iterator[ThumbnailPipeline]:
    """The pipeline as deployed (system.md names and values), shared by the session: use unique keys."""
    spec = _session_names(ThumbnailPipelineSpec(), name_prefix)
    progress = _progress(request.config)
    pipeline = progress(f"provisioning the thumbnail pipeline ({spec.uploads_bucket} -> {spec.function_name} -> {spec.assets_bucket})",
                    lambda: provision_thumbnail_pipeline(aws_client, spec))
    yield pipeline
    progress("deleting the thumbnail pipeline", pipeline.teardown)


@pytest.fixture
def thumbnail_pipeline_factory(aws_client: AwsClients, name_prefix: str) -> Iterator[Callable[..., ThumbnailPipeline]]:
    """`make(**spec_fields)`: a uniquely named pipeline with some fields changed; deleted at teardown."""
    created: list[ThumbnailPipeline] = []

    def make(**overrides: Any) -> ThumbnailPipeline:
        spec = ThumbnailPipelineSpec(**overrides).with_unique_names(name_prefix)
        pipeline = provision_thumbnail_pipeline(aws_client, spec)
        created.append(pipeline)
        return pipeline

    yield make
    for pipeline in reversed(created):
        pipeline.teardown()


@pytest.fixture(scope="session")
def cognito_user_pool(aws_client: AwsClients) -> FakeCognitoUserPool:
    """A fake Cognito user pool with this session's keys; mint tokens with `.access_token(sub=...)`."""
    return FakeCognitoUserPool(region=aws_client.region)


@pytest.fixture(scope="session")
def avatar_api(request: pytest.FixtureRequest, aws_client: AwsClients, cognito_user_pool: FakeCognitoUserPool, thumbnail_pipeline: ThumbnailPipeline,
               name_prefix: str) -> Iterator[AvatarApi]:
    """The avatar upload API as deployed (CORS in the API's configuration), feeding the session's pipeline."""
    spec = _session_names(AvatarApiSpec(uploads_bucket=thumbnail_pipeline.spec.uploads_bucket), name_prefix)
    progress = _progress(request.config)
    api = progress(f"provisioning the avatar upload API ({spec.api_name}, authorizer {spec.authorizer_function})",
               lambda: provision_avatar_api(aws_client, cognito_user_pool, spec))
    yield api
    progress("deleting the avatar upload API", api.teardown)


@pytest.fixture
def avatar_api_factory(aws_client: AwsClients, cognito_user_pool: FakeCognitoUserPool,
                       thumbnail_pipeline: ThumbnailPipeline, name_prefix: str) -> Iterator[Callable[..., AvatarApi]]:
    """`make(**spec_fields)`: a uniquely named avatar API with some fields changed; deleted at teardown."""
    created: list[AvatarApi] = []

    def make(**overrides: Any) -> AvatarApi:
        overrides.setdefault("uploads_bucket", thumbnail_pipeline.spec.uploads_bucket)
        api = provision_avatar_api(aws_client, cognito_user_pool, AvatarApiSpec(**overrides).with_unique_names(name_prefix))
        created.append(api)
        return api

    yield make
    for api in reversed(created):
        api.teardown()


@pytest.fixture
def gateway_clock(localstack_engine: LocalStackEngine) -> Iterator[Callable[[float], None]]:
    """`advance(seconds)`: move the HTTP API gateway's clock (cache TTLs, JWT expiry); reset after the test."""
    offset = [0.0]

    def put(seconds: float) -> None:
        body = json.dumps({"offset_seconds": seconds}).encode()
        request = urllib.request.Request(f"{localstack_engine.endpoint_url}/_harness/clock", data=body, method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def advance(seconds: float) -> None:
        offset[0] += seconds
        put(offset[0])

    yield advance
    put(0.0)


@pytest.fixture(scope="session")
def assets_cdn(thumbnail_pipeline: ThumbnailPipeline) -> Iterator[CdnDistribution]:
    """The CDN in front of the session pipeline's assets bucket: `assets_cdn.url + "/avatars/<sub>.jpg"`."""
    with CdnDistribution(thumbnail_pipeline.clients.s3, thumbnail_pipeline.spec.assets_bucket) as cdn:
        yield cdn


@pytest.fixture
def cors_probe() -> Callable[..., CorsProbe]:
    """`cors_probe(url, origin, method="POST", headers=("authorization",), content_type="", credentials=False, send=False)`:
    sends what a browser would send and returns its verdict; `.allowed`, and `.explain()` says why, rule by rule."""

    def run(url: str, origin: str, method: str = "POST", headers: tuple[str, ...] = (), content_type: str = "",
            credentials: bool = False, send: bool = False, body: bytes | None = None) -> CorsProbe:
        request = CorsRequest(origin, method.upper(), tuple(h.lower() for h in headers), content_type, credentials)
        return probe(url, request, send=send, body=body)

    return run


CHROMIUM = "/usr/bin/chromium"
# As the machine's probe found: without the background-networking flags Chromium tries to reach outside.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser(aws_target: Engine) -> Iterator[Any]:
    """A real headless Chromium (Debian's, driven by Playwright); skipped only when chromium is absent.
    On the host engine it sends `https://*.amazonaws.com` to the engine and trusts its certificates (harness.endpoints)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; `make setup` does it)")
    from playwright.sync_api import sync_playwright

    endpoints = aws_hostnames.active()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=CHROMIUM_ARGS + (endpoints.chromium_arguments() if endpoints else []))
        yield chromium
        chromium.close()

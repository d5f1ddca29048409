"""`--engine` and the target it chooses: LocalStack on the host (default), LocalStack in Docker, or a real AWS account
(`--engine aws --aws-opt-in`; `--dry-run` prints the plan). On AWS, tests marked `emulator_only` are skipped.

Two tiers, as pytest-httpserver does: the session fixture `aws_target` owns the target's life (boot once); the small
session fixtures `localstack_port`, `localstack_startup_timeout` and `localstack_extra_env` tune it and can be
overridden in a project's conftest.py (their defaults read HARNESS_LOCALSTACK_PORT and HARNESS_STARTUP_TIMEOUT).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from harness.library import aws_endpoints
from harness.library.aws_endpoints import AwsEndpoints
from harness.library.targets.aws_account import AwsAccount, AwsTargetRefused, credentials_method, new_name_prefix, open_account
from harness.library.targets.aws_plan import PlannedTest, plan_text
from harness.library.targets.localstack_docker import DockerLocalStack
from harness.library.targets.localstack_host import LocalStackEngine
from harness.library.targets.target import Target
from harness.pytest_plugin.terminal import PROGRESS_LEAD, progress, terminal

ENGINES = ("localstack-host", "localstack-docker", "aws")
MARKERS = (
    "aws_unverified: behaviour not yet confirmed on real AWS (behaviour.md); --engine aws records what AWS answers",
    "emulator_only(reason): cannot run against a real AWS account; skipped with --engine aws",
)
_ACCOUNT = pytest.StashKey[AwsAccount]()
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


# -- settings a project may override (conftest.py) ----------------------------------------------------------

@pytest.fixture(scope="session")
def localstack_port() -> int | None:
    """The loopback port of the host engine; None: a free one (HARNESS_LOCALSTACK_PORT sets the default)."""
    return int(os.environ["HARNESS_LOCALSTACK_PORT"]) if os.environ.get("HARNESS_LOCALSTACK_PORT") else None


@pytest.fixture(scope="session")
def localstack_startup_timeout() -> float:
    """Seconds the host engine may take to answer its health check (HARNESS_STARTUP_TIMEOUT sets the default)."""
    return float(os.environ.get("HARNESS_STARTUP_TIMEOUT") or 60)


@pytest.fixture(scope="session")
def localstack_extra_env() -> dict[str, str]:
    """Extra LocalStack settings for the host engine (e.g. {"DEBUG": "1"})."""
    return {}


# -- the target ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def aws_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The target chosen by --engine: LocalStack on 127.0.0.1 as a host process (fresh state dir, stopped after
    the session), LocalStack in Docker started by pytest-docker, or a real AWS account (every resource named with
    the run's prefix is deleted at the end of the session, whatever happened)."""
    target = _chosen_target(request, tmp_path_factory)
    step = progress(request.config)
    step(target.starting, target.start)
    aws_endpoints.activate(_aws_hostnames_answered_by(target))  # harness.library.http: https://*.amazonaws.com -> there
    try:
        yield target
    finally:
        aws_endpoints.deactivate()
        step(target.stopping, target.stop)
        if isinstance(target, AwsAccount):
            request.config.stash[_SWEPT] = target.swept


def _aws_hostnames_answered_by(target: Target) -> AwsEndpoints | None:
    """The host engine answers AWS hostnames itself (README "AWS hostnames inside Lambda"); so does a harness engine
    standing in for the account through AWS_ENDPOINT_URL; LocalStack in Docker and AWS itself do not need it."""
    if isinstance(target, LocalStackEngine):
        return AwsEndpoints.of_engine(target.endpoint_url)
    if target.emulator is None and "AWS_ENDPOINT_URL" in os.environ:
        return AwsEndpoints.of_engine(os.environ["AWS_ENDPOINT_URL"])
    return None


def _chosen_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Target:
    choice = request.config.getoption("--engine")
    if choice == "aws":
        account = request.config.stash[_ACCOUNT]
        terminal(request.config)(f"{PROGRESS_LEAD}--engine aws, region {account.region}, credentials from "
                                 f"{account.credentials_method}, every name starts with {account.name_prefix}\n")
        return account
    if choice == "localstack-docker":
        return DockerLocalStack(request.getfixturevalue("docker_ip"), request.getfixturevalue("docker_services"))
    return LocalStackEngine(state_dir=tmp_path_factory.mktemp("localstack"), port=request.getfixturevalue("localstack_port"),
                            startup_timeout=request.getfixturevalue("localstack_startup_timeout"),
                            extra_env=request.getfixturevalue("localstack_extra_env"))


@pytest.fixture(scope="session")
def localstack_engine(aws_target: Target) -> Target:
    """The LocalStack behind the run; tests that need it (its logs, its /_harness endpoints) are emulator-only."""
    if aws_target.emulator is None:
        pytest.skip("emulator-only: this test needs LocalStack itself, not only AWS APIs")
    return aws_target


@pytest.fixture(scope="session")
def name_prefix(aws_target: Target) -> str:
    """Put in front of every name a test creates: '' on an emulator, the run's `harness-<id>-` on AWS."""
    return aws_target.name_prefix

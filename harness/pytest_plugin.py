"""pytest fixtures for the harness (registered with the `pytest11` entry point).

Two tiers, as pytest-httpserver does: session fixtures own the engine's life (boot once),
function fixtures create uniquely named resources and delete them at teardown.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.avatar_api import AvatarApi, AvatarApiSpec, provision_avatar_api
from harness.aws import AwsClients
from harness.cdn import CdnDistribution
from harness.identity import FakeCognitoUserPool
from harness.engine import LocalStackEngine
from harness.engine_docker import DockerLocalStack
from harness.lambda_functions import THROWAWAY_ROLE_ARN, delete_function, wait_function_ready
from harness.stack import ThumbnailPipeline, ThumbnailPipelineSpec, provision_thumbnail_pipeline


ENGINES = ("localstack-host", "localstack-docker")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--engine", choices=ENGINES, default="localstack-host",
                     help="localstack-host: LocalStack as a host process, no Docker (default); "
                          "localstack-docker: docker-compose.yml through pytest-docker")


@pytest.fixture(scope="session")
def localstack_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The engine chosen by --engine: LocalStack on 127.0.0.1 as a host process (fresh state dir, stopped after
    the session), or LocalStack in Docker started by pytest-docker."""
    if request.config.getoption("--engine") == "localstack-docker":
        yield DockerLocalStack(request.getfixturevalue("docker_ip"), request.getfixturevalue("docker_services"))
        return
    with LocalStackEngine(state_dir=tmp_path_factory.mktemp("localstack")) as engine:
        yield engine


@pytest.fixture(scope="session")
def aws_client(localstack_engine: LocalStackEngine) -> AwsClients:
    """`aws_client.s3`, `aws_client.lambda_`, `aws_client.logs`, ... pointed at the engine."""
    return localstack_engine.clients()


@pytest.fixture
def lambda_function_factory(aws_client: AwsClients) -> Iterator[Callable[..., dict]]:
    """`make(**create_function_kwargs)`: CreateFunction with a unique name and a default role; waits
    until Active; returns the function configuration; deletes the function and its logs at teardown."""
    created: list[str] = []

    def make(**kwargs: Any) -> dict:
        kwargs.setdefault("FunctionName", f"fn-{uuid.uuid4().hex[:10]}")
        kwargs.setdefault("Role", THROWAWAY_ROLE_ARN)
        aws_client.lambda_.create_function(**kwargs)
        created.append(kwargs["FunctionName"])
        return wait_function_ready(aws_client.lambda_, kwargs["FunctionName"], timeout=30)

    yield make
    for name in created:
        delete_function(aws_client.lambda_, aws_client.logs, name)


@pytest.fixture(scope="session")
def thumbnail_pipeline(aws_client: AwsClients) -> Iterator[ThumbnailPipeline]:
    """The pipeline as deployed (system.md names and values), shared by the session: use unique keys."""
    pipeline = provision_thumbnail_pipeline(aws_client, ThumbnailPipelineSpec())
    yield pipeline
    pipeline.teardown()


@pytest.fixture
def thumbnail_pipeline_factory(aws_client: AwsClients) -> Iterator[Callable[..., ThumbnailPipeline]]:
    """`make(**spec_fields)`: a uniquely named pipeline with some fields changed; deleted at teardown."""
    created: list[ThumbnailPipeline] = []

    def make(**overrides: Any) -> ThumbnailPipeline:
        spec = ThumbnailPipelineSpec(**overrides).with_unique_names()
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
def avatar_api(aws_client: AwsClients, cognito_user_pool: FakeCognitoUserPool, thumbnail_pipeline: ThumbnailPipeline) -> Iterator[AvatarApi]:
    """The avatar upload API as deployed (CORS in the API's configuration), feeding the session's pipeline."""
    api = provision_avatar_api(aws_client, cognito_user_pool, AvatarApiSpec(uploads_bucket=thumbnail_pipeline.spec.uploads_bucket))
    yield api
    api.teardown()


@pytest.fixture
def avatar_api_factory(aws_client: AwsClients, cognito_user_pool: FakeCognitoUserPool,
                       thumbnail_pipeline: ThumbnailPipeline) -> Iterator[Callable[..., AvatarApi]]:
    """`make(**spec_fields)`: a uniquely named avatar API with some fields changed; deleted at teardown."""
    created: list[AvatarApi] = []

    def make(**overrides: Any) -> AvatarApi:
        overrides.setdefault("uploads_bucket", thumbnail_pipeline.spec.uploads_bucket)
        api = provision_avatar_api(aws_client, cognito_user_pool, AvatarApiSpec(**overrides).with_unique_names())
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


CHROMIUM = "/usr/bin/chromium"
# As the machine's probe found: without the background-networking flags Chromium tries to reach outside.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A real headless Chromium (Debian's, driven by Playwright); skipped only when chromium is absent."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; `make setup` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

"""Fixtures of the system under test (system.md): the thumbnail pipeline and the avatar upload API as deployed,
factories for variants of them (each bug scenario changes one field), the fake Cognito user pool, the gateway's
clock, the CDN in front of the assets bucket and `cors_probe`. Session fixtures keep system.md's names on an
emulator; on AWS every name is unique and carries the run's prefix (bucket names are global)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.library.avatar_api import AvatarApi, AvatarApiSpec, provision_avatar_api
from harness.library.aws import AwsClients
from harness.library.cdn import CdnDistribution
from harness.library.cleanup import Cleanup
from harness.library.cors_explainer import CorsRequest
from harness.library.cors_probe import CorsProbe, probe
from harness.library.identity import FakeCognitoUserPool
from harness.library.targets.emulator_control import EmulatorControl
from harness.library.targets.target import Target
from harness.library.layout import IMPLEMENTATIONS
from harness.library.thumbnail_pipeline import ThumbnailPipeline, ThumbnailPipelineSpec, provision_thumbnail_pipeline
from harness.pytest_plugin.terminal import progress


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("harness").addoption(
        "--sut", choices=IMPLEMENTATIONS, default=os.environ.get("HARNESS_SUT", "seed"),
        help="the system under test: 'seed' (Ruby upload, Node authorizer and thumbnailer, the default) or 'python' "
             "(the Python stand-ins); default $HARNESS_SUT, else seed")


@pytest.fixture(scope="session")
def sut(request: pytest.FixtureRequest) -> str:
    """Which implementation of the Cruddur functions the fixtures deploy (`--sut`, `HARNESS_SUT`)."""
    return request.config.getoption("--sut")


def _session_names(spec: Any, target: Target) -> Any:
    """Emulators keep system.md's names for the session stack (bug reproductions read like the real system)."""
    return spec if target.emulator is not None else spec.with_unique_names(target.name_prefix)


@pytest.fixture(scope="session")
def thumbnail_pipeline(request: pytest.FixtureRequest, aws_target: Target, aws_client: AwsClients,
                       sut: str) -> Iterator[ThumbnailPipeline]:
    """The pipeline as deployed (system.md names and values), shared by the session: use unique keys."""
    spec = _session_names(ThumbnailPipelineSpec(implementation=sut), aws_target)
    step = progress(request.config)
    pipeline = step(f"provisioning the thumbnail pipeline ({spec.uploads_bucket} -> {spec.function_name} -> {spec.assets_bucket})",
                    lambda: provision_thumbnail_pipeline(aws_client, spec))
    yield pipeline
    step("deleting the thumbnail pipeline", pipeline.teardown)


@pytest.fixture
def thumbnail_pipeline_factory(aws_client: AwsClients, name_prefix: str, sut: str) -> Iterator[Callable[..., ThumbnailPipeline]]:
    """`make(**spec_fields)`: a uniquely named pipeline with some fields changed (`implementation` defaults to
    `--sut`); deleted at teardown."""
    created: list[ThumbnailPipeline] = []

    def make(**overrides: Any) -> ThumbnailPipeline:
        overrides.setdefault("implementation", sut)
        pipeline = provision_thumbnail_pipeline(aws_client, ThumbnailPipelineSpec(**overrides).with_unique_names(name_prefix))
        created.append(pipeline)
        return pipeline

    yield make
    _teardown_all("the pipelines of thumbnail_pipeline_factory", created)


def _teardown_all(what: str, made: list[ThumbnailPipeline] | list[AvatarApi]) -> None:
    """Tear down every one (newest first), whatever fails, then report every failure together."""
    cleanup = Cleanup(what)
    for item in reversed(made):
        cleanup.run(item.description, item.teardown)
    cleanup.raise_if_failed()


@pytest.fixture(scope="session")
def cognito_user_pool(aws_client: AwsClients) -> FakeCognitoUserPool:
    """A fake Cognito user pool with this session's keys; mint tokens with `.access_token(sub=...)`."""
    return FakeCognitoUserPool(region=aws_client.region)


@pytest.fixture(scope="session")
def avatar_api(request: pytest.FixtureRequest, aws_target: Target, aws_client: AwsClients, cognito_user_pool: FakeCognitoUserPool,
               thumbnail_pipeline: ThumbnailPipeline, sut: str) -> Iterator[AvatarApi]:
    """The avatar upload API as deployed (CORS in the API's configuration), feeding the session's pipeline."""
    spec = _session_names(AvatarApiSpec(uploads_bucket=thumbnail_pipeline.spec.uploads_bucket, implementation=sut), aws_target)
    step = progress(request.config)
    api = step(f"provisioning the avatar upload API ({spec.api_name}, authorizer {spec.authorizer_function})",
               lambda: provision_avatar_api(aws_client, cognito_user_pool, spec))
    yield api
    step("deleting the avatar upload API", api.teardown)


@pytest.fixture
def avatar_api_factory(aws_client: AwsClients, cognito_user_pool: FakeCognitoUserPool,
                       thumbnail_pipeline: ThumbnailPipeline, name_prefix: str, sut: str) -> Iterator[Callable[..., AvatarApi]]:
    """`make(**spec_fields)`: a uniquely named avatar API with some fields changed (`implementation` defaults to
    `--sut`); deleted at teardown."""
    created: list[AvatarApi] = []

    def make(**overrides: Any) -> AvatarApi:
        overrides.setdefault("implementation", sut)
        overrides.setdefault("uploads_bucket", thumbnail_pipeline.spec.uploads_bucket)
        api = provision_avatar_api(aws_client, cognito_user_pool, AvatarApiSpec(**overrides).with_unique_names(name_prefix))
        created.append(api)
        return api

    yield make
    _teardown_all("the APIs of avatar_api_factory", created)


@pytest.fixture
def gateway_clock(localstack_engine: Target) -> Iterator[Callable[[float], None]]:
    """`advance(seconds)`: move the HTTP API gateway's clock (cache TTLs, JWT expiry); reset after the test."""
    emulator: EmulatorControl = localstack_engine.emulator
    offset = [0.0]

    def advance(seconds: float) -> None:
        offset[0] += seconds
        emulator.set_clock_offset(offset[0])

    yield advance
    emulator.set_clock_offset(0.0)


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

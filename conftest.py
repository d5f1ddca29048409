"""Project-wide pytest configuration. The harness fixtures come from harness.pytest_plugin (entry point)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden", action="store_true", default=False,
        help="rewrite fixtures/golden/*.jpg from the Python thumbnail rule instead of comparing against them",
    )


@pytest.fixture(scope="session")
def regenerate_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--regenerate-golden")


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    """pytest-docker's compose file for `--engine localstack-docker`: LocalStack with the harness's plugins."""
    from harness.engine_docker import COMPOSE_FILE

    return str(COMPOSE_FILE)

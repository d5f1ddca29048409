"""Project-wide pytest configuration. The harness fixtures come from harness.pytest_plugin (pytest11 entry points)."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).parent / "tests"


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
    from harness.library.targets.localstack_docker import COMPOSE_FILE

    return str(COMPOSE_FILE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """tests/ checks the harness's own emulation (engine, Lambda executor, gateway): nothing there runs on AWS."""
    for item in items:
        if item.path.is_relative_to(TESTS_DIR):
            item.add_marker(pytest.mark.emulator_only("a test of the harness's own emulation"))

"""Project-wide pytest configuration. The harness fixtures come from harness.pytest_plugin (pytest11 entry points)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# pytest keeps the assertion-rewritten test modules in __pycache__ only where Python may write bytecode. This machine
# kind sets PYTHONDONTWRITEBYTECODE, so every pytest process rewrote and compiled every test module again, on every run
# (~2 s of CPU each: 3 workers and the --sut python run). This process may write it (the checkout's __pycache__ is
# ignored by git, and pytest replaces a file atomically, so concurrent workers are safe); the engines and runtimes it
# starts keep the environment's setting.
sys.dont_write_bytecode = False

TESTS_DIR = Path(__file__).parent / "tests"
# The suite's longest tests (measured, seconds on 2 cores with -n 3), run first so that no worker starts one of them
# last while the others sit idle. Only the order changes: each test sets up what it uses and tests no other's leftovers.
LONGEST_FIRST = (
    "scenarios/test_cdk_app.py::test_cdk_app_deploys_makes_thumbnails_serves_the_avatar_api_and_destroys",  # 50-75
    "scenarios/test_cdk_app.py::test_a_failing_cdk_deploy_says_which_resource_failed_and_why",  # 20-36
    "tests/test_cli.py::test_demo_runs_the_avatar_flow",  # 30
    "tests/test_readme_example.py::",  # 30
    "tests/test_cli.py::test_up_writes_stack_json_and_stops_cleanly_on_sigterm",  # 30
    "scenarios/test_thumbnail_pipeline.py::test_bug_16_",  # 30
    "scenarios/test_thumbnail_pipeline.py::test_bad_upload_fails_cleanly_and_loses_nothing",  # 4 x 15-35
    "tests/test_installed_wheel.py::test_the_wheel_installed_elsewhere",  # 15-30
    "tests/test_aws_target.py::test_a_run_provisions_under_its_prefix",  # 22
    "scenarios/test_hostile_harness_up.py::",  # 17
    "scenarios/test_thumbnail_pipeline.py::test_bug_10_",  # 6 x 8-34
)


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
    items[:] = longest_first(items, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1))


def pytest_itemcollected(item: pytest.Item) -> None:
    """Tests that share a module-scoped fixture of their own module (a provisioned API or pipeline, an engine with its
    own settings, a cache of functions) go to one worker under `--dist loadgroup` (Makefile), so that the fixture is
    made once and not once per worker that runs one of them; they still run one by one."""
    info = getattr(item, "_fixtureinfo", None)
    module = item.nodeid.split("::", 1)[0]
    if info is not None and any(defs[-1].scope == "module" and defs[-1].baseid == module for defs in info.name2fixturedefs.values()):
        item.add_marker(pytest.mark.xdist_group(module))


def _rank(item: pytest.Item) -> int:
    return next((rank for rank, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))


def longest_first(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """LONGEST_FIRST's tests first, the rest in collection order (module fixtures stay shared). pytest-xdist (`-n`,
    `--dist loadgroup`, Makefile) hands each worker two tests (or one group) to start with: pair the longest with the shortest of
    those 2 x workers (snake order), so that the first round is even."""
    ranked = sorted(items, key=_rank)  # stable
    long = [item for item in ranked if _rank(item) < len(LONGEST_FIRST)]
    first = long[:2 * workers]
    snake = [item for pair in zip(first[:workers], reversed(first[workers:])) for item in pair] if len(first) == 2 * workers else first
    return snake + ranked[len(snake):]

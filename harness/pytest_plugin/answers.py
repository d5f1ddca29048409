"""For `aws_unverified` tests: the HTTP exchanges they make, written with the test's outcome
(`harness.library.recorded_answers`), with `--engine aws` or `--record-answers DIR`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.library.recorded_answers import recorded_exchanges, write_answers

_OUTCOME = pytest.StashKey[str]()


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
    directory = _answers_directory(request.config)
    if directory is None or request.node.get_closest_marker("aws_unverified") is None:
        yield
        return
    with recorded_exchanges() as exchanges:
        yield
    outcome = request.node.stash.get(_OUTCOME, "unknown")
    write_answers(directory, request.node.nodeid, request.config.getoption("--engine"), outcome, exchanges)

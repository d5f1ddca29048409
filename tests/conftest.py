"""Fixtures the unit tests share."""

from __future__ import annotations

import pytest

from harness.library.identity import Clock, FakeCognitoUserPool


@pytest.fixture(scope="module")
def shared_pool() -> FakeCognitoUserPool:
    """One fake user pool per test module, for the parametrized cases that only read its tokens: a pool per case made
    one or two RSA key pairs each (~40 ms of CPU apiece, about half of the suite's ~110) for tokens of one shape."""
    return FakeCognitoUserPool(clock=Clock(1_800_000_000))


@pytest.fixture(scope="module")
def bad_tokens(shared_pool: FakeCognitoUserPool) -> dict[str, str]:
    """`shared_pool.bad_tokens()`, made once per module."""
    return shared_pool.bad_tokens()

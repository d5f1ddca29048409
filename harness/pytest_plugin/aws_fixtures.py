"""Generic AWS fixtures for any project's tests: `aws_client`, `lambda_function_factory` and `s3_bucket_factory`, on whichever target
`--engine` chose (harness.pytest_plugin.targets). Factories take boto3 kwargs, make unique names, clean up."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.library.aws import AwsClients
from harness.library.cleanup import Cleanup
from harness.library.lambda_functions import THROWAWAY_ROLE_ARN, create_function, delete_function, delete_role, ensure_role, wait_function_ready
from harness.library.s3 import delete_bucket, ensure_bucket
from harness.library.targets.target import Target


@pytest.fixture(scope="session")
def aws_client(aws_target: Target) -> AwsClients:
    """`aws_client.s3`, `aws_client.lambda_`, `aws_client.logs`, ... pointed at the target."""
    return aws_target.clients()


@pytest.fixture
def lambda_function_factory(aws_target: Target, aws_client: AwsClients) -> Iterator[Callable[..., dict]]:
    """`make(**create_function_kwargs)`: CreateFunction with a unique name and a default role; waits
    until Active; returns the function configuration; deletes the functions, their logs and roles at teardown."""
    prefix = aws_target.name_prefix
    created: list[str] = []
    roles: list[str] = []

    def default_role() -> str:
        """An emulator does not check roles; on AWS a logs-only execution role, made once per test."""
        if aws_target.emulator is not None:
            return THROWAWAY_ROLE_ARN
        roles[:] = roles or [f"{prefix}fn-role-{uuid.uuid4().hex[:8]}"]
        return ensure_role(aws_client.iam, roles[0])

    def make(**kwargs: Any) -> dict:
        kwargs.setdefault("FunctionName", f"{prefix}fn-{uuid.uuid4().hex[:10]}")
        kwargs["Role"] = kwargs.get("Role") or default_role()
        create_function(aws_client.lambda_, **kwargs)
        created.append(kwargs["FunctionName"])
        return wait_function_ready(aws_client.lambda_, kwargs["FunctionName"], timeout=30)

    yield make
    cleanup = Cleanup("the functions of lambda_function_factory")
    for name in created:
        cleanup.run(f"lambda function {name}", lambda name=name: delete_function(aws_client.lambda_, aws_client.logs, name))
    for role in roles:
        cleanup.run(f"iam role {role}", lambda role=role: delete_role(aws_client.iam, role))
    cleanup.raise_if_failed()


@pytest.fixture
def s3_bucket_factory(aws_target: Target, aws_client: AwsClients) -> Iterator[Callable[..., str]]:
    """`make(name_stem="bucket", **create_bucket_kwargs)`: CreateBucket with a unique name (the run's prefix on AWS);
    returns the name; empties and deletes every bucket it made at teardown."""
    created: list[str] = []

    def make(name_stem: str = "bucket", **kwargs: Any) -> str:
        name = f"{aws_target.name_prefix}{name_stem}-{uuid.uuid4().hex[:8]}"
        ensure_bucket(aws_client.s3, name, **kwargs)
        created.append(name)
        return name

    yield make
    cleanup = Cleanup("the buckets of s3_bucket_factory")
    for name in created:
        cleanup.run(f"s3 bucket {name}", lambda name=name: delete_bucket(aws_client.s3, name))
    cleanup.raise_if_failed()

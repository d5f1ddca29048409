"""`--engine aws`: the same scenarios against a real AWS account, with the same face as `LocalStackEngine`.

It refuses to start unless the run is confirmed (`--aws-opt-in`) and credentials are found. Everything it
creates is named `harness-<run id>-...`, and `sweep()` deletes every resource with that prefix at the end of
the session, whatever happened, so a failing or interrupted run leaves nothing behind that costs money.
Credentials, region and endpoint come from the SDK's usual configuration (AWS_PROFILE, AWS_REGION, ...).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from harness.library.aws import DEFAULT_REGION, AwsClients
from harness.shared.errors import HarnessError
from harness.library.lambda_functions import delete_function, delete_role
from harness.library.s3 import delete_bucket
from harness.library.targets.target import Target

OPT_IN_FLAG = "--aws-opt-in"
CREDENTIALS_HINT = "configure credentials as for the AWS CLI (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"


class AwsTargetRefused(HarnessError):
    """`--engine aws` was not confirmed, or has no credentials."""


def new_name_prefix() -> str:
    return f"harness-{uuid.uuid4().hex[:8]}-"


def credentials_method(session: boto3.session.Session) -> str | None:
    """How botocore's credential chain found credentials ('env', 'shared-credentials-file', ...), None if it did not."""
    credentials = session.get_credentials()
    return credentials.method if credentials is not None else None


class AwsAccount(Target):
    """A real account: `clients()` use the SDK's configuration; every name starts with `name_prefix`.
    Nothing to boot; `stop()` sweeps every resource named with the prefix (what it deleted: `swept`)."""

    def __init__(self, region: str, name_prefix: str, credentials_method: str) -> None:
        self.region = region
        self.name_prefix = name_prefix
        self.credentials_method = credentials_method
        self.swept: list[str] = []

    starting = "using the AWS account"

    @property
    def stopping(self) -> str:
        return f"deleting every resource named {self.name_prefix}*"

    def start(self) -> AwsAccount:
        return self

    def stop(self) -> None:
        self.swept = sweep(self.clients(), self.name_prefix)

    def clients(self) -> AwsClients:
        """The SDK's own endpoints (AWS, or AWS_ENDPOINT_URL when set) and credential chain."""
        return AwsClients(None, self.region, credentials={})


def open_account(*, opted_in: bool, region: str | None) -> AwsAccount:
    """The account to run in, or AwsTargetRefused saying what is missing."""
    if not opted_in:
        raise AwsTargetRefused(
            "--engine aws creates real, billable resources in an AWS account, and this run was not confirmed",
            hint=f"add {OPT_IN_FLAG} to confirm; --dry-run prints what would be created and run, without touching AWS",
        )
    session = boto3.session.Session(region_name=region)
    method = credentials_method(session)
    if method is None:
        raise AwsTargetRefused(
            "--engine aws found no AWS credentials",
            evidence="botocore's credential chain (environment, shared files, SSO, process, container, instance metadata) found none",
            hint=CREDENTIALS_HINT,
        )
    return AwsAccount(region=session.region_name or DEFAULT_REGION, name_prefix=new_name_prefix(), credentials_method=method)


# -- teardown by prefix --------------------------------------------------------------------------------

def _named(items: Iterator[str], prefix: str) -> list[str]:
    return sorted(name for name in items if name.startswith(prefix))


def _apis(clients: AwsClients, prefix: str) -> list[tuple[str, Callable[[], None]]]:
    apis = [api for page in clients.apigatewayv2.get_paginator("get_apis").paginate() for api in page.get("Items", [])]
    return [(f"http api {api['Name']} ({api['ApiId']})", lambda api_id=api["ApiId"]: clients.apigatewayv2.delete_api(ApiId=api_id))
            for api in apis if api["Name"].startswith(prefix)]


def _functions(clients: AwsClients, prefix: str) -> list[tuple[str, Callable[[], None]]]:
    pages = clients.lambda_.get_paginator("list_functions").paginate()
    names = _named((fn["FunctionName"] for page in pages for fn in page["Functions"]), prefix)
    return [(f"lambda function {name}", lambda name=name: delete_function(clients.lambda_, clients.logs, name)) for name in names]


def _buckets(clients: AwsClients, prefix: str) -> list[tuple[str, Callable[[], None]]]:
    s3 = clients.s3

    def delete(bucket: str) -> None:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})  # no event outlives the run
        delete_bucket(s3, bucket)

    names = _named((bucket["Name"] for bucket in s3.list_buckets()["Buckets"]), prefix)
    return [(f"s3 bucket {name}", lambda name=name: delete(name)) for name in names]


def _roles(clients: AwsClients, prefix: str) -> list[tuple[str, Callable[[], None]]]:
    pages = clients.iam.get_paginator("list_roles").paginate()
    names = _named((role["RoleName"] for page in pages for role in page["Roles"]), prefix)
    return [(f"iam role {name}", lambda name=name: delete_role(clients.iam, name)) for name in names]


def _log_groups(clients: AwsClients, prefix: str) -> list[tuple[str, Callable[[], None]]]:
    paginator = clients.logs.get_paginator("describe_log_groups")
    names = [group["logGroupName"] for kind in ("lambda", "apigateway")  # functions' logs, APIs' access logs
             for page in paginator.paginate(logGroupNamePrefix=f"/aws/{kind}/{prefix}") for group in page["logGroups"]]
    return [(f"log group {name}", lambda name=name: clients.logs.delete_log_group(logGroupName=name)) for name in names]


# APIs first (no new invocations), then buckets (no new events), functions, roles, and the logs they wrote last.
_KINDS = (_apis, _buckets, _functions, _roles, _log_groups)


def sweep(clients: AwsClients, prefix: str) -> list[str]:
    """Delete every resource named `<prefix>...`; returns what was deleted. Carries on past a failure and
    raises at the end with each resource it could not delete, so one stuck resource does not strand the rest."""
    if not prefix.startswith("harness-") or len(prefix) < len("harness-") + 8:
        raise ValueError(f"refusing to sweep with prefix {prefix!r}: not a harness run prefix")
    deleted: list[str] = []
    failed: list[str] = []
    for kind in _KINDS:
        for label, delete in _list_or_fail(kind, clients, prefix, failed):
            try:
                delete()
                deleted.append(label)
            except ClientError as error:
                failed.append(f"{label}: {error}")
    if failed:
        raise HarnessError(f"could not delete {len(failed)} resource(s) named {prefix}*", evidence="\n".join(failed),
                           hint=f"delete them by hand (console or CLI); everything this run created starts with {prefix}")
    return deleted


def _list_or_fail(kind: Callable[..., list], clients: AwsClients, prefix: str, failed: list[str]) -> list[tuple[str, Any]]:
    try:
        return kind(clients, prefix)
    except ClientError as error:
        failed.append(f"listing for {kind.__name__.strip('_')}: {error}")
        return []

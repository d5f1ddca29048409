"""Lambda provisioning and inspection with plain boto3 calls (valid on AWS unchanged)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.library.waiting import wait_until

# For functions whose permissions do not matter (LocalStack does not enforce IAM by default).
THROWAWAY_ROLE_ARN = "arn:aws:iam::000000000000:role/harness-lambda-role"
_LOGS_STATEMENT = {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
# IAM is eventually consistent: on AWS a role created seconds ago may not be assumable by Lambda yet.
ROLE_PROPAGATION_SECONDS = 60.0
ROLE_RETRY_INTERVAL_SECONDS = 2.0
LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def ensure_role(iam: Any, name: str, *statements: dict) -> str:
    """The function's execution role (created once, policy replaced each time): the given statements, and the
    CloudWatch Logs writes every function needs; returns its ARN."""
    policy = {"Version": "2012-10-17", "Statement": [*statements, _LOGS_STATEMENT]}
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY))["Role"]["Arn"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
    return arn


def delete_role(iam: Any, name: str) -> None:
    """Delete the role's inline policies, then the role; a missing role is fine."""
    try:
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        iam.delete_role(RoleName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchEntity":
            raise


def _role_not_assumable_yet(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "InvalidParameterValueException" and "cannot be assumed" in str(error)


def create_function(lambda_: Any, **create_kwargs: Any) -> str:
    """CreateFunction; retried while the execution role is too new for Lambda to assume it (AWS: IAM propagation)."""
    refusals: list[str] = []

    def attempt() -> str | None:
        try:
            return lambda_.create_function(**create_kwargs)["FunctionArn"]
        except ClientError as error:
            if not _role_not_assumable_yet(error):
                raise
            refusals.append(str(error))
            return None

    return wait_until(attempt, timeout=ROLE_PROPAGATION_SECONDS, interval=ROLE_RETRY_INTERVAL_SECONDS, what=f"role {create_kwargs.get('Role')} to be assumable",
                      evidence=lambda: refusals[-1], hint="check the role's trust policy names lambda.amazonaws.com")


def deploy_function(lambda_: Any, *, timeout: float = 60.0, **create_kwargs: Any) -> str:
    """CreateFunction, or UpdateFunctionCode + UpdateFunctionConfiguration if it exists; waits until usable."""
    name = create_kwargs["FunctionName"]
    try:
        arn = create_function(lambda_, **create_kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceConflictException":
            raise
        code = {"ZipFile": create_kwargs["Code"]["ZipFile"]}
        if "Architectures" in create_kwargs:
            code["Architectures"] = create_kwargs["Architectures"]  # set with the code, not the configuration
        lambda_.update_function_code(FunctionName=name, **code)
        wait_function_ready(lambda_, name, timeout)
        create_only = ("Code", "Publish", "PackageType", "Tags", "Architectures")
        config = {k: v for k, v in create_kwargs.items() if k not in create_only}
        arn = lambda_.update_function_configuration(**config)["FunctionArn"]
    wait_function_ready(lambda_, name, timeout)
    return arn


def wait_function_ready(lambda_: Any, name: str, timeout: float) -> dict:
    """State Active and LastUpdateStatus Successful (the v2 waiters poll once a second; this polls fast)."""
    last: dict = {}

    def ready() -> dict | None:
        nonlocal last
        last = lambda_.get_function_configuration(FunctionName=name)
        if last.get("State") == "Failed" or last.get("LastUpdateStatus") == "Failed":
            raise RuntimeError(f"function {name} failed to deploy: {last.get('StateReason') or last.get('LastUpdateStatusReason')}")
        return last if last.get("State") == "Active" and last.get("LastUpdateStatus", "Successful") == "Successful" else None

    return wait_until(
        ready, timeout=timeout, what=f"function {name} to become Active", interval=0.05,
        evidence=lambda: json.dumps({k: last.get(k) for k in ("State", "StateReason", "LastUpdateStatus")}),
    )


def allow_invoke(lambda_: Any, function_name: str, statement_id: str, **permission: str) -> None:
    """A resource-policy statement letting a service invoke the function (idempotent)."""
    try:
        lambda_.add_permission(FunctionName=function_name, StatementId=statement_id, Action="lambda:InvokeFunction", **permission)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceConflictException":
            raise


def allow_s3_invoke(lambda_: Any, function_name: str, bucket: str, account_id: str) -> None:
    """The resource policy S3 needs to invoke the function (AWS checks it when the notification is set)."""
    allow_invoke(lambda_, function_name, f"s3-invoke-{bucket}".replace(".", "-"), Principal="s3.amazonaws.com",
                 SourceArn=f"arn:aws:s3:::{bucket}", SourceAccount=account_id)


def allow_apigateway_invoke(lambda_: Any, function_name: str, api_id: str, region: str, account_id: str) -> None:
    """What an HTTP API needs to call the function (without it AWS answers 500)."""
    allow_invoke(lambda_, function_name, f"apigateway-{api_id}", Principal="apigateway.amazonaws.com",
                 SourceArn=f"arn:aws:execute-api:{region}:{account_id}:{api_id}/*")


def delete_function(lambda_: Any, logs: Any, name: str) -> None:
    """DeleteFunction and its log group; either one missing is fine."""
    try:
        lambda_.delete_function(FunctionName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    delete_log_group(logs, log_group(name))


def ensure_log_group(logs: Any, name: str) -> None:
    """CreateLogGroup; an existing group is fine."""
    try:
        logs.create_log_group(logGroupName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise


def delete_log_group(logs: Any, name: str) -> None:
    """DeleteLogGroup; a missing group is fine."""
    try:
        logs.delete_log_group(logGroupName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise


def log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def function_logs(logs: Any, function_name: str) -> str:
    """Every log line the function wrote to CloudWatch Logs so far, in order ('' if none yet)."""
    lines: list[str] = []
    try:
        for page in logs.get_paginator("filter_log_events").paginate(logGroupName=log_group(function_name)):
            lines += [event["message"].rstrip("\n") for event in page.get("events", [])]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    return "\n".join(lines)


def wait_for_function_logs(logs: Any, function_name: str, text: str, timeout: float = 30.0) -> str:
    """The function's logs once they contain `text` (CloudWatch Logs receives them asynchronously; on AWS, seconds later).
    Polled from 10 times a second down to twice a second: FilterLogEvents has a low request quota on AWS."""
    return wait_until(lambda: text in (found := function_logs(logs, function_name)) and found, timeout=timeout,
                      interval=0.1, max_interval=0.5,
                      what=f"{text!r} in the logs of {function_name}", evidence=lambda: function_logs(logs, function_name)[-4000:] or "(none yet)")


def invocation_count(logs_text: str) -> int:
    """How many times the function ran (one START line per attempt, as Lambda writes it)."""
    return sum(1 for line in logs_text.splitlines() if line.startswith("START RequestId:"))

"""Invoke, from inside LocalStack, through LocalStack's own Lambda service: what an internal Invoke call ends in.

API Gateway's integrations and authorizers and S3's event notifications invoke functions. LocalStack 4.13.1 does it
with an internal boto3 Invoke call: botocore serialisation, the whole handler chain, the provider's parsing, which
py-spy showed costing more than the invocation itself (issue 13). `invoke` calls the service the provider calls, with
the same arguments: the same version or alias resolution, function state checks, concurrency, event queue for
`Event` invocations, executor. Errors are LocalStack's ServiceExceptions, as Invoke would answer them
(`invoke_error_text` words them as a boto3 caller would have seen them).
"""

from __future__ import annotations

from typing import Any


def invoke(function_arn: str, payload: bytes, invocation_type: str, account_id: str, region: str) -> Any:
    """Invoke `function_arn` (name, partial or full ARN, qualifier) as a caller in account_id/region; the
    InvocationResult (payload, is_error, request_id, logs), or None for an `Event` invocation (queued)."""
    from localstack.services.lambda_.api_utils import function_locators_from_arn
    from localstack.services.plugins import SERVICE_PLUGINS
    from localstack.utils.strings import long_uid
    from localstack.utils.xray.trace_header import TraceHeader

    name, qualifier, arn_account, arn_region = function_locators_from_arn(function_arn)
    result = SERVICE_PLUGINS.require("lambda")._provider.lambda_service.invoke(
        function_name=name, qualifier=qualifier, region=arn_region or region, account_id=arn_account or account_id,
        invocation_type=invocation_type, client_context=None, request_id=long_uid(), payload=payload,
        trace_context={"aws_trace_header": TraceHeader().ensure_root_exists()})  # a new trace, as for a caller without one
    return result  # an Event invocation is queued: LocalStack's event manager answers None


def invoke_error_text(error: Any) -> str:
    """A ServiceException as boto3 words a failed Invoke."""
    return f"An error occurred ({error.code}) when calling the Invoke operation: {error.message}"

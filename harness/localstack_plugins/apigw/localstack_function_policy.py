"""A function's resource policy, read from LocalStack's own Lambda store inside the engine (issue 13).

The same document GetPolicy returns (the stored policy's Version, Id and Statement, which LocalStack's provider
serialises with `dataclasses.asdict`; read here without that deep copy, ~2 % of an authorized API call), for the
same qualifier (the ARN's, else `$LATEST`), without a GetPolicy round trip through the engine's HTTP stack on every
gateway request. None where GetPolicy answers ResourceNotFoundException: no such function, a function of
another region than the caller's, or no policy on that qualifier. `lambda_permission.invoke_allowed` decides on it.
"""

from __future__ import annotations


def resource_policy(function_arn: str, account_id: str, region: str) -> dict | None:
    """The resource policy of `function_arn` as seen by a caller in `account_id`/`region`; None when it has none."""
    from localstack.services.lambda_.api_utils import function_locators_from_arn  # Lambda's modules load with its provider
    from localstack.services.lambda_.invocation.models import lambda_stores

    name, qualifier, arn_account, arn_region = function_locators_from_arn(function_arn)
    if name is None or (arn_region and arn_region != region):
        return None
    function = lambda_stores[arn_account or account_id][region].functions.get(name)
    permission = function.permissions.get(qualifier or "$LATEST") if function else None
    if permission is None:
        return None
    policy = permission.policy
    return {"Version": policy.Version, "Id": policy.Id, "Statement": policy.Statement}  # read only: LocalStack's own statements

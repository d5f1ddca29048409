"""Authorizer Lambdas that fail in the ways behaviour.md lists: each must give 500, never an allow."""

import time


def throws(event, context):
    raise RuntimeError("authorizer crashed")


def times_out(event, context):
    time.sleep(30)  # longer than the function's timeout


def malformed(event, context):
    return {"isAuthorized": "true"}  # a string, not a boolean


def iam_policy(event, context):
    """Payload 1.0 answer: an IAM policy allowing only POST (routeArn / methodArn decides)."""
    arn = event["methodArn"]
    allowed = arn.split("/")[2] == "POST"
    return {"principalId": "user", "context": {"sub": "policy-user"}, "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow" if allowed else "Deny", "Resource": arn}]}}

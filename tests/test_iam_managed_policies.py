"""An account's AWS managed IAM policies made when first read, not with its IAM backend
(harness.localstack_plugins.iam_managed_policies): every IAM call that reads them sees moto's and LocalStack's."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("LocalStack's own IAM backend")

PROBE = """
from harness.localstack_plugins import engine_main
engine_main.prepare_process()
from localstack.aws import patches
patches.apply_aws_runtime_patches()
from localstack.services.iam.provider import IamProvider
IamProvider()
from moto.iam.models import iam_backends
backend = iam_backends["000000000000"]["aws"]
print("aws_managed_policies" in vars(backend), "managed_policies" in vars(backend), end=" ")
backend.create_role("probe", "{}", "/", None, "", [], None)  # what a function's role needs reads none of them
print(backend.__dict__.get("_harness_aws_managed_policies") is None, end=" ")
print(backend.get_policy("arn:aws:iam::aws:policy/AWSLambdaExecute").name,  # one LocalStack adds
      backend.get_policy("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess").name, len(backend.aws_managed_policies) > 1000)
"""


def test_an_iam_backend_is_made_without_its_aws_managed_policies_which_are_all_there_when_first_read():
    assert run_probe(PROBE).stdout.strip() == "False False True AWSLambdaExecute AmazonS3ReadOnlyAccess True"


def test_a_role_gets_an_aws_managed_policy_and_lists_it(localstack_engine, aws_client):
    iam, role = aws_client.iam, f"harness-managed-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    try:
        iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert [policy["PolicyName"] for policy in attached] == ["AWSLambdaBasicExecutionRole"]
        aws_scope = iam.get_paginator("list_policies").paginate(Scope="AWS").build_full_result()["Policies"]
        assert {"AWSLambdaExecute", "AdministratorAccess"} <= {policy["PolicyName"] for policy in aws_scope}
    finally:
        iam.detach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        iam.delete_role(RoleName=role)

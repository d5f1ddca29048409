"""moto imported when a service that uses it is first called, not at the engine's boot
(harness.localstack_plugins.moto_on_first_use): LocalStack's exception handlers and its moto patches as they were."""

from __future__ import annotations


import pytest
from botocore.exceptions import ClientError

from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("LocalStack's own boot")

BOOT_PROBE = """
import sys, types
from harness.localstack_plugins import engine_main
engine_main.prepare_process()
import localstack.aws.app
from localstack.aws import patches
from localstack.aws.api import ServiceException
from localstack.aws.handlers import handle_service_exception, log_exception
patches.apply_aws_runtime_patches()
print("moto" in sys.modules, log_exception._skip_exceptions == (ServiceException,),
      handle_service_exception._moto_service_exception is types.EllipsisType, handle_service_exception.handle_internal_failures)
import moto.core.exceptions
from moto.core.common_models import BaseModel
from moto.core.config import default_user_config

class Probe(BaseModel):  # moto's own tracker would fail here: it files a class under its module's second name part
    pass

Probe()
print(default_user_config["iam"]["load_aws_managed_policies"], Probe.instances_tracked == [],
      handle_service_exception._moto_service_exception is moto.core.exceptions.ServiceException,
      handle_service_exception._moto_rest_error is moto.core.exceptions.RESTError)
"""


def test_the_engine_boots_without_moto_and_patches_it_as_localstack_does_once_it_is_imported():
    stdout = run_probe(BOOT_PROBE).stdout
    assert stdout.split("\n")[:2] == ["False True True True", "True True True True"], stdout


def test_moto_backed_iam_still_knows_aws_managed_policies_and_answers_its_errors(localstack_engine, aws_client):
    """LocalStack's patch `load_aws_managed_policies`, applied once moto is imported (by the first IAM call here)."""
    policy = aws_client.iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")["Policy"]
    assert policy["PolicyName"] == "AmazonS3ReadOnlyAccess"
    with pytest.raises(ClientError) as missing:
        aws_client.iam.get_role(RoleName="harness-no-such-role")
    assert (missing.value.response["Error"]["Code"], missing.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "NoSuchEntity", 404)

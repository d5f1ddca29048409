"""The regions each service is offered in, read from one boto3 session (harness.localstack_plugins.service_regions):
LocalStack's region lookups and its region rewriter answer what boto3 answers, from the one session made for the
process, making none of their own."""

from __future__ import annotations

import pytest

from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("LocalStack's region lookups")

PROBE = """
import boto3
from harness.localstack_plugins import service_regions
from localstack.aws.handlers.region import DefaultRegionRewriterStrategy
from localstack.utils.aws import aws_stack
service_regions.read_service_regions_from_one_session()
made = []
init = boto3.Session.__init__
boto3.Session.__init__ = lambda self, *a, **k: (made.append(1), init(self, *a, **k))[1]
rewriter_regions = DefaultRegionRewriterStrategy().available_regions
lambda_regions = aws_stack.get_valid_regions_for_service("lambda")
boto3.Session.__init__ = init
truth = boto3.Session()
expected = [*truth.get_available_regions("lambda"), *truth.get_available_regions("cloudwatch", "aws-us-gov"),
            *truth.get_available_regions("cloudwatch", "aws-cn")]
print(len(made), rewriter_regions == truth.get_available_regions("s3", "aws"), lambda_regions == expected)
"""


def test_the_region_rewriter_and_the_region_lookups_share_one_session_and_answer_as_boto3():
    assert run_probe(PROBE).stdout.split() == ["0", "True", "True"]

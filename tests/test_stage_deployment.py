"""Waiting for AutoDeploy on AWS (harness/stage_deployment.py), against the GetStage/GetDeployment answers AWS documents."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from harness.shared.errors import HarnessError
from harness.library.stage_deployment import wait_stage_deployed

STAGE = {"ApiId": "a1", "StageName": "$default"}


@pytest.fixture
def stubbed(aws_client):
    client = aws_client.apigatewayv2
    with Stubber(client) as stubber:
        yield client, stubber


def test_waits_until_the_auto_deployment_is_deployed(stubbed):
    client, stubber = stubbed
    stubber.add_response("get_stage", {"StageName": "$default"}, STAGE)  # no deployment yet
    stubber.add_response("get_stage", {"StageName": "$default", "DeploymentId": "d1"}, STAGE)
    stubber.add_response("get_deployment", {"DeploymentId": "d1", "DeploymentStatus": "PENDING"}, {"ApiId": "a1", "DeploymentId": "d1"})
    stubber.add_response("get_stage", {"StageName": "$default", "DeploymentId": "d1"}, STAGE)
    stubber.add_response("get_deployment", {"DeploymentId": "d1", "DeploymentStatus": "DEPLOYED"}, {"ApiId": "a1", "DeploymentId": "d1"})
    assert wait_stage_deployed(client, "a1", timeout=10) == "d1"
    stubber.assert_no_pending_responses()


def test_a_failed_deployment_is_an_error_with_the_reason(stubbed):
    client, stubber = stubbed
    stubber.add_response("get_stage", {"StageName": "$default", "DeploymentId": "d1"}, STAGE)
    stubber.add_response("get_deployment", {"DeploymentId": "d1", "DeploymentStatus": "FAILED",
                                            "DeploymentStatusMessage": "Unable to deploy API because no routes exist in this API"},
                         {"ApiId": "a1", "DeploymentId": "d1"})
    with pytest.raises(HarnessError, match="deployment d1 failed") as error:
        wait_stage_deployed(client, "a1", timeout=10)
    assert "no routes exist" in str(error.value) and "hint:" in str(error.value)

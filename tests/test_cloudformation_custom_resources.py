"""Custom resources as AWS runs them (harness.localstack_plugins.cloudformation.custom_resources), through a real
engine: the ServiceToken Lambda gets the request objects, its answer decides the stack, Data is what GetAtt reads, a
FAILED answer or none fails the stack with the reason and rolls back what was made."""

from __future__ import annotations

import json
import uuid

import pytest

from harness.library.cloudformation import CAPABILITIES, StackDeployError, current_status, delete_stack, stack_events, template_body, wait_settled
from harness.library.waiting import wait_until
from tests.cfn_templates import custom_resource_template, node_custom_resource_template


def requests_seen(aws_client, function_name: str) -> list[dict]:
    """The request objects the function printed, in order (CloudWatch Logs /aws/lambda/<name>)."""
    group = f"/aws/lambda/{function_name}"
    try:
        events = aws_client.logs.filter_log_events(logGroupName=group)["events"]
    except aws_client.logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(event["message"].split("REQUEST ", 1)[1]) for event in sorted(events, key=lambda e: e["timestamp"])
            if "REQUEST " in event["message"]]


def wait_for_request(aws_client, function_name: str, request_type: str) -> list[dict]:
    return wait_until(lambda: [r for r in requests_seen(aws_client, function_name) if r["RequestType"] == request_type],
                      timeout=20, what=f"a {request_type} request in the function's logs",
                      evidence=lambda: json.dumps(requests_seen(aws_client, function_name), indent=1), interval=0.3)


@pytest.fixture
def function_name():
    return f"widget-provider-{uuid.uuid4().hex[:8]}"


def test_success_answer_creates_the_resource_and_data_is_readable_with_get_att(cloudformation_stack, aws_client, function_name):
    stack = cloudformation_stack(custom_resource_template(), {"FunctionName": function_name, "Name": "cruddur"})

    assert stack.outputs["Greeting"] == "hello cruddur"  # Fn::GetAtt reads the response's Data
    assert stack.outputs["WidgetId"] == "widget-Widget"  # Ref is the PhysicalResourceId the function answered
    assert stack.resources["Widget"]["ResourceStatus"] == "CREATE_COMPLETE"
    assert stack.resources["Widget"]["PhysicalResourceId"] == "widget-Widget"
    (create,) = wait_for_request(aws_client, function_name, "Create")
    assert create["StackId"] == stack.stack_id
    assert create["LogicalResourceId"] == "Widget" and create["ResourceType"] == "Custom::Widget"
    assert create["ResourceProperties"]["Name"] == "cruddur"
    assert create["ResourceProperties"]["ServiceTimeout"] == "5"  # every scalar is sent as a string
    assert create["ResourceProperties"]["ServiceToken"].endswith(f":function:{function_name}")
    assert "PhysicalResourceId" not in create and "OldResourceProperties" not in create
    assert create["RequestId"]
    # on the response bucket's own AWS host, virtual-hosted https, as AWS's (CDK's Node providers need port 443)
    assert create["ResponseURLOrigin"] == "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com", create["ResponseURLOrigin"]


def test_update_sends_old_properties_and_delete_sends_the_physical_id(cloudformation_stack, aws_client, function_name):
    stack = cloudformation_stack(custom_resource_template(), {"FunctionName": function_name, "Name": "one"})
    cfn = aws_client.cloudformation
    cfn.update_stack(StackName=stack.name, TemplateBody=template_body(custom_resource_template()), Capabilities=CAPABILITIES,
                     Parameters=[{"ParameterKey": "FunctionName", "ParameterValue": function_name},
                                 {"ParameterKey": "Name", "ParameterValue": "two"}])
    updated = wait_settled(cfn, stack.name, timeout=120)
    assert updated["StackStatus"] == "UPDATE_COMPLETE", stack_events(cfn, stack.name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in updated["Outputs"]}
    assert outputs["Greeting"] == "hello two" and outputs["Seen"] == "Update"

    (update,) = wait_for_request(aws_client, function_name, "Update")
    assert update["PhysicalResourceId"] == "widget-Widget"
    assert update["ResourceProperties"]["Name"] == "two" and update["OldResourceProperties"]["Name"] == "one"

    delete_stack(cfn, stack.name)
    (delete,) = wait_for_request(aws_client, function_name, "Delete")
    assert delete["PhysicalResourceId"] == "widget-Widget" and delete["ResourceProperties"]["Name"] == "two"


def _bucket_names(aws_client) -> set[str]:
    return {bucket["Name"] for bucket in aws_client.s3.list_buckets()["Buckets"]}


def _functions(aws_client) -> set[str]:
    return {fn["FunctionName"] for fn in aws_client.lambda_.list_functions()["Functions"]}


def test_failed_answer_fails_the_create_with_the_reason_and_rolls_back(cloudformation_stack, aws_client, function_name):
    buckets_before = _bucket_names(aws_client)
    with pytest.raises(StackDeployError) as failure:
        cloudformation_stack(custom_resource_template(), {"FunctionName": function_name, "Mode": "fail"})

    assert failure.value.status == "ROLLBACK_COMPLETE"
    (reason,) = failure.value.reasons
    assert reason.startswith("Widget (Custom::Widget): Received response status [FAILED] from custom resource. "
                             "Message returned: the widget factory is closed")
    statuses = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in failure.value.events]
    assert ("Widget", "CREATE_FAILED") in statuses and ("Provider", "DELETE_COMPLETE") in statuses
    assert ("Shelf", "CREATE_COMPLETE") not in statuses  # nothing after the failure was created
    # the rollback asked the function to delete what it may have made, then deleted the function: nothing is left
    (delete,) = wait_for_request(aws_client, function_name, "Delete")
    assert delete["PhysicalResourceId"] == "widget-Widget"  # the id the FAILED answer named
    assert [r["RequestType"] for r in requests_seen(aws_client, function_name)] == ["Create", "Delete"]
    assert function_name not in _functions(aws_client)
    assert _bucket_names(aws_client) == buckets_before


@pytest.mark.aws_unverified
def test_no_answer_fails_the_create_after_the_service_timeout(cloudformation_stack, aws_client, function_name):
    with pytest.raises(StackDeployError) as failure:
        cloudformation_stack(custom_resource_template(), {"FunctionName": function_name, "Mode": "silent"})

    assert failure.value.status == "ROLLBACK_COMPLETE"
    (reason,) = failure.value.reasons
    assert "CloudFormation did not receive a response from your Custom Resource" in reason
    (delete,) = wait_for_request(aws_client, function_name, "Delete")  # the rollback still asks it to delete
    assert delete["PhysicalResourceId"].startswith("Widget-")  # no id was answered: a placeholder
    assert function_name not in _functions(aws_client)


def test_a_resource_type_the_engine_cannot_create_fails_the_stack(cloudformation_stack, aws_client):
    template = {"Resources": {
        "Kept": {"Type": "AWS::S3::Bucket"},
        "Graph": {"Type": "AWS::Neptune::DBCluster", "DependsOn": "Kept", "Properties": {}},
    }}
    buckets_before = _bucket_names(aws_client)
    with pytest.raises(StackDeployError) as failure:
        cloudformation_stack(template)

    assert failure.value.status == "ROLLBACK_COMPLETE"  # never CREATE_COMPLETE with a "fallback"
    assert failure.value.reasons == ["Graph (AWS::Neptune::DBCluster): Resource type AWS::Neptune::DBCluster not supported"]
    assert _bucket_names(aws_client) == buckets_before  # the bucket made before it was rolled back


def test_a_node_provider_answering_as_cdk_s_framework_does_reaches_the_response_url(cloudformation_stack, function_name):
    """CDK's Node providers PUT with `https.request({hostname, path})`: port 443, TLS, on the response bucket's AWS host (README "AWS hostnames inside Lambda")."""
    stack = cloudformation_stack(node_custom_resource_template(), {"FunctionName": function_name})
    assert stack.outputs["Greeting"] == "hello from node" and stack.outputs["WidgetId"] == "node-widget"


def test_deleting_a_rolled_back_stack_deletes_nothing_again_and_never_shows_delete_failed(aws_client):
    """AWS: after ROLLBACK_COMPLETE every resource is already DELETE_COMPLETE, so DeleteStack goes straight to
    DELETE_COMPLETE (LocalStack deleted them all again, showing DELETE_FAILED for each one already gone)."""
    import time

    cloudformation = aws_client.cloudformation
    template = '{"Resources": {"Kept": {"Type": "AWS::S3::Bucket"}, "Graph": {"Type": "AWS::Neptune::DBCluster", "DependsOn": "Kept"}}}'
    for _ in range(20):  # the DELETE_FAILED lasted milliseconds: several stacks to see it
        name = f"rolled-back-{uuid.uuid4().hex[:8]}"
        cloudformation.create_stack(StackName=name, TemplateBody=template)
        wait_until(lambda: current_status(cloudformation, name) == "ROLLBACK_COMPLETE", timeout=30, interval=0.01,
                   what=f"{name} ROLLBACK_COMPLETE", evidence=lambda: str(current_status(cloudformation, name)))
        cloudformation.delete_stack(StackName=name)
        seen = []
        deadline = time.monotonic() + 30
        while (status := current_status(cloudformation, name)) not in (None, "DELETE_COMPLETE") and time.monotonic() < deadline:
            seen.append(status)
            time.sleep(0.005)
        assert "DELETE_FAILED" not in seen and status in (None, "DELETE_COMPLETE"), seen + [status]

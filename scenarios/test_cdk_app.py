"""The project's CDK app (app/cdk, the seed's `thumbing-serverless-cdk` plus the avatar HTTP API made by hand in the
seed's console), deployed with `cdk bootstrap` and `cdk deploy` unchanged, through the SDK's AWS_ENDPOINT_URL:
the stack's S3 notification (CDK's Custom::S3BucketNotifications, a python Lambda answering CloudFormation) really
exists, so an upload gives a thumbnail; the avatar flow runs through the deployed API; `cdk destroy` removes it all."""

from __future__ import annotations

import json
import uuid

import pytest

from harness.library.avatar_api import publish_jwks
from harness.library.cdk import CdkCommandError, cruddur_function_assets, stack_outputs
from harness.library.http import http
from harness.library.s3 import delete_bucket, ensure_bucket, list_keys, wait_for_object
from scenarios.avatar_client import PHOTO, key_upload

THUMBNAIL_STACK = "ThumbingServerlessCdkStack"
API_STACK = "CruddurAvatarApiStack"


def logged_messages(aws_client, function_name: str) -> list[str]:
    events = aws_client.logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}")["events"]
    return [event["message"] for event in events]


def stack_functions(aws_client, stack: str) -> dict[str, str]:
    """Logical id -> function name of the stack's Lambda functions."""
    resources = aws_client.cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function"}


@pytest.mark.timeout(900)  # synth + bootstrap + deploy + destroy of two stacks with the real CDK CLI
def test_cdk_app_deploys_makes_thumbnails_serves_the_avatar_api_and_destroys(
        cdk_app, aws_client, cognito_user_pool, name_prefix, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    uploads, assets = f"{name_prefix}cdk-uploads-{suffix}", f"{name_prefix}cdk-assets-{suffix}"
    ensure_bucket(aws_client.s3, assets)  # system.md: the assets bucket pre-exists; the stack imports it by name
    jwks_url = publish_jwks(aws_client, cognito_user_pool, f"{name_prefix}cdk-jwks-{suffix}")
    context = {
        "uploadsBucketName": uploads, "assetsBucketName": assets, "topicName": f"{name_prefix}cruddur-assets-{suffix}",
        "userPoolId": cognito_user_pool.user_pool_id, "clientId": cognito_user_pool.client_id,
        **({"jwksUrl": jwks_url} if jwks_url else {}),  # on an emulator the authorizer reads Cognito's own URL
        **cruddur_function_assets(tmp_path),
    }
    try:
        app = cdk_app(context=context)
        thumbnail = stack_outputs(app.deployment, THUMBNAIL_STACK)
        assert thumbnail["UploadsBucketName"] == uploads

        # the upload triggers the thumbnail Lambda: the notification CDK's custom resource made is there
        aws_client.s3.put_object(Bucket=uploads, Key="cdk-me.jpg", Body=PHOTO)
        wait_for_object(aws_client.s3, assets, "avatars/cdk-me.jpg", timeout=60)
        # ... made by the custom resource's own Lambda, whose run is in CloudWatch Logs
        functions = {**stack_functions(aws_client, THUMBNAIL_STACK), **stack_functions(aws_client, API_STACK)}
        (handler,) = [name for logical, name in functions.items() if logical.startswith("BucketNotificationsHandler")]
        assert any(message.startswith("START RequestId") for message in logged_messages(aws_client, handler))

        # the avatar flow through the deployed HTTP API (Lambda authorizer, upload Lambda, presigned PUT)
        api_id = stack_outputs(app.deployment, API_STACK)["ApiId"]
        api_url = aws_client.apigatewayv2.get_api(ApiId=api_id)["ApiEndpoint"]
        assert key_upload(api_url, None).status == 401  # identity source missing: the authorizer is not even asked
        answer = key_upload(api_url, cognito_user_pool.access_token(sub="cdk-user"))
        assert answer.status == 200, answer
        put = http("PUT", json.loads(answer.body)["url"], {"Content-Type": "image/jpeg"}, PHOTO)
        assert put.status == 200, put
        wait_for_object(aws_client.s3, assets, "avatars/cdk-user.jpg", timeout=60)

        # cdk destroy removes everything the app made, the uploads bucket with its objects (autoDeleteObjects: CDK's
        # Node provider, answering over https); the imported assets bucket stays, as on AWS
        assert list_keys(aws_client.s3, uploads)
        app.destroy()
        buckets = {bucket["Name"] for bucket in aws_client.s3.list_buckets()["Buckets"]}
        assert uploads not in buckets and assets in buckets
        remaining = {fn["FunctionName"] for fn in aws_client.lambda_.list_functions()["Functions"]}
        assert not remaining & set(functions.values()), remaining
        assert not [api for api in aws_client.apigatewayv2.get_apis()["Items"] if api["ApiId"] == api_id]
    finally:
        delete_bucket(aws_client.s3, assets)


@pytest.mark.timeout(600)
def test_a_failing_cdk_deploy_says_which_resource_failed_and_why(cdk_app, aws_client, name_prefix, tmp_path):
    """Wrong config: the assets bucket the stack imports does not exist. CDK's notification custom resource answers
    FAILED, the deploy fails with the stack's events naming it and the reason, and the rollback removes what was made;
    the custom resource's Delete fails the same way, so the stack ends ROLLBACK_FAILED, as on AWS."""
    suffix = uuid.uuid4().hex[:8]
    uploads = f"{name_prefix}cdk-uploads-{suffix}"
    context = {"uploadsBucketName": uploads, "assetsBucketName": f"{name_prefix}cdk-missing-assets-{suffix}",
               **cruddur_function_assets(tmp_path)}
    with pytest.raises(CdkCommandError) as failure:
        cdk_app(context=context)
    message = str(failure.value)
    reasons = message.split("--- stack ThumbingServerlessCdkStack: ", 1)[1].split("\n", 1)[0]
    assert reasons.startswith("AssetsBucketNotifications"), message  # the failed resource, from the stack events
    assert "Received response status [FAILED] from custom resource" in reasons and "NoSuchBucket" in reasons
    assert aws_client.cloudformation.describe_stacks(StackName=THUMBNAIL_STACK)["Stacks"][0]["StackStatus"] == "ROLLBACK_FAILED"
    assert uploads not in {bucket["Name"] for bucket in aws_client.s3.list_buckets()["Buckets"]}

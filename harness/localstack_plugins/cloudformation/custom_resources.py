"""CloudFormation custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`) as AWS runs them.

behaviour.md "CloudFormation custom resources" / AWS "Custom resource request objects": for each Create, Update
and Delete, CloudFormation invokes the ServiceToken Lambda asynchronously with a request carrying RequestType,
ResponseURL (a presigned S3 PUT), StackId, RequestId, LogicalResourceId, PhysicalResourceId (Update, Delete),
ResourceType, ResourceProperties and OldResourceProperties (Update); it then waits for the response object the
function PUTs there. `Status: FAILED` fails the resource with the function's Reason; no answer within the resource's
`ServiceTimeout` (AWS default 3600 s) fails it too. `Data` is what `Fn::GetAtt` reads, `PhysicalResourceId` what `Ref`
gives. LocalStack's free runtime has no provider for these types (its Pro has), so the stack used to report success
while nothing ran.

The response bucket belongs to an account of its own (as AWS's belongs to CloudFormation), so it never shows in the
stack owner's account; the ResponseURL is on that bucket's own AWS host, virtual-hosted
(`https://cloudformation-custom-resource-response-<region>.s3.amazonaws.com/...`, as AWS's is), which the function reaches
through the harness's AWS hostnames (README "AWS hostnames inside Lambda"): CDK's Node provider framework PUTs to it with
`https.request` on port 443, unchanged. The harness bounds every wait: ServiceTimeout, capped by HARNESS_CUSTOM_RESOURCE_TIMEOUT.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from localstack import config
from localstack.aws.connect import connect_to
from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

from harness.localstack_plugins.aws_tls_front import running_front

LOG = logging.getLogger(__name__)

RESPONSE_ACCOUNT = "000000000099"  # CloudFormation's own account in the emulator: its bucket is not the user's
PRESIGNED_SECRET = "test"  # LocalStack checks presigned URLs of an unregistered access key against this secret
AWS_DEFAULT_SERVICE_TIMEOUT = 3600
HARNESS_TIMEOUT_ENV = "HARNESS_CUSTOM_RESOURCE_TIMEOUT"
HARNESS_DEFAULT_TIMEOUT = 300.0
POLL_SECONDS = 0.2
STATE_KEY = "HarnessCustomResource"  # where the model keeps what a later Update or Delete must send

SCHEMA: dict = {
    "typeName": "AWS::CloudFormation::CustomResource",
    "properties": {"ServiceToken": {"type": "string"}, "ServiceTimeout": {"type": "integer"}},
    "required": ["ServiceToken"],
    "primaryIdentifier": [f"/properties/{STATE_KEY}/PhysicalResourceId"],
    "additionalProperties": True,
}


class CustomResourceFailed(Exception):
    """The resource failed; the message is the reason CloudFormation shows; `physical_id` what the function named."""

    def __init__(self, reason: str, physical_id: str | None = None) -> None:
        super().__init__(reason)
        self.physical_id = physical_id


@dataclass(frozen=True)
class ResponseLocation:
    bucket: str
    key: str


def response_bucket(region: str) -> str:
    """As AWS names it: cloudformation-custom-resource-response-<region without dashes>."""
    return f"cloudformation-custom-resource-response-{region.replace('-', '')}"


def response_endpoint() -> tuple[str, str]:
    """(endpoint, addressing style) of the ResponseURL: S3's own AWS host, virtual-hosted, as on AWS, where the engine
    answers AWS hostnames (its TLS front runs); else (LocalStack in Docker) the engine's loopback URL, path style."""
    if running_front() is not None:
        return "https://s3.amazonaws.com", "virtual"
    return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}", "path"


def wait_bound(properties: dict) -> float:
    """The resource's ServiceTimeout (1-3600 s, AWS default 3600), capped by the harness's bound."""
    harness_cap = float(os.environ.get(HARNESS_TIMEOUT_ENV) or HARNESS_DEFAULT_TIMEOUT)
    declared = properties.get("ServiceTimeout")
    service_timeout = float(declared) if declared not in (None, "") else AWS_DEFAULT_SERVICE_TIMEOUT
    if not 1 <= service_timeout <= AWS_DEFAULT_SERVICE_TIMEOUT:
        raise CustomResourceFailed(f"ServiceTimeout must be between 1 and 3600 seconds, got {declared}")
    return min(service_timeout, harness_cap)


def _response_s3(region: str):
    return connect_to(aws_access_key_id=RESPONSE_ACCOUNT, region_name=region).s3


def prepare_response_location(region: str, stack_id: str, logical_id: str, request_id: str) -> ResponseLocation:
    s3 = _response_s3(region)
    bucket = response_bucket(region)
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception:  # noqa: BLE001 - missing: create it (racing creators get BucketAlreadyOwnedByYou)
        kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            s3.create_bucket(Bucket=bucket, **kwargs)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    return ResponseLocation(bucket, f"{stack_id}|{logical_id}|{request_id}")


def presigned_response_url(location: ResponseLocation, region: str, lifetime_seconds: int) -> str:
    """A presigned PUT on the response bucket (see `response_endpoint`), as the ResponseURL."""
    endpoint, addressing = response_endpoint()
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id=RESPONSE_ACCOUNT,
        aws_secret_access_key=PRESIGNED_SECRET,
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing}),
    )
    return client.generate_presigned_url(
        "put_object", Params={"Bucket": location.bucket, "Key": location.key}, ExpiresIn=lifetime_seconds,
    )


def await_response(location: ResponseLocation, region: str, bound_seconds: float, request_id: str) -> dict:
    """The function's response object, polled until the bound; parsed; the object is removed once read."""
    s3 = _response_s3(region)
    deadline = time.monotonic() + bound_seconds
    while True:
        try:
            body = s3.get_object(Bucket=location.bucket, Key=location.key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            if time.monotonic() >= deadline:
                # AWS's reason, word for word, when the ServiceTimeout passes without a response
                raise CustomResourceFailed(
                    "CloudFormation did not receive a response from your Custom Resource. Please check your logs "
                    f"for requestId [{request_id}]. If you are using the Python cfn-response module, you may need "
                    "to update your Lambda function code so that CloudFormation can attach the updated version."
                    f" (harness: waited {bound_seconds:.0f} s)"
                ) from None
            time.sleep(POLL_SECONDS)
            continue
        s3.delete_object(Bucket=location.bucket, Key=location.key)
        try:
            response = json.loads(body)
        except ValueError:
            raise CustomResourceFailed(f"Invalid response object: not JSON: {body[:200]!r}") from None
        if not isinstance(response, dict) or response.get("Status") not in ("SUCCESS", "FAILED"):
            raise CustomResourceFailed(f"Invalid response object: Status must be SUCCESS or FAILED: {body[:200]!r}")
        return response


def as_sent(value: Any) -> Any:
    """CloudFormation sends a custom resource's properties with every scalar as a string: `true` -> "true",
    `5` -> "5" (CDK's own handlers rely on it, e.g. `props["Managed"].lower()`)."""
    if isinstance(value, dict):
        return {key: as_sent(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_sent(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def build_request(request_type: str, request: ResourceRequest, properties: dict, response_url: str,
                  request_id: str, physical_id: str | None, old_properties: dict | None) -> dict:
    """The request object the ServiceToken function receives (AWS "Custom resource request objects")."""
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": response_url,
        "StackId": request.stack_id,
        "RequestId": request_id,
        "LogicalResourceId": request.logical_resource_id,
        "ResourceType": request.resource_type,
        "ResourceProperties": as_sent(properties),
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if old_properties is not None:
        event["OldResourceProperties"] = as_sent(old_properties)
    return event


def invoke_service_token(request: ResourceRequest, properties: dict, event: dict) -> None:
    token = properties.get("ServiceToken")
    if not token:
        raise CustomResourceFailed("ServiceToken is required")
    if ":sns:" in token:
        raise CustomResourceFailed(f"ServiceToken {token}: SNS-backed custom resources are not supported by the harness")
    try:
        request.aws_client_factory.lambda_.invoke(
            FunctionName=token, InvocationType="Event", Payload=json.dumps(event).encode(),
        )
    except Exception as error:  # noqa: BLE001 - any invoke error is the resource's failure reason
        raise CustomResourceFailed(f"could not invoke the ServiceToken function {token}: {error}") from error


def run_request(request: ResourceRequest, request_type: str, properties: dict, physical_id: str | None,
                old_properties: dict | None) -> dict:
    """Send one request and wait for its response; FAILED raises with AWS's reason form."""
    bound = wait_bound(properties)
    request_id = str(uuid.uuid4())
    region = request.region_name
    location = prepare_response_location(region, request.stack_id, request.logical_resource_id, request_id)
    url = presigned_response_url(location, region, lifetime_seconds=int(bound) + 60)
    event = build_request(request_type, request, properties, url, request_id, physical_id, old_properties)
    LOG.info("custom resource %s: %s request %s to %s", request.logical_resource_id, request_type, request_id,
             properties.get("ServiceToken"))
    invoke_service_token(request, properties, event)
    response = await_response(location, region, bound, request_id)
    if response["Status"] == "FAILED":
        raise CustomResourceFailed(
            f"Received response status [FAILED] from custom resource. Message returned: "
            f"{response.get('Reason') or 'See the details in CloudWatch Log Stream'} (RequestId: {request_id})",
            physical_id=response.get("PhysicalResourceId"),
        )
    return response


def resource_model(properties: dict, physical_id: str, data: dict | None) -> dict:
    """What GetAtt reads (the response's Data) and what Update/Delete will send (the state key)."""
    return {**(data or {}), STATE_KEY: {"PhysicalResourceId": physical_id, "ResourceProperties": properties}}


def _state(model: dict | None) -> dict | None:
    return (model or {}).get(STATE_KEY)


def _failed(message: str, model: dict | None = None) -> ProgressEvent:
    return ProgressEvent(status=OperationStatus.FAILED, resource_model=model or {}, message=message)


def _user_properties(desired: dict) -> dict:
    return {key: value for key, value in desired.items() if key != STATE_KEY}


class CustomResourceProvider(ResourceProvider[dict]):
    TYPE = "AWS::CloudFormation::CustomResource"
    SCHEMA = SCHEMA

    def create(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        properties = _user_properties(request.desired_state)
        # The rollback's Delete carries the id a FAILED answer named, else a placeholder.
        placeholder = f"{request.logical_resource_id}-{uuid.uuid4().hex[:12]}"
        try:
            response = run_request(request, "Create", properties, None, None)
        except CustomResourceFailed as failure:
            return _failed(str(failure), resource_model(properties, failure.physical_id or placeholder, None))
        physical_id = response.get("PhysicalResourceId")
        if not physical_id:
            return _failed("Invalid PhysicalResourceId", resource_model(properties, placeholder, None))
        return ProgressEvent(status=OperationStatus.SUCCESS,
                             resource_model=resource_model(properties, physical_id, response.get("Data")))

    def update(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        state = _state(request.previous_state) or {}
        properties = _user_properties(request.desired_state)
        old_physical_id = state.get("PhysicalResourceId")
        try:
            response = run_request(request, "Update", properties, old_physical_id, state.get("ResourceProperties", {}))
        except CustomResourceFailed as failure:
            return _failed(str(failure), request.previous_state)
        # A new PhysicalResourceId means a replacement; AWS then sends Delete for the old one in the cleanup
        # phase, which this engine does not run for custom resources (README, "CloudFormation").
        physical_id = response.get("PhysicalResourceId") or old_physical_id
        return ProgressEvent(status=OperationStatus.SUCCESS,
                             resource_model=resource_model(properties, physical_id, response.get("Data")))

    def delete(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        state = _state(request.desired_state) or _state(request.previous_state)
        if state is None:  # never created (or already rolled back): nothing was made, nothing to ask the function
            return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})
        try:
            run_request(request, "Delete", state["ResourceProperties"], state["PhysicalResourceId"], None)
        except CustomResourceFailed as failure:
            return _failed(str(failure))
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})

    def read(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        raise NotImplementedError

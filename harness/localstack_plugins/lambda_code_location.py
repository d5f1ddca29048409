"""The presigned URL of a function's code archive (GetFunction's `Code.Location`), signed by one S3 client per
endpoint (inside LocalStack; issue 13).

LocalStack 4.13.1's `S3Code.generate_presigned_url` builds a new boto3 S3 client for every URL it signs: ~0.3 s of
CPU per GetFunction, and so per PutBucketNotificationConfiguration with a Lambda destination (its validation calls
GetFunction), the largest single cost of provisioning the Cruddur stack (py-spy). This hook, registered under
`localstack.hooks.on_infra_start`, signs with a client made once per endpoint URL with the same region, credentials
and endpoint: the same URL, valid for the same time.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported

_CLIENTS: dict[str, Any] = {}
_LOCK = threading.Lock()  # boto3's default session may not make two clients at once


def presigning_client(lambda_models: ModuleType, endpoint_url: str) -> Any:
    """The S3 client LocalStack's S3Code signs with (its region, its internal credentials), one per endpoint URL."""
    with _LOCK:
        if endpoint_url not in _CLIENTS:
            _CLIENTS[endpoint_url] = lambda_models.boto3.client(
                "s3", region_name=lambda_models.AWS_REGION_US_EAST_1,
                aws_access_key_id=lambda_models.config.INTERNAL_RESOURCE_ACCOUNT,
                aws_secret_access_key=lambda_models.INTERNAL_AWS_SECRET_ACCESS_KEY, endpoint_url=endpoint_url)
        return _CLIENTS[endpoint_url]


def sign_with_one_client_per_endpoint(lambda_models: ModuleType) -> None:
    def generate_presigned_url(self: Any, endpoint_url: str) -> str:
        params = {"Bucket": self.s3_bucket, "Key": self.s3_key}
        if self.s3_object_version:
            params["VersionId"] = self.s3_object_version
        return presigning_client(lambda_models, endpoint_url).generate_presigned_url("get_object", Params=params)

    lambda_models.S3Code.generate_presigned_url = generate_presigned_url


@hooks.on_infra_start()
def presign_code_locations_with_one_client() -> None:
    when_imported("localstack.services.lambda_.invocation.lambda_models", sign_with_one_client_per_endpoint)

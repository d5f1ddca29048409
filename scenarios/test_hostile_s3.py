"""Hostile requests to S3 (issue 12): the private uploads bucket accepts only requests AWS would accept.

Bug 13's "curl still works" is curl with the presigned URL; an unsigned request, or one with a signature that does not
verify, gets AWS's 403 (behaviour.md "S3"; harness/s3_request_authentication.py).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from harness.library.http import http
from scenarios.avatar_client import PHOTO

NOW = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
FORGED = (f"AWS4-HMAC-SHA256 Credential=test/{NOW[:8]}/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64)


def object_url(aws_client, bucket: str, key: str) -> str:
    return f"{aws_client.s3.meta.endpoint_url}/{bucket}/{key}"


def test_an_unsigned_put_to_the_private_uploads_bucket_is_403_access_denied(aws_client, thumbnail_pipeline):
    answer = http("PUT", object_url(aws_client, thumbnail_pipeline.spec.uploads_bucket, f"{uuid.uuid4()}.jpg"),
                  {"Content-Type": "image/jpeg"}, PHOTO)
    assert answer.status == 403 and b"<Code>AccessDenied</Code>" in answer.body, answer.body[:300]
    assert http("GET", f"{aws_client.s3.meta.endpoint_url}/{thumbnail_pipeline.spec.uploads_bucket}").status == 403  # nor a listing


def test_nobody_anonymous_creates_a_bucket(aws_client, name_prefix):
    bucket = f"{name_prefix}anonymous-{uuid.uuid4().hex[:8]}"
    assert http("PUT", f"{aws_client.s3.meta.endpoint_url}/{bucket}").status == 403
    assert bucket not in [b["Name"] for b in aws_client.s3.list_buckets()["Buckets"]]


@pytest.mark.parametrize("authorization, status, code", [
    (FORGED, 403, b"SignatureDoesNotMatch"),
    ("Bearer eyJhbGciOiJSUzI1NiJ9.e30.x", 400, b"InvalidArgument"),  # AWS: "Unsupported Authorization Type"
])
def test_a_forged_authorization_header_is_refused(aws_client, thumbnail_pipeline, authorization, status, code):
    key = f"{uuid.uuid4()}.jpg"
    answer = http("PUT", object_url(aws_client, thumbnail_pipeline.spec.uploads_bucket, key),
                  {"Content-Type": "image/jpeg", "Authorization": authorization, "X-Amz-Date": NOW,
                   "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, PHOTO)
    assert answer.status == status and b"<Code>" + code + b"</Code>" in answer.body, answer.body[:300]
    assert key not in [o["Key"] for o in aws_client.s3.list_objects_v2(Bucket=thumbnail_pipeline.spec.uploads_bucket).get("Contents", [])]


def test_signed_requests_and_presigned_urls_still_work(aws_client, thumbnail_pipeline):
    bucket, key = thumbnail_pipeline.spec.uploads_bucket, f"signed {uuid.uuid4()}+x.jpg"  # a key that needs encoding
    aws_client.s3.put_object(Bucket=bucket, Key=key, Body=PHOTO, ContentType="image/jpeg")
    assert aws_client.s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PHOTO
    url = aws_client.s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    assert http("GET", url).body == PHOTO
    aws_client.s3.delete_object(Bucket=bucket, Key=key)


@pytest.mark.emulator_only("new AWS buckets block public bucket policies (S3 Block Public Access) unless it is turned off")
def test_anonymous_reads_follow_a_public_bucket_policy(aws_client, name_prefix):
    bucket = f"{name_prefix}public-{uuid.uuid4().hex[:8]}"
    aws_client.s3.create_bucket(Bucket=bucket)
    aws_client.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"public")
    url = object_url(aws_client, bucket, "a.txt")
    try:
        assert http("GET", url).status == 403
        aws_client.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        assert http("GET", url).body == b"public"
        assert http("PUT", url, {}, b"overwritten").status == 403  # the policy allows reading only
    finally:
        aws_client.s3.delete_bucket_policy(Bucket=bucket)
        aws_client.s3.delete_object(Bucket=bucket, Key="a.txt")
        aws_client.s3.delete_bucket(Bucket=bucket)

"""Overwrites through harness/s3_failed_uploads.py (a new file swapped in on success) behave as before for every way
of writing an object: PUT, a refused conditional PUT, copy, multipart upload. The disk-full case itself is
scenarios/test_hostile_disk_full.py."""

from __future__ import annotations


import pytest
from botocore.exceptions import ClientError

MB = 1024 * 1024


@pytest.fixture
def bucket(s3_bucket_factory):
    return s3_bucket_factory("overwrites")


def read(aws_client, bucket: str, key: str) -> bytes:
    return aws_client.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_put_over_an_existing_key_replaces_it_and_a_refused_conditional_put_keeps_it(aws_client, bucket):
    s3 = aws_client.s3
    for body in (b"first" * MB, b"second", b"third" * MB):  # spooled in memory and rolled over to disk
        s3.put_object(Bucket=bucket, Key="a", Body=body)
        assert read(aws_client, bucket, "a") == body
    with pytest.raises(ClientError, match="PreconditionFailed"):
        s3.put_object(Bucket=bucket, Key="a", Body=b"never", IfNoneMatch="*")
    assert read(aws_client, bucket, "a") == b"third" * MB


def test_copy_and_multipart_upload_over_an_existing_key(aws_client, bucket):
    s3 = aws_client.s3
    s3.put_object(Bucket=bucket, Key="source", Body=b"source")
    s3.put_object(Bucket=bucket, Key="target", Body=b"old")
    s3.copy_object(Bucket=bucket, Key="target", CopySource={"Bucket": bucket, "Key": "source"})
    assert read(aws_client, bucket, "target") == b"source"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="target")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="target", UploadId=upload, PartNumber=n, Body=body)["ETag"]}
             for n, body in ((1, b"p" * 5 * MB), (2, b"q"))]
    s3.complete_multipart_upload(Bucket=bucket, Key="target", UploadId=upload, MultipartUpload={"Parts": parts})
    assert read(aws_client, bucket, "target") == b"p" * 5 * MB + b"q"

"""S3 helpers that work the same against LocalStack and AWS: idempotent buckets, full emptying, waits."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.library.waiting import wait_until


def ensure_bucket(s3: Any, name: str, **create_bucket_kwargs: Any) -> None:
    """CreateBucket (with any other CreateBucket kwargs), treating "already yours" as success (idempotent provisioning)."""
    kwargs: dict[str, Any] = {"Bucket": name, **create_bucket_kwargs}
    region = s3.meta.region_name
    if region != "us-east-1" and "CreateBucketConfiguration" not in kwargs:
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise


def list_keys(s3: Any, bucket: str) -> list[str]:
    """Every key in the bucket (paginated: no silent stop at 1,000)."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys


def delete_bucket(s3: Any, bucket: str) -> None:
    """Empty (all pages) and delete; a missing bucket is fine."""
    try:
        keys = list_keys(s3, bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchBucket":
            return
        raise
    for attempt in range(3):  # a function still running may write one more object meanwhile
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]]})
        try:
            s3.delete_bucket(Bucket=bucket)
            return
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "NoSuchBucket":
                return
            if code != "BucketNotEmpty" or attempt == 2:
                raise
        keys = list_keys(s3, bucket)


def head_object(s3: Any, bucket: str, key: str) -> dict | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def wait_for_object(s3: Any, bucket: str, key: str, *, timeout: float, more_evidence=lambda: "") -> dict:
    """Poll until `key` exists; on timeout show what the bucket holds instead (and `more_evidence()`)."""

    def evidence() -> str:
        keys = list_keys(s3, bucket)
        listing = "\n".join(f"  {k}" for k in keys[:50]) or "  (empty)"
        return f"s3://{bucket} holds {len(keys)} object(s):\n{listing}\n{more_evidence()}"

    return wait_until(
        lambda: head_object(s3, bucket, key),
        timeout=timeout,
        what=f"s3://{bucket}/{key}",
        evidence=evidence,
        hint="check the function's logs above for errors; check the bucket notification and the output folder",
    )

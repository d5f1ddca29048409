"""Thumbnail Lambda (Cruddur "process-images"), Python + Pillow edition of the seed's Node + sharp one.

S3 ObjectCreated event -> read the upload -> 512x512 JPEG -> `<FOLDER_OUTPUT>/<basename>.jpg` in
DEST_BUCKET_NAME (system.md "Thumbnail rule"). The thumbnail is fully encoded before anything is
written, so bad input fails the invocation and leaves nothing behind.
"""

from __future__ import annotations

import os
import time
from pathlib import PurePosixPath
from urllib.parse import unquote_plus

import boto3

from thumbnail import ImageDecodeError, make_thumbnail

s3 = boto3.client("s3")


def dimension(name: str) -> int:
    """PROCESS_WIDTH / PROCESS_HEIGHT arrive as strings: parse them strictly (system.md bug 10)."""
    value = os.environ.get(name, "")
    try:
        parsed = int(value)
    except ValueError:
        parsed = 0
    if parsed <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return parsed


def source_key(record: dict) -> str:
    """S3 event keys are URL-encoded with `+` for space (behaviour.md "S3"; system.md bug 11)."""
    return unquote_plus(record["s3"]["object"]["key"])


def output_key(key: str) -> str:
    """`<FOLDER_OUTPUT>/<basename without extension>.jpg`: the source folder is dropped."""
    return f"{os.environ['FOLDER_OUTPUT']}/{PurePosixPath(key).stem}.jpg"


def handler(event: dict, context: object) -> dict:
    started = time.perf_counter()
    width, height = dimension("PROCESS_WIDTH"), dimension("PROCESS_HEIGHT")
    record = event["Records"][0]
    bucket = record["s3"]["bucket"]["name"]
    key = source_key(record)
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        thumbnail = make_thumbnail(data, width, height)
    except ImageDecodeError as error:
        raise ValueError(f"cannot make a thumbnail of s3://{bucket}/{key} ({len(data)} bytes): {error}") from error
    destination = os.environ["DEST_BUCKET_NAME"]
    target = output_key(key)
    s3.put_object(Bucket=destination, Key=target, Body=thumbnail, ContentType="image/jpeg")
    summary = {
        "source": f"s3://{bucket}/{key}", "destination": f"s3://{destination}/{target}",
        "bytes": len(thumbnail), "width": width, "height": height, "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    print(f"thumbnail {summary['source']} -> {summary['destination']} {width}x{height} {len(thumbnail)} bytes in {summary['ms']} ms")
    return summary

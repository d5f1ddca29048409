"""awscrt's native library loaded in the engine only for what only it does (harness.localstack_plugins.
awscrt_on_first_use): S3 still stores and checks CRC32C and CRC64NVME checksums, which need it, and CRC32 and SigV4,
which the engine's botocore now computes without it. AWS S3 User Guide, "Checking object integrity": the checksum a
client sends is checked against the object and returned by GetObject with ChecksumMode ENABLED (not in behaviour.md)."""

from __future__ import annotations

import base64
import zlib

import pytest
from awscrt import checksums
from botocore.exceptions import ClientError


def _b64(value: int, size: int) -> str:
    return base64.b64encode(value.to_bytes(size, "big")).decode()


BODY = b"avatar bytes " * 1000
CHECKSUMS = {"CRC32": lambda body: _b64(zlib.crc32(body), 4), "CRC32C": lambda body: _b64(checksums.crc32c(body), 4),
             "CRC64NVME": lambda body: _b64(checksums.crc64nvme(body), 8)}
EXPECTED = {algorithm: checksum(BODY) for algorithm, checksum in CHECKSUMS.items()}


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_s3_stores_and_returns_the_checksum_the_client_sent(aws_client, s3_bucket_factory, algorithm):
    bucket = s3_bucket_factory()
    put = aws_client.s3.put_object(Bucket=bucket, Key="avatar.bin", Body=BODY, ChecksumAlgorithm=algorithm)
    got = aws_client.s3.get_object(Bucket=bucket, Key="avatar.bin", ChecksumMode="ENABLED")
    assert (put[f"Checksum{algorithm}"], got[f"Checksum{algorithm}"], got["Body"].read()) == (
        EXPECTED[algorithm], EXPECTED[algorithm], BODY)


@pytest.mark.parametrize("algorithm", ["CRC32C", "CRC64NVME"])
def test_s3_refuses_a_body_that_does_not_match_its_checksum(aws_client, s3_bucket_factory, algorithm):
    bucket = s3_bucket_factory()
    wrong = CHECKSUMS[algorithm](b"another body")
    with pytest.raises(ClientError) as refused:
        aws_client.s3.put_object(Bucket=bucket, Key="avatar.bin", Body=BODY, **{f"Checksum{algorithm}": wrong})
    assert refused.value.response["Error"]["Code"] == "BadDigest", refused.value.response

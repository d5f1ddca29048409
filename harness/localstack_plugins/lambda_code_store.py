"""A function's or layer's archive stored in LocalStack's internal code bucket with one PutObject (inside LocalStack;
issue 13).

LocalStack 4.13.1 keeps each archive a CreateFunction, UpdateFunctionCode or PublishLayerVersion receives in the
bucket `awslambda-<region>-tasks` (GetFunction's `Code.Location` points there) with boto3's `upload_fileobj`, which
splits an archive over 8 MB into a multipart upload on a pool of threads: for the seed's sharp thumbnailer (11.8 MB)
two parts, each signed, checksummed and written, then joined. This hook, registered under
`localstack.hooks.on_infra_start`, stores it with one PutObject instead; every check LocalStack makes first (a zip,
its unzipped size) and what it reports (CodeSha256, CodeSize, where the archive is) are unchanged. The unzipped size
is read from an archive's zip directory once per content (`unzipped_size`): the suite deploys the same thumbnailer
(3756 entries, ~13 ms to read) hundreds of times.
"""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported

_PATCHED_MODULES = ("localstack.services.lambda_.invocation.lambda_service", "localstack.services.lambda_.provider")
_UNZIPPED_SIZES: dict[bytes, int] = {}  # an archive's SHA-256 -> the sum of its members' sizes
_UNZIPPED_SIZES_KEPT = 1024  # distinct archives remembered per engine (the suite deploys ~100)


def unzipped_size(archive: bytes, digest: bytes) -> int:
    """LocalStack's `get_unzipped_size` of `archive` (whose SHA-256 is `digest`), read once per content."""
    from localstack.utils.archives import get_unzipped_size

    size = _UNZIPPED_SIZES.get(digest)
    if size is None:
        size = get_unzipped_size(zip_file=io.BytesIO(archive))
        if len(_UNZIPPED_SIZES) < _UNZIPPED_SIZES_KEPT:
            _UNZIPPED_SIZES[digest] = size
    return size


def store_lambda_archive(archive_file: bytes, function_name: str, region_name: str, account_id: str) -> Any:
    """LocalStack's `store_lambda_archive`, the archive put whole."""
    from localstack import config
    from localstack.aws.api.lambda_ import InvalidParameterValueException
    from localstack.aws.connect import connect_to
    from localstack.constants import AWS_REGION_US_EAST_1
    from localstack.services.lambda_.invocation.lambda_models import S3Code
    from localstack.utils.archives import is_zip_file

    if not is_zip_file(archive_file):
        raise InvalidParameterValueException(
            "Could not unzip uploaded file. Please check your file, then try to upload again.", Type="User")
    digest = hashlib.sha256(archive_file).digest()
    if unzipped_size(archive_file, digest) >= config.LAMBDA_LIMITS_CODE_SIZE_UNZIPPED:
        raise InvalidParameterValueException(
            f"Unzipped size must be smaller than {config.LAMBDA_LIMITS_CODE_SIZE_UNZIPPED} bytes", Type="User")
    s3_client = connect_to(region_name=AWS_REGION_US_EAST_1, aws_access_key_id=config.INTERNAL_RESOURCE_ACCOUNT).s3
    bucket_name = f"awslambda-{region_name}-tasks"
    s3_client.create_bucket(Bucket=bucket_name)  # idempotent in us-east-1
    code_id = f"{function_name}-{uuid.uuid4()}"
    key = f"snapshots/{account_id}/{code_id}"
    s3_client.put_object(Bucket=bucket_name, Key=key, Body=archive_file)
    return S3Code(id=code_id, account_id=account_id, s3_bucket=bucket_name, s3_key=key, s3_object_version=None,
                  code_sha256=base64.b64encode(digest).decode(), code_size=len(archive_file))


@hooks.on_infra_start()
def store_each_archive_with_one_put() -> None:
    for module in _PATCHED_MODULES:
        when_imported(module, lambda loaded: setattr(loaded, "store_lambda_archive", store_lambda_archive))

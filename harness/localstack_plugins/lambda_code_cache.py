"""Function and layer archives unpacked once per content, shared by every engine (inside LocalStack; issue 13).

LocalStack 4.13.1 unpacks each function version's and layer version's archive into the engine's temporary directory
when the version starts (`S3Code.prepare_for_execution`): for the seed's sharp thumbnailer (12 MB zipped) that is
most of the second between CreateFunction and Active, paid again by every engine and every test that deploys it.
This hook, registered under `localstack.hooks.on_infra_start`, unpacks an archive once into
`$HARNESS_CACHE_DIR/lambda-code/<sha256 of the archive>` (the same way: LocalStack's `unzip`, mode 755) and makes the
version's code location a link to it. The code a function sees is the same bytes at the same path; on AWS it is
read-only (`/var/task`), here it is not, as before: a function that writes into its own code changes it for every
function deployed from the same archive (and fails on AWS with EROFS).

The archive is read from LocalStack's internal code bucket with one GetObject (`download_archive`), not with boto3's
`download_fileobj` as LocalStack does: that makes a transfer manager, and choosing one asks awscrt whether this
machine is optimised for S3, which loads awscrt's native library (`awscrt_on_first_use`): ~35 ms of CPU at each
engine's first unpacking.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported
from harness.shared.cache import cache_dir

_CHUNK = 1024 * 1024


def shared_location(code_sha256: str) -> Path:
    """Where the archive with this CodeSha256 (base64, as Lambda reports it) is unpacked."""
    return cache_dir() / "lambda-code" / base64.b64decode(code_sha256).hex()


def download_archive(code: Any, target: IO[bytes]) -> None:
    """LocalStack's `S3Code._download_archive_to_file` (the same client, object and version), with one GetObject."""
    from localstack import config
    from localstack.aws.connect import connect_to
    from localstack.constants import AWS_REGION_US_EAST_1

    s3 = connect_to(region_name=AWS_REGION_US_EAST_1, aws_access_key_id=config.INTERNAL_RESOURCE_ACCOUNT).s3
    version = {"VersionId": code.s3_object_version} if code.s3_object_version else {}
    body = s3.get_object(Bucket=code.s3_bucket, Key=code.s3_key, **version)["Body"]
    shutil.copyfileobj(body, target, _CHUNK)
    target.flush()


def unpack_once(code: Any) -> Path:
    """The archive unpacked in the shared location, unpacking it first if no engine has."""
    from localstack.utils.archives import unzip
    from localstack.utils.files import chmod_r

    shared = shared_location(code.code_sha256)
    if shared.is_dir():
        return shared
    shared.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=shared.parent, prefix=".unpacking-") as temp_dir:
        unpacked = Path(temp_dir) / "code"
        unpacked.mkdir()
        with tempfile.NamedTemporaryFile() as archive:
            download_archive(code, archive)
            unzip(archive.name, str(unpacked))
        chmod_r(str(unpacked), 0o755)
        try:
            unpacked.rename(shared)  # atomic: a reader never sees half an archive
        except OSError:
            if not shared.is_dir():  # not "another engine was first": a real failure
                raise
    return shared


def prepare_for_execution(code: Any) -> None:
    """S3Code.prepare_for_execution: the version's code location links to the shared unpacked archive."""
    target = code.get_unzipped_code_location()
    with code._disk_lock:
        if target.exists():
            return
        shared = unpack_once(code)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(shared, target_is_directory=True)


@hooks.on_infra_start()
def unpack_each_archive_once() -> None:
    when_imported("localstack.services.lambda_.invocation.lambda_models", lambda lambda_models: setattr(
        lambda_models.S3Code, "prepare_for_execution", prepare_for_execution))

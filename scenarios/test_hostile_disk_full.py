"""A full disk under S3 (issue 12): a PUT that fails half-written must give its space back and lose nothing.

S3's object data lives under the engine's state dir (harness/localstack_isolation.py); here that directory is an
8 MB tmpfs, so one 10 MB upload fills it. Was: the partial file stayed open, deleting every object gave nothing back,
and every later upload failed with `[Errno 28] No space left on device` until LocalStack restarted.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.library.targets.localstack_host import LocalStackEngine
from harness.library.http import http

pytestmark = pytest.mark.emulator_only("fills the disk under a LocalStack of its own on this host")
DISK_MB = 8
MB = 1024 * 1024


@pytest.fixture
def engine_on_a_small_disk(tmp_path: Path) -> Iterator[LocalStackEngine]:
    storage = tmp_path / "tmp" / "s3-storage"  # localstack_isolation.s3_storage_dir() under the engine's TMPDIR
    storage.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(storage)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a {DISK_MB} MB tmpfs for S3's storage ({mounted.stderr.strip() or mounted.returncode}): "
                    "needs root with CAP_SYS_ADMIN")
    try:
        with LocalStackEngine(state_dir=tmp_path) as engine:
            yield engine
    finally:
        subprocess.run(["umount", "--lazy", str(storage)], check=False)


def free_mb(path: Path) -> float:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize / MB


def put(s3, bucket: str, key: str, body: bytes):
    """Through a presigned URL, as the browser uploads (and without the SDK's retries)."""
    return http("PUT", s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60), {}, body, timeout=60)


def test_a_put_that_fills_the_disk_gives_its_space_back(engine_on_a_small_disk, tmp_path):
    storage = tmp_path / "tmp" / "s3-storage"
    s3 = engine_on_a_small_disk.clients().s3
    s3.create_bucket(Bucket="avatars")
    assert put(s3, "avatars", "small.jpg", b"x" * MB).status == 200
    failed = put(s3, "avatars", "huge.jpg", b"x" * (DISK_MB + 2) * MB)
    assert failed.status == 500 and b"No space left on device" in failed.body, failed.body[:300]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="avatars")["Contents"]] == ["small.jpg"]  # nothing half-stored
    assert free_mb(storage) > DISK_MB - 2  # the failed PUT's partial file was released
    overwrite = put(s3, "avatars", "small.jpg", b"z" * (DISK_MB + 2) * MB)  # the same key, too big: AWS keeps the old version
    assert overwrite.status == 500
    assert s3.get_object(Bucket="avatars", Key="small.jpg")["Body"].read() == b"x" * MB  # was: truncated
    s3.delete_object(Bucket="avatars", Key="small.jpg")
    assert free_mb(storage) > DISK_MB - 1  # every failed PUT's partial file was released
    again = put(s3, "avatars", "retry.jpg", b"y" * 4 * MB)
    assert again.status == 200, again.body[:300]  # was: [Errno 28] on every later upload
    assert s3.get_object(Bucket="avatars", Key="retry.jpg")["Body"].read() == b"y" * 4 * MB

"""A PUT that fails while its body is written (the disk is full) releases what it wrote, inside LocalStack.

LocalStack 4.13.1 (`localstack.services.s3.storage.ephemeral`) keeps every object's data in a temporary file
registered by key before the body is written. When the write fails (`[Errno 28] No space left on device`), the file
stays registered and open, though no object refers to it: its blocks are never freed, deleting every object gives
none of the space back, and every later upload fails until LocalStack restarts. AWS has no such state.

This hook, registered under `localstack.hooks.on_infra_start`, makes a failed write drop that file, as LocalStack
itself does after a body fails its checksum (`remove` in `put_object`); for an upload part, the part. Known upstream
limitation kept: the write truncates the key's file first, so a failed overwrite loses the previous version's data
(README, "Known issues").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localstack.runtime import hooks


def releasing_on_failure(write: Callable[[Any], int], release: Callable[[], None]) -> Callable[[Any], int]:
    def write_or_release(stream: Any) -> int:
        try:
            return write(stream)
        except OSError:
            release()  # closing the temporary file frees its blocks
            raise

    return write_or_release


@hooks.on_infra_start()
def release_the_space_of_failed_uploads() -> None:
    from localstack.services.s3.storage.ephemeral import EphemeralS3ObjectStore, EphemeralS3StoredMultipart

    open_object, open_part = EphemeralS3ObjectStore.open, EphemeralS3StoredMultipart.open

    def open_object_releasing(self: EphemeralS3ObjectStore, bucket: str, s3_object: Any, mode: str = "r") -> Any:
        stored = open_object(self, bucket, s3_object, mode)
        if mode == "w":
            stored.write = releasing_on_failure(stored.write, lambda: self.remove(bucket, s3_object))
        return stored

    def open_part_releasing(self: EphemeralS3StoredMultipart, s3_part: Any, mode: str = "r") -> Any:
        stored = open_part(self, s3_part, mode)
        if mode == "w":
            stored.write = releasing_on_failure(stored.write, lambda: self.remove_part(s3_part))
        return stored

    EphemeralS3ObjectStore.open = open_object_releasing
    EphemeralS3StoredMultipart.open = open_part_releasing

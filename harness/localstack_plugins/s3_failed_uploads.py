"""A PUT that fails while its body is written (the disk is full) releases what it wrote and loses nothing, inside
LocalStack.

LocalStack 4.13.1 (`localstack.services.s3.storage.ephemeral`) keeps every object's data in a temporary file
registered by key before the body is written. When the write fails (`[Errno 28] No space left on device`), the file
stays registered and open, though no object refers to it: its blocks are never freed, deleting every object gives
none of the space back, and every later upload fails until LocalStack restarts. And an overwrite truncates the key's
file before writing, so a failed overwrite also destroyed the previous version, which AWS keeps.

This hook, registered under `localstack.hooks.on_infra_start`, changes the write side of the store:
- a new key: a failed write drops its file, as LocalStack itself does after a body fails its checksum (`remove`);
  an upload part likewise drops the part;
- an existing key: the body goes to a new file, which replaces the previous one only when the write has succeeded
  (and nothing removed the key meanwhile); a failed write closes the new file, and the previous version stays intact.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from localstack.runtime import hooks


def releasing_on_failure(write: Callable[[Any], int], release: Callable[[], None],
                         written: Callable[[], None] = lambda: None) -> Callable[[Any], int]:
    def write_or_release(stream: Any) -> int:
        try:
            size = write(stream)
        except OSError:
            release()  # closing the temporary file frees its blocks
            raise
        written()
        return size

    return write_or_release


def replacing_on_success(store: Any, bucket: str, s3_object: Any, previous: Any) -> Any:
    """A write-mode stored object for an existing key that writes to a new file and swaps it in when closed."""
    from localstack.services.s3.storage.ephemeral import S3_MAX_FILE_SIZE_BYTES, EphemeralS3StoredObject, LockedSpooledTemporaryFile

    key = store._key_from_s3_object(s3_object)
    fresh = LockedSpooledTemporaryFile(dir=os.path.join(store.root_directory, bucket), max_size=S3_MAX_FILE_SIZE_BYTES)
    stored = EphemeralS3StoredObject(s3_object=s3_object, file=fresh, mode="w")
    outcome: set[str] = set()

    def release() -> None:
        outcome.add("failed")
        fresh.close()

    close = stored.close

    def close_and_swap_in() -> None:
        close()
        keys = store._filesystem[bucket]["keys"]
        if outcome != {"written"} or keys.get(key) is not previous:  # failed, never written (a precondition), or removed
            fresh.close()
            return
        keys[key] = fresh
        lock = previous.readwrite_lock.gen_wlock()  # readers of the previous version finish first
        lock.acquire()
        try:
            previous.close()
        finally:
            lock.release()

    stored.write = releasing_on_failure(stored.write, release, lambda: outcome.add("written"))
    stored.append = releasing_on_failure(stored.append, release, lambda: outcome.add("written"))
    stored.close = close_and_swap_in
    return stored


@hooks.on_infra_start()
def release_the_space_of_failed_uploads() -> None:
    from localstack.services.s3.storage.ephemeral import EphemeralS3ObjectStore, EphemeralS3StoredMultipart

    open_object, open_part = EphemeralS3ObjectStore.open, EphemeralS3StoredMultipart.open

    def open_object_safely(self: EphemeralS3ObjectStore, bucket: str, s3_object: Any, mode: str = "r") -> Any:
        if mode != "w":
            return open_object(self, bucket, s3_object, mode)
        previous = self._get_object_file(bucket, self._key_from_s3_object(s3_object))
        if previous is not None:
            return replacing_on_success(self, bucket, s3_object, previous)
        stored = open_object(self, bucket, s3_object, mode)
        stored.write = releasing_on_failure(stored.write, lambda: self.remove(bucket, s3_object))
        stored.append = releasing_on_failure(stored.append, lambda: self.remove(bucket, s3_object))
        return stored

    def open_part_safely(self: EphemeralS3StoredMultipart, s3_part: Any, mode: str = "r") -> Any:
        stored = open_part(self, s3_part, mode)
        if mode == "w":
            stored.write = releasing_on_failure(stored.write, lambda: self.remove_part(s3_part))
        return stored

    EphemeralS3ObjectStore.open = open_object_safely
    EphemeralS3StoredMultipart.open = open_part_safely

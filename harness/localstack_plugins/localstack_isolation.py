"""Several LocalStacks on one host must not share files: S3 object data goes under the engine's state.

LocalStack 4.13.1 keeps S3 object bodies in the hard-coded `/tmp/localstack-s3-storage/<bucket>` (inside
its container that is private; on the host it is shared by every instance). Two engines with a bucket
of the same name (a test's `harness up` next to the session's stack) then delete each other's objects.
This hook, registered under `localstack.hooks.on_infra_start`, moves the directory into the process's
temporary directory, which the engine sets to `<state dir>/tmp`.
"""

from __future__ import annotations

import os
import tempfile

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported


def s3_storage_dir() -> str:
    return os.path.join(tempfile.gettempdir(), "s3-storage")


@hooks.on_infra_start()
def keep_s3_objects_in_the_state_dir() -> None:
    # read when the S3 provider is created, on the first S3 call; set once the provider's module is first imported
    when_imported("localstack.services.s3.provider", lambda provider: setattr(provider, "DEFAULT_S3_TMP_DIR", s3_storage_dir()))


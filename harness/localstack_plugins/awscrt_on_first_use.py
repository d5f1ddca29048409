"""awscrt's native library loaded in the engine only for what only it does (inside LocalStack; issue 13).

LocalStack needs awscrt for S3's CRC32C and CRC64NVME checksums: botocore's `CrtCrc32cChecksum` and
`CrtCrc64NvmeChecksum`, which botocore defines only where awscrt is installed. Where it is, botocore also signs SigV4
and computes CRC32 through it, so an engine's first internal call or internal PutObject (each CreateFunction stores the
function's archive with one) loaded the native library: ~80 ms of CPU and 5 MB in every engine.

Here `_awscrt` runs when first used (`modules_on_first_use`), and the engine's botocore signs SigV4 and computes CRC32
with its own implementations, the ones it uses where awscrt is missing: the same signatures and checksums. CRC32C,
CRC64NVME and SigV4a still go through awscrt, which loads then.
"""

from __future__ import annotations

import types

from harness.localstack_plugins.modules_on_first_use import defer_until_first_read
from harness.localstack_plugins.on_import import when_imported


def sign_sigv4_with_botocore(auth: types.ModuleType) -> None:
    """The SigV4 signers `botocore.auth` registers where awscrt is missing."""
    auth.AUTH_TYPE_MAPS.update({"v4": auth.SigV4Auth, "v4-query": auth.SigV4QueryAuth, "s3v4": auth.S3SigV4Auth,
                                "s3v4-query": auth.S3SigV4QueryAuth})


def compute_crc32_with_botocore(httpchecksum: types.ModuleType) -> None:
    """The CRC32 `botocore.httpchecksum` uses where awscrt is missing (zlib's)."""
    httpchecksum._CHECKSUM_CLS["crc32"] = httpchecksum.Crc32Checksum


def install() -> None:
    """Before botocore is imported: else its `import awscrt.auth` has loaded the native library already."""
    defer_until_first_read({"_awscrt"})
    when_imported("botocore.auth", sign_sigv4_with_botocore)
    when_imported("botocore.httpchecksum", compute_crc32_with_botocore)

"""LocalStack's patches of botocore's service specs applied to the spec just loaded, not to a copy of it (inside
LocalStack; issue 13).

LocalStack's `PatchingLoader.load_data` applies its JSON patches (102 for S3's spec, 4 for API Gateway v2's) with
`jsonpatch.apply_patch`, which first deep-copies the whole spec: ~50 ms of CPU for S3's and ~40 ms for API Gateway v2's,
in every engine that serves them (the Cruddur stack uses both). The spec it patches is its own fresh copy (botocore's
loader parses the file again, or `botocore_data_cache` unpickles a new copy), and only the patched result is kept
(`instance_cache`), so the patches are applied to it in place: the same spec.
"""

from __future__ import annotations

import types
from typing import Any


def patch_loaded_specs_in_place(spec_module: types.ModuleType) -> None:
    """`localstack.aws.spec.PatchingLoader.load_data`, with the patches applied in place."""
    # imported with LocalStack's spec module, not with engine_main: botocore only after its deferrals are installed
    import jsonpatch
    from botocore.loaders import instance_cache

    patching_loader = spec_module.PatchingLoader

    @instance_cache
    def load_data(self: Any, name: str) -> Any:
        result = super(patching_loader, self).load_data(name)
        if patches := self.patches.get(name):
            return jsonpatch.apply_patch(result, patches, in_place=True)
        return result

    patching_loader.load_data = load_data

"""LocalStack's corrections to botocore's service specs applied to the spec as loaded, not to a deep copy of it
(inside LocalStack; issue 13).

`localstack.aws.spec.PatchingLoader.load_data` applies `spec-patches.json` (102 operations on the S3 spec, 4 on
apigatewayv2's) with `jsonpatch.apply_patch(spec, patches)`, which deep-copies the whole spec first: ~30 ms of CPU for
S3's, on the first S3 request of every engine. The spec it patches is one botocore's loader has just read for it (a
new object for each read, also through `harness.shared.botocore_data_cache`), and the loader then keeps only the
patched spec (botocore's `instance_cache` files both under the same key), so the copy protects nothing. Here the
same patches are applied to that spec in place: the loader answers the same patched spec.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any


def apply_spec_patches_in_place(spec: ModuleType) -> None:
    """`spec` is `localstack.aws.spec`: its PatchingLoader's `load_data`, as LocalStack 4.13.1 writes it, in place."""
    import jsonpatch
    from botocore.loaders import instance_cache

    patching_loader = spec.PatchingLoader

    @instance_cache
    def load_data(self: Any, name: str) -> Any:
        result = super(patching_loader, self).load_data(name)
        if patches := self.patches.get(name):
            return jsonpatch.apply_patch(result, patches, in_place=True)
        return result

    load_data.patches_in_place = True
    patching_loader.load_data = load_data

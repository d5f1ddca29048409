"""An account's AWS managed IAM policies made when first read, not with its IAM backend (inside LocalStack; issue 13).

LocalStack 4.13.1 has moto make AWS's ~1,600 managed policies (a 4.7 MB JSON document parsed, one object per policy,
plus the few LocalStack adds) whenever an account's IAM backend is made: in the first IAM call of every engine, ~0.2 s
of CPU inside `harness up`'s first CreateRole, though creating a role and its inline policy reads none of them. Here
the backend's `aws_managed_policies` and `managed_policies` are made on their first read, by the backend's own
`_init_aws_policies` as LocalStack patched it: a call that reads them (GetPolicy, ListPolicies, AttachRolePolicy,
CreatePolicy, ...) sees what it saw before.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable
from typing import Any

IAM_PATCHES_MODULE = "localstack.services.iam.iam_patches"
_AWS_POLICIES = "_harness_aws_managed_policies"  # in the backend's __dict__: None until made
_ALL_POLICIES = "_harness_managed_policies"
_MAKING = threading.RLock()  # making `managed_policies` reads `aws_managed_policies`


def _made_on_first_read(name: str, make: Callable[[Any], Any]) -> property:
    def read(backend: Any) -> Any:
        value = backend.__dict__.get(name)
        if value is None:
            with _MAKING:
                value = backend.__dict__.get(name)
                if value is None:
                    value = backend.__dict__[name] = make(backend)
        return value

    def write(backend: Any, value: Any) -> None:
        backend.__dict__[name] = value

    return property(read, write)


def make_managed_policies_on_first_read(iam_backend_class: type) -> None:
    """`IAMBackend.__init__` assigns both attributes from these two methods: they now give None (not made yet)."""
    make_aws_policies = iam_backend_class._init_aws_policies  # moto's, as LocalStack extended it
    iam_backend_class.aws_managed_policies = _made_on_first_read(_AWS_POLICIES, make_aws_policies)
    iam_backend_class.managed_policies = _made_on_first_read(
        _ALL_POLICIES, lambda backend: {policy.arn: policy for policy in backend.aws_managed_policies})
    iam_backend_class._init_aws_policies = iam_backend_class._init_managed_policies = lambda _: None


def defer_after_localstacks_patches(iam_patches: types.ModuleType) -> None:
    """LocalStack's `apply_iam_patches` (run when its IAM or STS provider is made) extends `_init_aws_policies`: the
    deferral wraps what it leaves."""
    apply_localstacks = iam_patches.apply_iam_patches

    def apply_iam_patches() -> None:
        with iam_patches.IAM_PATCH_LOCK:
            first = not iam_patches.IAM_PATCHED
            apply_localstacks()
            if first:
                from moto.iam.models import IAMBackend

                make_managed_policies_on_first_read(IAMBackend)

    iam_patches.apply_iam_patches = apply_iam_patches


def install() -> None:
    from harness.localstack_plugins.on_import import when_imported

    when_imported(IAM_PATCHES_MODULE, defer_after_localstacks_patches)

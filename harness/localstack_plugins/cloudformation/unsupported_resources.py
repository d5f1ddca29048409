"""Never a false success: a resource type the engine cannot create fails the stack.

AWS creates every resource a template names or fails the stack. LocalStack 4.13.1's v2 engine, for a type it has no
provider for, reports CREATE_COMPLETE "Resource type X is not supported but was deployed as a fallback"
(CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES, on by default), so a CDK app whose S3 notification never exists looked
deployed. Turning that setting off is not the way: it also runs a pre-check against LocalStack's remote catalog (a
network call). This hook makes the executor take its own failure branch instead: the resource is CREATE_FAILED with
"Resource type X not supported", and the stack rolls back (`rollback.py`).
"""

from __future__ import annotations

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported


def never_ignore_unsupported_resource_type(resource_type: str, change_set_type: object) -> bool:
    return False


@hooks.on_infra_start()
def fail_unsupported_resource_types() -> None:
    when_imported("localstack.services.cloudformation.engine.v2.change_set_model_executor", lambda module: setattr(
        module, "should_ignore_unsupported_resource_type", never_ignore_unsupported_resource_type))

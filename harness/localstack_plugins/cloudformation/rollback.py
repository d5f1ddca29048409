"""Stack creation rollback: a failed create deletes what it had created, newest first.

AWS: when a resource fails during CreateStack (and rollback is not disabled), the stack goes ROLLBACK_IN_PROGRESS,
every resource created so far is deleted in reverse order, then ROLLBACK_COMPLETE. A custom resource whose Create
failed is sent a Delete too (with the PhysicalResourceId it answered, or a placeholder). LocalStack 4.13.1's v2
engine sets ROLLBACK_COMPLETE and leaves every created resource in place. This hook queues the deletions as the
engine's own deferred actions, which it runs in reverse order under ROLLBACK_IN_PROGRESS. CreateStack (unlike
ExecuteChangeSet) then overwrote the executor's ROLLBACK_COMPLETE with CREATE_FAILED; a stack whose rollback completed
keeps ROLLBACK_COMPLETE, as on AWS, with no resource left for DeleteStack to delete; one whose rollback could not
delete a resource ends ROLLBACK_FAILED. The resource's failure takes the stack from CREATE_IN_PROGRESS straight to
ROLLBACK_IN_PROGRESS, as on AWS, where LocalStack showed CREATE_FAILED for a moment first. During DeleteStack a
resource whose delete fails no longer flips the stack to DELETE_FAILED while LocalStack goes on to end it
DELETE_COMPLETE (AWS would end DELETE_FAILED: unverified here).
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported

CUSTOM_TYPES = ("Custom::", "AWS::CloudFormation::CustomResource")
ROLLBACK_FAILED_FLAG = "_harness_rollback_failed"  # set on the stack when a rollback deletion failed


def rollback_disabled(stack: Any) -> bool:
    payload = getattr(stack, "request_payload", None) or {}
    return bool(payload.get("DisableRollback")) or payload.get("OnFailure") == "DO_NOTHING"


def to_roll_back(resources: dict[str, dict]) -> list[tuple[str, dict]]:
    """Created resources, and custom resources whose Create failed, in creation order."""
    chosen = []
    for name, resource in resources.items():
        status = resource.get("ResourceStatus")
        failed_custom = status == "CREATE_FAILED" and str(resource.get("Type", "")).startswith(CUSTOM_TYPES)
        if status == "CREATE_COMPLETE" or failed_custom:
            chosen.append((name, resource))
    return chosen


def queue_rollback(executor: Any) -> None:
    from localstack.services.cloudformation.engine.v2.change_set_model import ChangeAction
    from localstack.services.cloudformation.engine.v2.change_set_model_preproc import PreprocProperties
    from localstack.services.cloudformation.resource_provider import OperationStatus

    for name, resource in to_roll_back(executor.resources):
        resource_type = resource["Type"]
        properties = PreprocProperties(properties=dict(resource.get("Properties") or {}))

        def delete(name: str = name, resource_type: str = resource_type, properties: Any = properties) -> None:
            executor._process_event(action=ChangeAction.Remove, logical_resource_id=name,
                                    resource_type=resource_type, event_status=OperationStatus.IN_PROGRESS)
            event = executor._execute_resource_action(action=ChangeAction.Remove, logical_resource_id=name,
                                                      resource_type=resource_type, before_properties=properties,
                                                      after_properties=None)
            executor._process_event(action=ChangeAction.Remove, logical_resource_id=name,
                                    resource_type=resource_type, event_status=event.status, reason=event.message)
            if event.status == OperationStatus.FAILED:
                setattr(executor._change_set.stack, ROLLBACK_FAILED_FLAG, True)

        executor._defer_action(f"rollback-{name}", delete)


@hooks.on_infra_start()
def roll_back_failed_stack_creation() -> None:
    when_imported("localstack.services.cloudformation.engine.v2.change_set_model_executor", queue_rollback_on_failure)
    when_imported("localstack.services.cloudformation.v2.entities", keep_rollback_complete)


def queue_rollback_on_failure(change_set_model_executor: ModuleType) -> None:
    from localstack.aws.api.cloudformation import ChangeSetType

    ChangeSetModelExecutor = change_set_model_executor.ChangeSetModelExecutor
    original_process = ChangeSetModelExecutor.process

    def process(self: ChangeSetModelExecutor) -> None:
        try:
            original_process(self)
        except Exception:
            change_set = self._change_set
            if change_set.change_set_type == ChangeSetType.CREATE and not rollback_disabled(change_set.stack):
                queue_rollback(self)
            raise

    ChangeSetModelExecutor.process = process


def keep_rollback_complete(entities: ModuleType) -> None:
    from localstack.aws.api.cloudformation import StackStatus

    Stack = entities.Stack
    original_set_stack_status = Stack.set_stack_status

    def set_stack_status(self: Stack, status: StackStatus, reason: object = None) -> None:
        if status == StackStatus.CREATE_FAILED and self.status in (StackStatus.ROLLBACK_COMPLETE, StackStatus.ROLLBACK_FAILED):
            return
        if (status == StackStatus.CREATE_FAILED and self.status == StackStatus.CREATE_IN_PROGRESS and not rollback_disabled(self)
                and sys._getframe(1).f_code.co_name == "_process_event"):
            # a resource failed: the stack goes straight to ROLLBACK_IN_PROGRESS, as on AWS (LocalStack showed CREATE_FAILED
            # until its executor began the rollback: a DescribeStacks in between took it for the end, under load)
            status = StackStatus.ROLLBACK_IN_PROGRESS
        elif status == self.status == StackStatus.ROLLBACK_IN_PROGRESS and not reason:
            return  # the executor beginning the rollback: the stack is rolling back already, one event as on AWS
        if (status == StackStatus.DELETE_FAILED and self.status == StackStatus.DELETE_IN_PROGRESS
                and sys._getframe(1).f_code.co_name == "_process_event"):
            return  # one resource's failed delete: LocalStack's DeleteStack goes on (and ends DELETE_COMPLETE); the
            # stack does not flip to DELETE_FAILED and back meanwhile (cdk destroy polling saw that and failed)
        if status == StackStatus.ROLLBACK_COMPLETE and getattr(self, ROLLBACK_FAILED_FLAG, False):
            status = StackStatus.ROLLBACK_FAILED
        if (status == StackStatus.DELETE_IN_PROGRESS and self.status == StackStatus.ROLLBACK_COMPLETE
                and isinstance(self.processed_template, dict)):
            # every resource was rolled back: DeleteStack (which reads the template next) has nothing to delete, as on
            # AWS (LocalStack's delete tried every resource again and showed DELETE_FAILED for each one already gone
            # before it ended DELETE_COMPLETE). After ROLLBACK_FAILED it still tries them all (not AWS's way: see README)
            self.processed_template = {**self.processed_template, "Resources": {}}
        original_set_stack_status(self, status, reason)

    Stack.set_stack_status = set_stack_status

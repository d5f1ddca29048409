"""The stack statuses of a failed create (harness/localstack_plugins/cloudformation/rollback.py `keep_rollback_complete`),
on a stand-in for LocalStack's v2 Stack entity: a resource's failure takes the stack from CREATE_IN_PROGRESS straight to
ROLLBACK_IN_PROGRESS, as on AWS, so no DescribeStacks in between sees CREATE_FAILED and takes it for the end (a suite run
twice at once saw that: its wait settled on CREATE_FAILED while LocalStack went on to roll back)."""

from __future__ import annotations

import types

import pytest
from localstack.aws.api.cloudformation import StackStatus

from harness.localstack_plugins.cloudformation.rollback import keep_rollback_complete


class Stack:
    """What the hook reads and calls of LocalStack's v2 Stack: its status, its request, set_stack_status."""

    def __init__(self, **request: object) -> None:
        self.status, self.request_payload, self.processed_template, self.statuses = StackStatus.CREATE_IN_PROGRESS, request, {}, []

    def set_stack_status(self, status: StackStatus, reason: object = None) -> None:
        self.status = status
        self.statuses.append(status)


@pytest.fixture(scope="module", autouse=True)
def hooked() -> None:
    keep_rollback_complete(types.SimpleNamespace(Stack=Stack))


def _process_event(stack: Stack) -> None:
    """As LocalStack's executor marks a resource's failure: the stack gets the resource's status."""
    stack.set_stack_status(StackStatus.CREATE_FAILED)


def executor_rolls_back(stack: Stack) -> None:
    """As LocalStack's executor then ends the failed create (ChangeSetModelExecutor.execute, CreateStack's _run)."""
    stack.set_stack_status(StackStatus.ROLLBACK_IN_PROGRESS)
    stack.set_stack_status(StackStatus.ROLLBACK_COMPLETE)
    stack.set_stack_status(StackStatus.CREATE_FAILED)


def test_a_failed_resource_takes_the_stack_straight_to_rollback_in_progress_once():
    stack = Stack()
    _process_event(stack)
    assert stack.status == StackStatus.ROLLBACK_IN_PROGRESS
    executor_rolls_back(stack)
    assert stack.statuses == [StackStatus.ROLLBACK_IN_PROGRESS, StackStatus.ROLLBACK_COMPLETE]


@pytest.mark.parametrize("request_payload", [{"DisableRollback": True}, {"OnFailure": "DO_NOTHING"}])
def test_with_rollback_disabled_the_stack_is_create_failed(request_payload):
    stack = Stack(**request_payload)
    _process_event(stack)
    assert stack.status == StackStatus.CREATE_FAILED


def test_a_create_that_failed_outside_a_resource_is_create_failed():
    stack = Stack()
    stack.set_stack_status(StackStatus.CREATE_FAILED)  # CreateStack's _run when the executor raised: nothing rolls back
    assert stack.statuses == [StackStatus.CREATE_FAILED]

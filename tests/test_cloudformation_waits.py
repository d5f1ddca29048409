"""The harness's waits for a CloudFormation stack (harness.library.cloudformation): polled as every harness wait is
(waiting.wait_until), and a stack that does not settle in time is a WaitTimeout showing its last status and events."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from harness.library.cloudformation import delete_stack, wait_settled
from harness.shared.errors import WaitTimeout

EVENT = {"LogicalResourceId": "Widget", "ResourceType": "Custom::Widget", "ResourceStatus": "CREATE_IN_PROGRESS",
         "Timestamp": datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)}


class Stacks:
    """A CloudFormation client whose stack reports the given statuses, then the last one again and again."""

    def __init__(self, *statuses: str | None) -> None:
        self.statuses, self.asked = list(statuses), 0
        self.exceptions = type("Exceptions", (), {"ClientError": LookupError})

    def describe_stacks(self, StackName: str) -> dict:  # noqa: N803 - boto3's keyword
        status = self.statuses[min(self.asked, len(self.statuses) - 1)]
        self.asked += 1
        if status is None:
            raise LookupError(f"Stack with id {StackName} does not exist")
        return {"Stacks": [{"StackName": StackName, "StackStatus": status}]}

    def delete_stack(self, StackName: str) -> None:  # noqa: N803
        pass

    def get_paginator(self, operation: str):
        return type("Pages", (), {"paginate": lambda _, StackName: [{"StackEvents": [EVENT]}]})()


def test_a_stack_is_answered_once_settled():
    stacks = Stacks("CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE")
    assert wait_settled(stacks, "s", timeout=10)["StackStatus"] == "CREATE_COMPLETE" and stacks.asked == 3


def test_a_stack_still_in_progress_at_the_timeout_shows_its_status_and_events():
    with pytest.raises(WaitTimeout, match="waiting for stack s") as timeout:
        wait_settled(Stacks("CREATE_IN_PROGRESS"), "s", timeout=0.2)
    evidence = timeout.value.evidence
    assert "still CREATE_IN_PROGRESS" in evidence and "Widget CREATE_IN_PROGRESS" in evidence


def test_a_deleted_stack_ends_the_wait_and_one_still_deleting_at_the_timeout_says_so():
    stacks = Stacks("CREATE_COMPLETE", "DELETE_IN_PROGRESS", None)
    delete_stack(stacks, "s", timeout=10)
    assert stacks.asked == 3
    with pytest.raises(WaitTimeout, match="waiting for stack s to be deleted") as timeout:
        delete_stack(Stacks("CREATE_COMPLETE", "DELETE_IN_PROGRESS"), "s", timeout=0.2)
    assert "still DELETE_IN_PROGRESS" in timeout.value.evidence

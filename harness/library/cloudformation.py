"""CloudFormation stacks from a test: create, wait (bounded), read outputs, delete; a failure carries the stack events.

Deploys through the CloudFormation API (boto3), so whatever the target's engine does with a template is what the
test sees: on the emulator, custom resources run their Lambda, unsupported types fail, a failed create rolls back
(harness.localstack_plugins.cloudformation).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.library.waiting import wait_until
from harness.shared.errors import HarnessError

DEPLOY_TIMEOUT_SECONDS = 300.0
DELETE_TIMEOUT_SECONDS = 180.0
POLL_SECONDS = 0.5
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
_SETTLED_SUFFIXES = ("_COMPLETE", "_FAILED")


class StackDeployError(HarnessError):
    """A stack did not reach CREATE_COMPLETE/UPDATE_COMPLETE; `status`, `reasons` and `events` say why."""

    def __init__(self, name: str, status: str, events: list[dict]) -> None:
        self.name, self.status, self.events = name, status, events
        self.reasons = failure_reasons(events)
        super().__init__(f"stack {name} ended {status}: " + ("; ".join(self.reasons) or "no failure reason"),
                         evidence=events_text(events),
                         hint="the first *_FAILED event names the resource; a custom resource's Lambda logs are in "
                              "CloudWatch Logs (/aws/lambda/<function>)")


@dataclass
class DeployedStack:
    name: str
    stack_id: str
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    resources: dict[str, dict] = field(default_factory=dict)  # logical id -> StackResourceSummary


def template_body(template: dict | str) -> str:
    return template if isinstance(template, str) else json.dumps(template)


def stack_events(cloudformation: Any, name: str) -> list[dict]:
    """Every event, oldest first."""
    events: list[dict] = []
    for page in cloudformation.get_paginator("describe_stack_events").paginate(StackName=name):
        events.extend(page["StackEvents"])
    return sorted(events, key=lambda event: event["Timestamp"])


def failure_reasons(events: list[dict]) -> list[str]:
    return [f"{event['LogicalResourceId']} ({event.get('ResourceType')}): {event['ResourceStatusReason']}"
            for event in events
            if str(event.get("ResourceStatus", "")).endswith("_FAILED") and event.get("ResourceStatusReason")
            and event["LogicalResourceId"] != event.get("StackName")]


def events_text(events: list[dict]) -> str:
    return "\n".join(f"{event['Timestamp']:%H:%M:%S} {event['LogicalResourceId']} {event.get('ResourceType', '')} "
                     f"{event['ResourceStatus']} {event.get('ResourceStatusReason') or ''}".rstrip()
                     for event in events) or "(no events)"


def _last_status_and_events(cloudformation: Any, name: str, seen: list[str | None]) -> Callable[[], str]:
    """A stack wait's timeout evidence: the last status it saw (`seen`, filled by its probe) and the stack's events."""
    return lambda: f"still {seen[-1]}\n{events_text(stack_events(cloudformation, name))}"


def wait_settled(cloudformation: Any, name: str, *, timeout: float, in_progress_ok: tuple[str, ...] = ()) -> dict:
    """The stack once its status is no longer *_IN_PROGRESS; on timeout its status and events so far are the
    evidence. Polled as every harness wait is (waiting.wait_until, up to POLL_SECONDS apart): most stacks settle in
    ~0.1-0.3 s, which a fixed 0.5 s poll rounded up to 0.5 s, at every create, update and rollback."""
    seen: list[str] = []

    def settled() -> dict | None:
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        status = stack["StackStatus"]
        seen.append(status)
        return stack if status.endswith(_SETTLED_SUFFIXES) and not status.endswith("_IN_PROGRESS") else None

    return wait_until(settled, timeout=timeout, what=f"stack {name}", max_interval=POLL_SECONDS,
                      evidence=_last_status_and_events(cloudformation, name, seen),
                      hint="a custom resource waits for its Lambda's answer up to its ServiceTimeout")


def describe_deployed(cloudformation: Any, stack: dict) -> DeployedStack:
    name = stack["StackName"]
    summaries = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    return DeployedStack(
        name=name, stack_id=stack["StackId"], status=stack["StackStatus"],
        outputs={output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs") or []},
        resources={summary["LogicalResourceId"]: summary for summary in summaries},
    )


def deploy_stack(cloudformation: Any, name: str, template: dict | str, parameters: dict[str, str] | None = None, *,
                 timeout: float = DEPLOY_TIMEOUT_SECONDS) -> DeployedStack:
    """CreateStack and wait for CREATE_COMPLETE; anything else raises StackDeployError with the events."""
    cloudformation.create_stack(
        StackName=name, TemplateBody=template_body(template), Capabilities=CAPABILITIES,
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in (parameters or {}).items()],
    )
    stack = wait_settled(cloudformation, name, timeout=timeout)
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise StackDeployError(name, stack["StackStatus"], stack_events(cloudformation, name))
    return describe_deployed(cloudformation, stack)


def current_status(cloudformation: Any, name: str) -> str | None:
    """The stack's status; None when there is no such stack."""
    try:
        return cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def delete_stack(cloudformation: Any, name: str, *, timeout: float = DELETE_TIMEOUT_SECONDS) -> None:
    """DeleteStack and wait until it is gone (a stack already deleted is left alone); DELETE_FAILED raises."""
    if current_status(cloudformation, name) in (None, "DELETE_COMPLETE"):
        return
    cloudformation.delete_stack(StackName=name)
    seen: list[str | None] = []

    def ended() -> bool:
        seen.append(current_status(cloudformation, name))
        if seen[-1] == "DELETE_FAILED":
            raise StackDeployError(name, "DELETE_FAILED", stack_events(cloudformation, name))
        return seen[-1] in (None, "DELETE_COMPLETE")

    wait_until(ended, timeout=timeout, what=f"stack {name} to be deleted", max_interval=POLL_SECONDS,
               evidence=_last_status_and_events(cloudformation, name, seen))

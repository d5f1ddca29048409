"""CloudFormation fixtures: `cloudformation_stack(template, parameters)` and `cdk_app(path, context)`, each deploying
on the `--engine` target and deleting what it deployed at teardown (harness.library.cloudformation, .cdk)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.library.aws import AwsClients
from harness.library.cdk import CDK_APP_DIR, CdkApp
from harness.library.cleanup import Cleanup
from harness.library.cloudformation import DeployedStack, delete_stack, deploy_stack
from harness.library.targets.target import Target


@pytest.fixture
def cloudformation_stack(aws_target: Target, aws_client: AwsClients) -> Iterator[Callable[..., DeployedStack]]:
    """`deploy(template, parameters=None, name=None)`: CreateStack, wait for CREATE_COMPLETE (else StackDeployError
    with the stack events), return a DeployedStack; every stack it created is deleted at teardown, failed ones too."""
    created: list[str] = []

    def deploy(template: dict | str, parameters: dict[str, str] | None = None, name: str | None = None) -> DeployedStack:
        stack_name = name or f"{aws_target.name_prefix}stack-{uuid.uuid4().hex[:8]}"
        created.append(stack_name)
        return deploy_stack(aws_client.cloudformation, stack_name, template, parameters)

    yield deploy
    cleanup = Cleanup("the stacks of cloudformation_stack")
    for stack_name in reversed(created):
        cleanup.run(f"stack {stack_name}", lambda stack_name=stack_name: delete_stack(aws_client.cloudformation, stack_name))
    cleanup.raise_if_failed()


@pytest.fixture
def cdk_app(aws_client: AwsClients) -> Iterator[Callable[..., CdkApp]]:
    """`deploy(path=app/cdk, context=None)`: `cdk synth`, `cdk bootstrap`, `cdk deploy --all` with the CDK CLI on the
    target (a failure raises CdkCommandError with the CLI's output and the stacks' events); returns the CdkApp, whose
    `deployment` has each stack's outputs; `cdk destroy --all` at teardown."""
    apps: list[CdkApp] = []

    def deploy(path: Path = CDK_APP_DIR, context: dict[str, str] | None = None) -> CdkApp:
        app = CdkApp(path, aws_client, context)
        apps.append(app)  # before deploying: a half-deployed app is destroyed too
        app.deploy()
        return app

    yield deploy
    cleanup = Cleanup("the apps of cdk_app")
    for app in reversed(apps):
        cleanup.run(f"cdk app {app.path}", app.destroy)
    cleanup.raise_if_failed()

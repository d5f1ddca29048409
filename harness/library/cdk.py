"""A CDK app deployed with the CDK CLI itself, unchanged: `cdk synth`, `cdk bootstrap`, `cdk deploy`, `cdk destroy`.

The CLI reaches the target through the SDK's standard settings (`AWS_ENDPOINT_URL`, test credentials, region): on
the emulator nothing is rewritten (no cdklocal), on AWS the endpoint is unset and the user's credentials apply. The app
is synthesized once into a cloud assembly of its own (`-o`), which deploy and destroy then use (`--app <assembly>`), so
runs in parallel never share a `cdk.out`. The CLI and aws-cdk-lib are pinned in the app's package.json/lock and
installed by `make setup` (`npm ci`); a missing install is a ProvisioningError naming the command.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.library.aws import TEST_CREDENTIALS, AwsClients
from harness.library.cloudformation import events_text, failure_reasons, stack_events
from harness.shared.errors import HarnessError, ProvisioningError
from harness.library.layout import APP_DIR
from harness.library.packaging import node_function_zip, python_function_zip
from harness.library.typescript_check import TypeCheckVerdict

CDK_APP_DIR = APP_DIR / "cdk"  # the project's own CDK app (thumbing-serverless-cdk)
EMULATED_ACCOUNT = "000000000000"
SYNTH_TIMEOUT_SECONDS = 300.0
DEPLOY_TIMEOUT_SECONDS = 600.0
_CLI_TAIL_LINES = 60


class CdkCommandError(HarnessError):
    """A CDK CLI command failed; the evidence is its output and the stacks' failure events."""


@dataclass
class CdkDeployment:
    """What `cdk deploy` made: each stack's outputs, and how long each step took."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # stack name -> output key -> value
    seconds: dict[str, float] = field(default_factory=dict)  # "synth", "bootstrap", "deploy"


class CdkApp:
    """One CDK app on one target. `deploy()` synthesizes, bootstraps (once per environment) and deploys all stacks;
    `destroy()` removes them."""

    def __init__(self, path: Path, clients: AwsClients, context: dict[str, str] | None = None,
                 assembly_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.clients = clients
        self.context = dict(context or {})
        self.assembly_dir = Path(assembly_dir or tempfile.mkdtemp(prefix="harness-cdk-assembly-"))
        self.deployment = CdkDeployment()

    # -- the CLI ----------------------------------------------------------------------------------------
    @property
    def cli(self) -> Path:
        return self.path / "node_modules" / ".bin" / "cdk"

    def account(self) -> str:
        if self.clients.emulator is not None:
            return EMULATED_ACCOUNT
        return self.clients.sts.get_caller_identity()["Account"]

    def environment(self) -> dict[str, str]:
        """The SDK's standard settings: the target's endpoint and region; test keys on an emulator."""
        env = dict(os.environ)
        env.update(AWS_REGION=self.clients.region, AWS_DEFAULT_REGION=self.clients.region,
                   CDK_DEFAULT_REGION=self.clients.region, CDK_DEFAULT_ACCOUNT=self.account(),
                   CDK_DISABLE_VERSION_CHECK="1", CDK_DISABLE_CLI_TELEMETRY="true")
        if self.clients.endpoint_url is not None:
            env.pop("AWS_PROFILE", None)
            env.update(AWS_ENDPOINT_URL=self.clients.endpoint_url,
                       AWS_ACCESS_KEY_ID=TEST_CREDENTIALS["aws_access_key_id"],
                       AWS_SECRET_ACCESS_KEY=TEST_CREDENTIALS["aws_secret_access_key"])
        return env

    def run(self, *arguments: str, timeout: float, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
        if not self.cli.is_file():
            raise ProvisioningError(f"the CDK CLI is not installed in {self.path}", evidence=f"missing: {self.cli}",
                                    hint=f"run `make setup` (it runs `npm ci` in {self.path})")
        command = [str(self.cli), *arguments]
        try:
            result = subprocess.run(command, cwd=cwd or self.path, env=self.environment() | (env or {}), capture_output=True,
                                    text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise CdkCommandError(f"`cdk {arguments[0]}` did not finish in {timeout:g}s",
                                  evidence=_tail((error.stdout or b"").decode(errors="replace") if isinstance(error.stdout, bytes) else (error.stdout or "")),
                                  hint="a custom resource may be waiting for its Lambda's answer") from error
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise CdkCommandError(f"`cdk {' '.join(arguments[:2])}` failed (exit {result.returncode})",
                                  evidence=_tail(output) + self._failure_events(),
                                  hint="the stack events above name the resource that failed")
        return output

    def _context_arguments(self) -> list[str]:
        return [argument for key, value in self.context.items() for argument in ("-c", f"{key}={value}")]

    # -- the steps ---------------------------------------------------------------------------------------
    def synth(self) -> None:
        """`cdk synth`; ts-node's type check runs once per content of the app (harness.library.typescript_check)."""
        started = time.monotonic()
        type_check = TypeCheckVerdict(self.path)
        self.run("synth", "--quiet", "-o", str(self.assembly_dir), *self._context_arguments(),
                 timeout=SYNTH_TIMEOUT_SECONDS, env=type_check.environment())
        type_check.record_pass()
        self.deployment.seconds["synth"] = time.monotonic() - started

    def stack_names(self) -> list[str]:
        manifest = json.loads((self.assembly_dir / "manifest.json").read_text())
        return [name for name, artifact in manifest.get("artifacts", {}).items()
                if artifact.get("type") == "aws:cloudformation:stack"]

    def bootstrap(self) -> None:
        """`cdk bootstrap` of this account and region (CDKToolkit), from outside the app: the environment is named."""
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="harness-cdk-bootstrap-") as empty:
            self.run("bootstrap", f"aws://{self.account()}/{self.clients.region}", timeout=DEPLOY_TIMEOUT_SECONDS,
                     cwd=Path(empty))
        self.deployment.seconds["bootstrap"] = time.monotonic() - started

    def deploy(self) -> CdkDeployment:
        if not (self.assembly_dir / "manifest.json").is_file():
            self.synth()
        self.bootstrap()
        outputs_file = self.assembly_dir / "outputs.json"
        started = time.monotonic()
        self.run("deploy", "--all", "--app", str(self.assembly_dir), "--require-approval", "never",
                 "--outputs-file", str(outputs_file), "--progress", "events", timeout=DEPLOY_TIMEOUT_SECONDS)
        self.deployment.seconds["deploy"] = time.monotonic() - started
        self.deployment.outputs = json.loads(outputs_file.read_text()) if outputs_file.is_file() else {}
        return self.deployment

    def destroy(self) -> None:
        self.run("destroy", "--all", "--app", str(self.assembly_dir), "--force", timeout=DEPLOY_TIMEOUT_SECONDS)

    def _failure_events(self) -> str:
        """Each stack's failure reasons and events, when the assembly names stacks the target knows."""
        parts = []
        try:
            names = self.stack_names()
        except (OSError, ValueError):
            return ""
        for name in names:
            try:
                events = stack_events(self.clients.cloudformation, name)
            except Exception:  # noqa: BLE001 - a stack never created has no events; the CLI output says why
                continue
            reasons = "\n".join(failure_reasons(events)) or "(no failure reason)"
            parts.append(f"\n--- stack {name}: {reasons}\n{events_text(events)}")
        return "".join(parts)


def _tail(text: str) -> str:
    return "\n".join(text.splitlines()[-_CLI_TAIL_LINES:])


def stack_outputs(deployment: CdkDeployment, stack: str) -> dict[str, Any]:
    try:
        return deployment.outputs[stack]
    except KeyError:
        raise HarnessError(f"the CDK deployment has no stack {stack}", evidence=json.dumps(deployment.outputs, indent=1)) from None


def cruddur_function_assets(directory: Path) -> dict[str, str]:
    """Context for the project's CDK app: its functions' packages as .zip assets (CDK uploads a .zip file as it is),
    dependencies included, built as the harness builds them for every other deployment (harness.library.packaging)."""
    packages = {
        "thumbnailCode": lambda: node_function_zip(APP_DIR / "thumbnail_node"),
        "uploadCode": lambda: python_function_zip(APP_DIR / "upload_python", "3.12"),
        "authorizerCode": lambda: python_function_zip(APP_DIR / "authorizer_python", "3.12"),
    }
    context = {}
    for key, build in packages.items():
        path = Path(directory) / f"{key}.zip"
        path.write_bytes(build())
        context[key] = str(path)
    return context

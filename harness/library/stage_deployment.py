"""Waiting for an HTTP API stage to be deployed: with AutoDeploy, AWS deploys asynchronously after CreateStage, and a
request sent before that gets 404. (The emulator deploys at once: harness/localstack_plugins/apigw/deployments.py.)"""

from __future__ import annotations

from typing import Any

from harness.shared.errors import HarnessError
from harness.library.waiting import wait_until

DEPLOY_TIMEOUT_SECONDS = 60.0


def wait_stage_deployed(apigatewayv2: Any, api_id: str, stage: str = "$default", timeout: float = DEPLOY_TIMEOUT_SECONDS) -> str:
    """The stage's deployment id once its deployment is DEPLOYED; a FAILED deployment is an error with AWS's reason."""
    seen: dict = {}

    def deployed() -> str | None:
        seen.update(stage=apigatewayv2.get_stage(ApiId=api_id, StageName=stage))
        deployment_id = seen["stage"].get("DeploymentId")
        if not deployment_id:
            return None
        seen.update(deployment=apigatewayv2.get_deployment(ApiId=api_id, DeploymentId=deployment_id))
        status = seen["deployment"].get("DeploymentStatus")
        if status == "FAILED":
            raise HarnessError(f"API {api_id} stage {stage}: deployment {deployment_id} failed",
                               evidence=seen["deployment"].get("DeploymentStatusMessage") or str(seen["deployment"]),
                               hint="an HTTP API needs at least one route to deploy; check the routes' targets")
        return deployment_id if status == "DEPLOYED" else None

    return wait_until(deployed, timeout=timeout, interval=0.05, max_interval=1.0, what=f"API {api_id} stage {stage} to be deployed",
                      evidence=lambda: f"stage: {seen.get('stage', {}).get('LastDeploymentStatusMessage', '(no status)')}; "
                                       f"deployment: {seen.get('deployment', '(none yet)')}")

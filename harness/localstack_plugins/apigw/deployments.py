"""HTTP API deployments (the control plane's view; behaviour.md "HTTP API routing"): moto keeps none, so a stage with
AutoDeploy got no DeploymentId and GetDeployment had nothing to answer. As on AWS, an AutoDeploy stage is deployed when
it is created (DeploymentStatus DEPLOYED, AutoDeployed true) and CreateDeployment makes a manual one. Not emulated: the
new deployment AWS makes for each later change of an AutoDeploy API (the data plane always serves the current routes).
"""

from __future__ import annotations

import random
import string
import threading
from datetime import datetime, timezone

_deployments: dict[str, dict[str, dict]] = {}  # api id -> deployment id -> GetDeployment answer
_stage_deployment: dict[tuple[str, str], str] = {}  # (api id, stage) -> deployment id
_lock = threading.Lock()


def _new_id() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=6))


def deploy(api_id: str, *, auto: bool, stage: str | None = None, description: str = "") -> dict:
    deployment = {"DeploymentId": _new_id(), "DeploymentStatus": "DEPLOYED", "AutoDeployed": auto,
                  "CreatedDate": datetime.now(timezone.utc), **({"Description": description} if description else {})}
    with _lock:
        _deployments.setdefault(api_id, {})[deployment["DeploymentId"]] = deployment
        if stage is not None:
            _stage_deployment[(api_id, stage)] = deployment["DeploymentId"]
    return deployment


def deployment(api_id: str, deployment_id: str) -> dict | None:
    with _lock:
        return _deployments.get(api_id, {}).get(deployment_id)


def deployments(api_id: str) -> list[dict]:
    with _lock:
        return list(_deployments.get(api_id, {}).values())


def stage_facts(api_id: str, stage: str) -> dict:
    """What GetStage adds for a deployed stage."""
    with _lock:
        deployment_id = _stage_deployment.get((api_id, stage))
    if deployment_id is None:
        return {}
    return {"DeploymentId": deployment_id,
            "LastDeploymentStatusMessage": f"Successfully deployed stage with deployment ID '{deployment_id}'"}

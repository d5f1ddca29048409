"""The `apigatewayv2` control plane in LocalStack: a provider plugin (namespace `localstack.aws.provider`).

LocalStack's free runtime has no `apigatewayv2` service. This provider serves every operation of
the API from moto's HTTP API models, so that CreateApi, CreateRoute, CreateIntegration,
CreateAuthorizer, CreateStage (and their Get/Update/Delete) work with boto3 unchanged, as on AWS.
On top of moto: GetAuthorizers and deployments (moto lacks them; `harness/localstack_plugins/apigw/deployments.py`), UpdateStage,
DeleteAccessLogSettings and the AccessLogSettings checks (`harness/localstack_plugins/apigw/localstack_stages.py`), and
`ApiEndpoint` is the local URL that works.
"""

from __future__ import annotations

from typing import Any

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest, ServiceResponse
from localstack.aws.skeleton import Skeleton
from localstack.aws.spec import load_service
from localstack.services.plugins import Service, aws_provider

from harness.localstack_plugins.apigw import api_snapshots, deployments, localstack_stages

SERVICE = "apigatewayv2"


def http_api_backend(context: RequestContext) -> Any:
    from moto.apigatewayv2.models import apigatewayv2_backends

    return apigatewayv2_backends[context.account_id][context.region]


def local_api_endpoint(api_id: str) -> str:
    """The path form of the execute-api endpoint on the engine's port: it needs no DNS."""
    from localstack import config

    return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}/_aws/execute-api/{api_id}"


def forward_to_moto(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    from localstack.services.moto import call_moto

    return call_moto(context)


def with_local_endpoint(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    response = forward_to_moto(context, request)
    for api in response.get("Items", [response]):
        if "ApiId" in api:
            api["ApiEndpoint"] = local_api_endpoint(api["ApiId"])
    return response


def _boto_names(document: Any) -> Any:
    """moto's to_json() uses wire names (`authorizerId`); the serializer wants shape names (`AuthorizerId`)."""
    if isinstance(document, dict):
        return {key[0].upper() + key[1:]: _boto_names(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_boto_names(item) for item in document]
    return document


def get_authorizers(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    api = http_api_backend(context).get_api(request["ApiId"])
    return {"Items": [_boto_names(authorizer.to_json()) for authorizer in api.authorizers.values()]}


def with_deployment(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    """CreateStage/GetStage/GetStages/UpdateStage, with the stage's deployment (an AutoDeploy stage is deployed at once)."""
    response = forward_to_moto(context, request)
    api_id = request["ApiId"]
    if context.operation.name == "CreateStage" and request.get("AutoDeploy"):
        deployments.deploy(api_id, auto=True, stage=request["StageName"])
    for stage in response.get("Items", [response]):
        if "StageName" in stage:
            stage.update(deployments.stage_facts(api_id, stage["StageName"]))
    return response


def create_deployment(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    http_api_backend(context).get_api(request["ApiId"])  # NotFoundException for an unknown API, as moto answers
    return deployments.deploy(request["ApiId"], auto=False, stage=request.get("StageName"), description=request.get("Description", ""))


def get_deployment(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    found = deployments.deployment(request["ApiId"], request["DeploymentId"])
    if found is None:
        raise CommonServiceException("NotFoundException", f"Invalid Deployment identifier specified {request['DeploymentId']}",
                                     status_code=404)
    return found


def get_deployments(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    return {"Items": deployments.deployments(request["ApiId"])}


OVERRIDES = {
    "CreateApi": with_local_endpoint, "GetApi": with_local_endpoint, "GetApis": with_local_endpoint,
    "UpdateApi": with_local_endpoint, "ImportApi": with_local_endpoint, "ReimportApi": with_local_endpoint,
    "GetAuthorizers": get_authorizers,
    "CreateStage": localstack_stages.create_stage, "GetStage": with_deployment, "GetStages": with_deployment,
    "UpdateStage": localstack_stages.update_stage, "DeleteAccessLogSettings": localstack_stages.delete_access_log_settings,
    "CreateDeployment": create_deployment, "GetDeployment": get_deployment, "GetDeployments": get_deployments,
}


def counted_as_a_change(operation: Any) -> Any:
    """`operation`, after which the data plane's views of the APIs are built again (api_snapshots), even if it failed."""
    def changing(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
        try:
            return operation(context, request)
        finally:
            api_snapshots.changed()

    return changing


@aws_provider(api=SERVICE)
def apigatewayv2() -> Service:
    model = load_service(SERVICE)
    dispatch_table = {}
    for name in model.operation_names:
        operation = OVERRIDES.get(name, forward_to_moto)
        dispatch_table[name] = counted_as_a_change(operation) if api_snapshots.changes_apis(name) else operation
    return Service(name=SERVICE, skeleton=Skeleton(model, dispatch_table))

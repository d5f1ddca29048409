"""HTTP API resources in CloudFormation (`AWS::ApiGatewayV2::Api`, `Route`, `Integration`, `Authorizer`, `Stage`,
`Deployment`), created through the harness's apigatewayv2 provider (LocalStack's free runtime has no provider for
these types, nor the service). Each property has the name of the API parameter it sets (as in AWS's resource
schemas), so a resource is one Create/Update/Delete call; `Ref` and `Fn::GetAtt` give what AWS documents:
Api -> ApiId (GetAtt ApiEndpoint, ApiId), Route -> RouteId, Integration -> IntegrationId, Authorizer -> AuthorizerId,
Stage -> StageName, Deployment -> DeploymentId. An OpenAPI `Body`/`BodyS3Location` import is refused with a clear
reason rather than ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)


@dataclass(frozen=True)
class HttpApiResource:
    type_name: str
    noun: str  # the API's noun: create_<noun>, update_<noun>, delete_<noun>
    id_field: str  # what Ref gives and Update/Delete name the resource by
    read_only: tuple[str, ...] = ()  # attributes the create answer adds to the model (for GetAtt)
    unsupported: tuple[str, ...] = ()
    child_of_api: bool = True

    def schema(self) -> dict:
        return {"typeName": self.type_name, "primaryIdentifier": [f"/properties/{self.id_field}"],
                "additionalProperties": True}


RESOURCES = {
    resource.type_name: resource for resource in (
        HttpApiResource("AWS::ApiGatewayV2::Api", "api", "ApiId", read_only=("ApiEndpoint",),
                        unsupported=("Body", "BodyS3Location", "BasePath", "FailOnWarnings"), child_of_api=False),
        HttpApiResource("AWS::ApiGatewayV2::Route", "route", "RouteId"),
        HttpApiResource("AWS::ApiGatewayV2::Integration", "integration", "IntegrationId"),
        HttpApiResource("AWS::ApiGatewayV2::Authorizer", "authorizer", "AuthorizerId"),
        HttpApiResource("AWS::ApiGatewayV2::Stage", "stage", "StageName"),
        HttpApiResource("AWS::ApiGatewayV2::Deployment", "deployment", "DeploymentId"),
    )
}


INPUT_IDS = {"ApiId", "StageName"}  # identifiers the caller gives (a child's API, a stage's name), not the API


def api_parameters(resource: HttpApiResource, properties: dict) -> dict:
    """The call's parameters: the properties minus what the model adds; Tags as the API's map."""
    model_only = set(resource.read_only) | ({resource.id_field} - INPUT_IDS)
    parameters = {key: value for key, value in properties.items() if key not in model_only}
    tags = parameters.get("Tags")
    if isinstance(tags, list):  # some templates give the CloudFormation list form
        parameters["Tags"] = {tag["Key"]: tag["Value"] for tag in tags}
    return parameters


def _id_arguments(resource: HttpApiResource, model: dict) -> dict:
    arguments = {resource.id_field: model[resource.id_field]}
    if resource.child_of_api:
        arguments["ApiId"] = model["ApiId"]
    return arguments


class HttpApiResourceProvider(ResourceProvider[dict]):
    """One provider class per type (LocalStack reads TYPE and SCHEMA from the class)."""

    RESOURCE: HttpApiResource

    def _client(self, request: ResourceRequest[dict]) -> Any:
        return request.aws_client_factory.apigatewayv2

    def create(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        resource = self.RESOURCE
        properties = dict(request.desired_state)
        refused = [key for key in resource.unsupported if key in properties]
        if refused:
            return ProgressEvent(status=OperationStatus.FAILED, resource_model={},
                                 message=f"{resource.type_name}: {', '.join(refused)} not supported by the harness")
        answer = getattr(self._client(request), f"create_{resource.noun}")(**api_parameters(resource, properties))
        model = {**properties, resource.id_field: answer[resource.id_field]}
        model.update({key: answer[key] for key in resource.read_only if key in answer})
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def update(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        resource = self.RESOURCE
        previous = request.previous_state or {}
        properties = {**api_parameters(resource, dict(request.desired_state)), **_id_arguments(resource, previous)}
        answer = getattr(self._client(request), f"update_{resource.noun}")(**properties)
        model = {**request.desired_state, **_id_arguments(resource, previous)}
        model.update({key: answer[key] for key in resource.read_only if key in answer})
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def delete(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        resource = self.RESOURCE
        model = request.desired_state
        if resource.id_field not in model:  # never created
            return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})
        client = self._client(request)
        try:
            getattr(client, f"delete_{resource.noun}")(**_id_arguments(resource, model))
        except client.exceptions.NotFoundException:
            pass  # its API went first, or it is already gone: deleted either way
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})

    def read(self, request: ResourceRequest[dict]) -> ProgressEvent[dict]:
        raise NotImplementedError


def provider_for(type_name: str) -> type[HttpApiResourceProvider]:
    resource = RESOURCES[type_name]
    return type(f"{resource.noun.title()}Provider", (HttpApiResourceProvider,),
                {"TYPE": type_name, "SCHEMA": resource.schema(), "RESOURCE": resource})

"""HTTP API stages in the control plane (behaviour.md "HTTP API access logging"): what moto's models lack.

moto keeps a stage's `AccessLogSettings` from CreateStage but checks nothing, and has no UpdateStage or
DeleteAccessLogSettings at all (they answered an error). Here: CreateStage and UpdateStage refuse settings AWS
refuses (`access_log.validate_settings`: a CloudWatch Logs group ARN, a format naming `$context.requestId`);
UpdateStage changes the stored stage (access logging, AutoDeploy, description, variables, route settings) and answers
as GetStage does; DeleteAccessLogSettings turns access logging off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest, ServiceResponse

from harness.localstack_plugins.apigw import deployments
from harness.localstack_plugins.apigw.access_log import AccessLogSettingsError, validate_settings


def _checked_access_log_settings(request: ServiceRequest) -> dict[str, str] | None:
    """The request's AccessLogSettings in moto's (wire) names, after AWS's checks."""
    settings = request.get("AccessLogSettings")
    if settings is None:
        return None
    try:
        validate_settings(settings)
    except AccessLogSettingsError as error:
        raise CommonServiceException("BadRequestException", str(error), status_code=400) from error
    return {"destinationArn": settings["DestinationArn"], "format": settings["Format"]}


def _wire(settings: dict[str, Any]) -> dict[str, Any]:
    return {key[0].lower() + key[1:]: value for key, value in settings.items()}


def create_stage(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    from harness.localstack_plugins.apigw.localstack_provider import with_deployment

    _checked_access_log_settings(request)
    return with_deployment(context, request)


def update_stage(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    from harness.localstack_plugins.apigw.localstack_provider import http_api_backend

    stage = http_api_backend(context).get_stage(request["ApiId"], request["StageName"])  # NotFoundException as moto answers
    access_log_settings = _checked_access_log_settings(request)
    if access_log_settings is not None:
        stage.access_log_settings = access_log_settings
    if "AutoDeploy" in request:
        if request["AutoDeploy"] and not stage.auto_deploy:
            deployments.deploy(request["ApiId"], auto=True, stage=stage.name)
        stage.auto_deploy = request["AutoDeploy"]
    for field, attribute in (("Description", "description"), ("StageVariables", "stage_variables"),
                             ("ClientCertificateId", "client_certificate_id")):
        if field in request:
            setattr(stage, attribute, request[field])
    if "DefaultRouteSettings" in request:
        stage.default_route_settings = _wire(request["DefaultRouteSettings"])
    if "RouteSettings" in request:
        stage.route_settings = {route: _wire(settings) for route, settings in request["RouteSettings"].items()}
    stage.updated = datetime.now()
    return _stage_answer(request["ApiId"], stage)


def delete_access_log_settings(context: RequestContext, request: ServiceRequest) -> ServiceResponse:
    from harness.localstack_plugins.apigw.localstack_provider import http_api_backend

    http_api_backend(context).get_stage(request["ApiId"], request["StageName"]).access_log_settings = None
    return {}


def _stage_answer(api_id: str, stage: Any) -> ServiceResponse:
    """GetStage's answer for a moto stage: its wire document in shape names (the keys of StageVariables, Tags and
    RouteSettings are the user's and stay as they are), with the deployment."""
    answer = {}
    for key, value in stage.to_json().items():
        if key in ("accessLogSettings", "defaultRouteSettings"):
            value = _shape_names(value)
        elif key == "routeSettings":
            value = {route: _shape_names(settings) for route, settings in value.items()}
        answer[key[0].upper() + key[1:]] = value
    return answer | deployments.stage_facts(api_id, stage.name)


def _shape_names(settings: dict[str, Any]) -> dict[str, Any]:
    return {key[0].upper() + key[1:]: value for key, value in settings.items()}

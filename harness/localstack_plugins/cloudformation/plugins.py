"""The resource providers the harness adds to LocalStack's CloudFormation engine (entry point group
`localstack.cloudformation.resource_providers`; LocalStack loads `Custom::*` under AWS::CloudFormation::CustomResource).
Each plugin imports its provider only when the engine first meets the type."""

from __future__ import annotations

from localstack.services.cloudformation.resource_provider import CloudFormationResourceProviderPlugin, ResourceProvider


class CustomResourcePlugin(CloudFormationResourceProviderPlugin):
    name = "AWS::CloudFormation::CustomResource"

    def __init__(self) -> None:
        self.factory: type[ResourceProvider] | None = None

    def load(self) -> None:
        from harness.localstack_plugins.cloudformation.custom_resources import CustomResourceProvider

        self.factory = CustomResourceProvider


class _HttpApiResourcePlugin(CloudFormationResourceProviderPlugin):
    def __init__(self) -> None:
        self.factory: type[ResourceProvider] | None = None

    def load(self) -> None:
        from harness.localstack_plugins.cloudformation.apigatewayv2_resources import provider_for

        self.factory = provider_for(self.name)


class HttpApiPlugin(_HttpApiResourcePlugin):
    name = "AWS::ApiGatewayV2::Api"


class HttpApiRoutePlugin(_HttpApiResourcePlugin):
    name = "AWS::ApiGatewayV2::Route"


class HttpApiIntegrationPlugin(_HttpApiResourcePlugin):
    name = "AWS::ApiGatewayV2::Integration"


class HttpApiAuthorizerPlugin(_HttpApiResourcePlugin):
    name = "AWS::ApiGatewayV2::Authorizer"


class HttpApiStagePlugin(_HttpApiResourcePlugin):
    name = "AWS::ApiGatewayV2::Stage"


class HttpApiDeploymentPlugin(_HttpApiResourcePlugin):
    name = "AWS::ApiGatewayV2::Deployment"

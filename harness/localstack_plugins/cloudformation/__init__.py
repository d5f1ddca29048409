"""CloudFormation inside LocalStack, where LocalStack 4.13.1's free engine (v2, the default) falls short of AWS:
custom resources run their ServiceToken Lambda (`custom_resources.py`), a resource type nobody can create fails the
stack (`unsupported_resources.py`), a failed create rolls back what it made (`rollback.py`), and the HTTP API's
resources are created through the harness's apigatewayv2 provider (`apigatewayv2_resources.py`). `plugins.py` holds
the resource-provider plugins LocalStack loads (entry point group `localstack.cloudformation.resource_providers`)."""

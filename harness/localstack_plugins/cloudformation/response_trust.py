"""The functions the engine runs trust its HTTPS endpoint (harness.shared.engine_https), as Lambda functions on AWS
trust the certificate of CloudFormation's response bucket: NODE_EXTRA_CA_CERTS for Node, SSL_CERT_FILE (the system's
CAs plus the engine's certificate) for Python's ssl. Set only when the host engine made that endpoint; a variable the
function sets itself wins."""

from __future__ import annotations

import os

from localstack.runtime import hooks

from harness.shared.engine_https import CA_BUNDLE_ENV


def trust_variables() -> dict[str, str]:
    bundle = os.environ.get(CA_BUNDLE_ENV)
    return {"NODE_EXTRA_CA_CERTS": bundle, "SSL_CERT_FILE": bundle} if bundle else {}


@hooks.on_infra_start()
def trust_the_engine_https_endpoint() -> None:
    from localstack.services.lambda_.invocation.execution_environment import ExecutionEnvironment

    original = ExecutionEnvironment.get_environment_variables

    def get_environment_variables(self: ExecutionEnvironment) -> dict[str, str]:
        return {**trust_variables(), **original(self)}

    ExecutionEnvironment.get_environment_variables = get_environment_variables

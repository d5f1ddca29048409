"""The plux plugin that makes LocalStack find our executor: LAMBDA_RUNTIME_EXECUTOR=harness.

Registered in pyproject.toml under the entry point group `localstack.lambda.runtime_executor`.
"""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class HostRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "harness"

    def load(self, *args, **kwargs):
        from harness.localstack_plugins.lambda_executor.executor import HostRuntimeExecutor

        return HostRuntimeExecutor

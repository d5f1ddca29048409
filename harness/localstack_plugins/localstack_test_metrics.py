"""LocalStack's collection of request metrics for its own test suite (`LOCALSTACK_INTERNAL_TEST_COLLECT_METRIC`) left
out of the gateway's handler chain when the engine starts without it (inside LocalStack; issue 13).

LocalStack 4.13.1's gateway runs three steps of its MetricHandler on every request, an S3 HEAD as much as an Invoke;
each reads the variable from `os.environ` and returns (~2.5 % of the engine's time for an S3 HEAD, py-spy --gil).
The variable is LocalStack's switch for its own integration tests, which set it before the engine starts; the harness
never sets it. It is read once, when the gateway is made: unset, the steps are not in the chain; set, they are, as
before.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from harness.localstack_plugins.on_import import when_imported


def without_metric_steps(handlers: list[Any], metric_handler_class: type) -> list[Any]:
    """The handlers but the bound methods of a MetricHandler."""
    return [handler for handler in handlers if not isinstance(getattr(handler, "__self__", None), metric_handler_class)]


def leave_metric_steps_out_unless_collecting(app: ModuleType) -> None:
    """`app.LocalstackAwsGateway` (`localstack.aws.app`) is made without the MetricHandler's steps unless LocalStack
    collects test metrics."""
    from localstack import config
    from localstack.aws.handlers.metric_handler import MetricHandler

    make = app.LocalstackAwsGateway.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        make(self, *args, **kwargs)
        if not config.is_collect_metrics_mode():
            for handlers in (self.request_handlers, self.response_handlers, self.exception_handlers):
                handlers[:] = without_metric_steps(handlers, MetricHandler)

    app.LocalstackAwsGateway.__init__ = __init__


def collect_test_metrics_only_when_asked() -> None:
    """From when LocalStack first imports its gateway, it is made without the test-metric steps unless asked for."""
    when_imported("localstack.aws.app", leave_metric_steps_out_unless_collecting)

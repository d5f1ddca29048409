"""LocalStack's test-metric steps left out of the gateway's chain unless LocalStack collects test metrics
(harness.localstack_plugins.localstack_test_metrics)."""

from __future__ import annotations

import types
from unittest import mock

import pytest
from localstack import constants
from localstack.aws import app
from localstack.aws.handlers.metric_handler import MetricHandler

from harness.localstack_plugins.localstack_test_metrics import leave_metric_steps_out_unless_collecting
from tests.python_probe import run_probe


def chains(gateway: app.LocalstackAwsGateway) -> list[list[object]]:
    return [gateway.request_handlers, gateway.response_handlers, gateway.exception_handlers, gateway.finalizers]


def described(handler: object) -> str:
    """A handler by its function's or class's name: each gateway makes some handler objects of its own."""
    return getattr(handler, "__qualname__", type(handler).__qualname__)


def is_metric_step(handler: object) -> bool:
    return isinstance(getattr(handler, "__self__", None), MetricHandler)


@pytest.fixture
def patched_gateway_class() -> type:
    """A subclass of LocalStack's gateway, patched as the engine patches LocalStack's own."""
    module = types.ModuleType("app")
    module.LocalstackAwsGateway = type("LocalstackAwsGateway", (app.LocalstackAwsGateway,), {})
    leave_metric_steps_out_unless_collecting(module)
    return module.LocalstackAwsGateway


def test_without_test_metric_collection_the_chain_is_localstacks_less_its_three_metric_steps(
        patched_gateway_class, monkeypatch):
    monkeypatch.delenv(constants.ENV_INTERNAL_TEST_COLLECT_METRIC, raising=False)
    localstacks = chains(app.LocalstackAwsGateway(service_manager=mock.Mock()))
    ours = chains(patched_gateway_class(service_manager=mock.Mock()))
    assert sum(map(is_metric_step, sum(localstacks, []))) == 3
    assert not any(map(is_metric_step, sum(ours, [])))
    localstacks_less_metrics = [[described(handler) for handler in handlers if not is_metric_step(handler)]
                                for handlers in localstacks]
    assert localstacks_less_metrics == [[described(handler) for handler in handlers] for handlers in ours]


def test_with_test_metric_collection_the_metric_steps_stay(patched_gateway_class, monkeypatch):
    monkeypatch.setenv(constants.ENV_INTERNAL_TEST_COLLECT_METRIC, "1")
    gateway = patched_gateway_class(service_manager=mock.Mock())
    steps = [handler.__name__ for handler in sum(chains(gateway), []) if is_metric_step(handler)]
    assert steps == ["create_metric_handler_item", "record_parsed_request", "update_metric_collection"]


def test_the_engines_gateway_is_made_without_the_metric_steps():
    probe = ("from unittest import mock; from harness.localstack_plugins import engine_main; "
             "engine_main.prepare_process(); from localstack.aws.app import LocalstackAwsGateway; "
             "gateway = LocalstackAwsGateway(service_manager=mock.Mock()); "
             "print(sorted({type(getattr(h, '__self__', None)).__name__ for h in gateway.request_handlers}))")
    handler_owners = run_probe(probe).stdout
    assert "MetricHandler" not in handler_owners and "NoneType" in handler_owners

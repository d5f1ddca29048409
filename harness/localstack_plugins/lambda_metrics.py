"""Lambda's `AWS/Lambda` CloudWatch metrics inside LocalStack, stored by one writer in batches (issue 13).

LocalStack 4.13.1 records `Invocations` (and `Errors` for a failed invocation) by starting a new thread for every
invocation, which makes an internal PutMetricData call (botocore serialisation, the whole handler chain) that opens
the metrics SQLite database and commits one row; each thread also stays in LocalStack's shutdown list for the life of
the process. py-spy showed this as the largest engine-side cost of a warm invocation.

This hook, registered under `localstack.hooks.on_infra_start`, keeps the same data points (same namespace, names,
`FunctionName` dimension, the invocation's second as timestamp) and hands them to one writer thread, which stores
what arrived within `COLLECT_SECONDS` in one insert per metric and second, straight into the CloudWatch provider's
database. AWS itself delivers these metrics with a delay (about a minute); here they are stored within 0.1 s. With another
CloudWatch provider than LocalStack's default (v2), the data points go through PutMetricData as before.
"""

from __future__ import annotations

import logging
import queue
import time
from collections import Counter
from datetime import datetime, timezone
from types import ModuleType
from typing import Any, Callable, NamedTuple

from localstack.runtime import hooks

from harness.localstack_plugins.lazy_thread import LazyDaemonThread
from harness.localstack_plugins.on_import import when_imported

LOG = logging.getLogger(__name__)
NAMESPACE = "AWS/Lambda"
COLLECT_SECONDS = 0.1  # at most ten database commits a second, whatever the invocation rate
_METRIC_THREAD_PREFIX = "record-cloudwatch-metric"  # LocalStack's names for its per-invocation metric threads


class DataPoint(NamedTuple):
    account_id: str
    region: str
    function_name: str
    metric_name: str
    second: int  # unix time, the resolution the metrics database keeps


def metric_data(points: Counter[DataPoint]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """PutMetricData's MetricData per (account, region): one datum per metric, function and second, counted."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for point, count in points.items():
        grouped.setdefault((point.account_id, point.region), []).append({
            "MetricName": point.metric_name, "Dimensions": [{"Name": "FunctionName", "Value": point.function_name}],
            "Timestamp": datetime.fromtimestamp(point.second, timezone.utc), "Values": [1.0], "Counts": [float(count)],
        })
    return grouped


class MetricWriter:
    """Queues data points; one daemon thread stores everything that is waiting, each time it wakes."""

    def __init__(self, store: Callable[[str, str, list[dict[str, Any]]], None]) -> None:
        self._store = store
        self._queue: queue.SimpleQueue[DataPoint] = queue.SimpleQueue()
        self._thread = LazyDaemonThread(self._run, "harness-lambda-metrics")

    def record(self, point: DataPoint) -> None:
        self._queue.put(point)
        self._thread.ensure_started()

    def _run(self) -> None:
        while True:
            points = Counter([self._queue.get()])
            time.sleep(COLLECT_SECONDS)
            while True:
                try:
                    points[self._queue.get_nowait()] += 1
                except queue.Empty:
                    break
            self.write(points)

    def write(self, points: Counter[DataPoint]) -> None:
        for (account_id, region), data in metric_data(points).items():
            try:
                self._store(account_id, region, data)
            except Exception as error:  # noqa: BLE001 - as LocalStack: a metric that cannot be stored is only logged
                LOG.info("Unable to store %d Lambda metric data points in CloudWatch: %s", len(data), error)


def store_metric_data(account_id: str, region: str, data: list[dict[str, Any]]) -> None:
    """Into the CloudWatch provider's own database (v2), else through PutMetricData."""
    from localstack.aws.connect import connect_to
    from localstack.services.plugins import SERVICE_PLUGINS

    database = getattr(SERVICE_PLUGINS.require("cloudwatch")._provider, "cloudwatch_database", None)
    if database is not None:
        database.add_metric_data(account_id, region, NAMESPACE, data)
    else:
        connect_to(aws_access_key_id=account_id, region_name=region).cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)


WRITER = MetricWriter(store_metric_data)


def recorder(*metric_names: str) -> Callable[..., None]:
    """A replacement for LocalStack's `record_cw_metric_invocation`/`_error`: the same metrics, queued."""
    def record(function_name: str, account_id: str, region_name: str) -> None:
        from localstack.utils.bootstrap import is_api_enabled

        if not is_api_enabled("cloudwatch"):  # as LocalStack's publish_lambda_metric
            return
        second = int(datetime.now(timezone.utc).timestamp())
        for name in metric_names:
            WRITER.record(DataPoint(account_id, region_name, function_name, name, second))

    return record


def start_thread_unless_metric(start_thread: Callable[..., Any]) -> Callable[..., Any]:
    """LocalStack's start_thread, except that its metric "threads" (now a queue put) run in the caller."""
    def start(method: Callable[..., Any], *args: Any, name: str | None = None, **kwargs: Any) -> Any:
        if name and name.startswith(_METRIC_THREAD_PREFIX):
            return method()
        return start_thread(method, *args, name=name, **kwargs)

    return start


@hooks.on_infra_start()
def batch_lambda_metrics() -> None:
    when_imported("localstack.services.lambda_.invocation.version_manager", queue_the_metrics)


def queue_the_metrics(version_manager: ModuleType) -> None:
    version_manager.record_cw_metric_invocation = recorder("Invocations")
    version_manager.record_cw_metric_error = recorder("Invocations", "Errors")
    version_manager.start_thread = start_thread_unless_metric(version_manager.start_thread)

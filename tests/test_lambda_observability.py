"""Lambda's CloudWatch metrics and logs, now stored in batches inside the engine (lambda_metrics.py, lambda_logs.py,
cloudwatch_logs_store.py; issue 13): every invocation is still counted and every line still arrives, in order, in
the function's log group; a metric filter on the group still turns matching lines into metric data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest

from harness.library.cloudwatch_logs import group_events
from harness.library.packaging import zip_files
from harness.library.waiting import wait_until
from harness.localstack_plugins.lambda_logs import MAX_EVENTS_PER_CALL, collect, log_events, within_limits
from harness.localstack_plugins.lambda_metrics import DataPoint, metric_data

FAILS_ON_ASK = """
def handler(event, context):
    print("line", event["n"])
    if event.get("fail"):
        raise ValueError("asked to fail")
    return event
"""


def test_data_points_of_one_metric_function_and_second_are_counted_in_one_datum():
    points = Counter({DataPoint("1", "us-east-1", "f", "Invocations", 100): 3, DataPoint("1", "us-east-1", "f", "Errors", 100): 1,
                      DataPoint("2", "eu-west-1", "g", "Invocations", 101): 1})
    grouped = metric_data(points)
    assert sorted(grouped) == [("1", "us-east-1"), ("2", "eu-west-1")]
    invocations = next(d for d in grouped[("1", "us-east-1")] if d["MetricName"] == "Invocations")
    assert invocations["Counts"] == [3.0] and invocations["Values"] == [1.0]
    assert invocations["Dimensions"] == [{"Name": "FunctionName", "Value": "f"}]
    assert invocations["Timestamp"] == dt.datetime.fromtimestamp(100, dt.timezone.utc)


def test_log_lines_are_split_as_localstack_does_and_batched_within_put_log_events_limits():
    assert [e["message"] for e in log_events("a\n\nb\n", 5)] == ["a\n", "b\n"]
    many = [{"timestamp": 1, "message": "x\n"} for _ in range(MAX_EVENTS_PER_CALL + 1)]
    assert [len(b) for b in within_limits(many)] == [MAX_EVENTS_PER_CALL, 1]
    big = [{"timestamp": 1, "message": "y" * 400_000} for _ in range(3)]
    assert [len(b) for b in within_limits(big)] == [2, 1]  # 1,048,576 bytes a call


def test_collect_keeps_each_streams_lines_in_order_and_stops_at_the_shutdown_pill():
    import queue

    pill = object()
    waiting: queue.Queue = queue.Queue()
    item = lambda stream, logs: SimpleNamespace(log_group="g", log_stream=stream, logs=logs)  # noqa: E731
    for entry in (item("s1", "b"), item("s2", "c"), item("s1", "d"), pill):
        waiting.put(entry)
    by_stream, stop = collect(waiting, item("s1", "a"), pill)
    assert stop
    assert {k: [e["message"] for e in v] for k, v in by_stream.items()} == {("g", "s1"): ["a\n", "b\n", "d\n"], ("g", "s2"): ["c\n"]}


@pytest.fixture
def function_name(lambda_function_factory):
    return lambda_function_factory(Runtime="python3.12", Handler="app.handler",
                                   Code={"ZipFile": zip_files({"app.py": FAILS_ON_ASK})})["FunctionName"]


def lambda_metric_sum(aws_client, function_name: str, metric: str) -> float:
    now = dt.datetime.now(dt.timezone.utc)
    datapoints = aws_client.cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=metric, Dimensions=[{"Name": "FunctionName", "Value": function_name}],
        StartTime=now - dt.timedelta(minutes=5), EndTime=now + dt.timedelta(minutes=1), Period=60, Statistics=["Sum"],
    )["Datapoints"]
    return sum(point["Sum"] for point in datapoints)


def test_every_invocation_is_counted_and_every_failed_one_is_an_error(aws_client, function_name):
    for n in range(5):
        aws_client.lambda_.invoke(FunctionName=function_name, Payload=f'{{"n": {n}, "fail": {str(n >= 3).lower()}}}')
    counted = wait_until(lambda: (lambda_metric_sum(aws_client, function_name, "Invocations"),
                                  lambda_metric_sum(aws_client, function_name, "Errors")) == (5.0, 2.0) or None,
                         timeout=10, what="5 Invocations and 2 Errors in AWS/Lambda",
                         evidence=lambda: f"Invocations {lambda_metric_sum(aws_client, function_name, 'Invocations')}, "
                                          f"Errors {lambda_metric_sum(aws_client, function_name, 'Errors')}")
    assert counted


def test_every_line_of_every_invocation_arrives_in_order(aws_client, function_name):
    for n in range(20):
        aws_client.lambda_.invoke(FunctionName=function_name, Payload=f'{{"n": {n}}}')
    group = f"/aws/lambda/{function_name}"

    def printed() -> list[str]:
        return [e.message.strip() for e in group_events(aws_client.logs, group) if e.message.startswith("line")]

    lines = wait_until(lambda: printed() if len(printed()) == 20 else None, timeout=10, what=f"20 printed lines in {group}",
                       evidence=lambda: "\n".join(printed()))
    assert lines == [f"line {n}" for n in range(20)]


def test_a_metric_filter_on_the_function_log_group_still_makes_metric_data(aws_client, function_name):
    group = f"/aws/lambda/{function_name}"
    aws_client.lambda_.invoke(FunctionName=function_name, Payload='{"n": 0}')  # creates the group
    wait_until(lambda: group_events(aws_client.logs, group), timeout=10, what=f"the group {group}", evidence=lambda: "no events")
    aws_client.logs.put_metric_filter(logGroupName=group, filterName="lines", filterPattern="line", metricTransformations=[
        {"metricName": "PrintedLines", "metricNamespace": f"Test/{function_name}", "metricValue": "1"}])
    try:
        for n in range(3):
            aws_client.lambda_.invoke(FunctionName=function_name, Payload=f'{{"n": {n}}}')

        def printed_lines() -> float:
            now = dt.datetime.now(dt.timezone.utc)
            return sum(p["Sum"] for p in aws_client.cloudwatch.get_metric_statistics(
                Namespace=f"Test/{function_name}", MetricName="PrintedLines", StartTime=now - dt.timedelta(minutes=5),
                EndTime=now + dt.timedelta(minutes=1), Period=60, Statistics=["Sum"])["Datapoints"])

        assert wait_until(lambda: printed_lines() >= 3 or None, timeout=10, what="3 PrintedLines from the metric filter",
                          evidence=lambda: f"PrintedLines sum {printed_lines()}")
    finally:
        aws_client.logs.delete_metric_filter(logGroupName=group, filterName="lines")

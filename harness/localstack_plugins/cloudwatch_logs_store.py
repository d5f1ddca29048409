"""Log events stored into LocalStack's CloudWatch Logs from inside the engine: Lambda's logs and stage access logs.

LocalStack 4.13.1's CloudWatch Logs is moto's backend, plus metric filters applied in the provider's PutLogEvents;
subscription filters are delivered by LocalStack's patch of moto's log stream, whoever writes to it. So where the
account and region have no metric filter, events go straight into the backend: what an internal PutLogEvents call
ends in, without its botocore serialisation, handler chain and moto request parsing, which py-spy showed costing more
than the invocation whose logs they were (issue 13). Where a metric filter exists, they go through that call, so the
provider applies it. Either way the backend's own checks apply (events too old or too far in the future are dropped).
"""

from __future__ import annotations

import functools
from typing import Any


class LogDestinationMissing(Exception):
    """The log group or the log stream does not exist (PutLogEvents' ResourceNotFoundException)."""


def _backend(account_id: str, region: str) -> Any:
    from localstack.services.logs.models import get_moto_logs_backend

    return get_moto_logs_backend(account_id, region)


@functools.lru_cache(maxsize=None)
def _logs_client(account_id: str, region: str) -> Any:
    from localstack.aws.connect import connect_to

    return connect_to(aws_access_key_id=account_id, region_name=region).logs


def put_log_events(account_id: str, region: str, group: str, stream: str, events: list[dict[str, Any]]) -> None:
    """PutLogEvents of `events` (timestamp, message) into group/stream; LogDestinationMissing when either is missing."""
    from moto.logs.exceptions import ResourceNotFoundException

    backend = _backend(account_id, region)
    if backend.filters.metric_filters:
        client = _logs_client(account_id, region)
        try:
            client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
        except client.exceptions.ResourceNotFoundException as error:
            raise LogDestinationMissing(str(error)) from error
        return
    try:
        backend.put_log_events(group, stream, events)
    except ResourceNotFoundException as error:
        raise LogDestinationMissing(f"{group}/{stream}: {error.message}") from error


def create_log_group(account_id: str, region: str, group: str) -> None:
    """CreateLogGroup; one that exists already is left as it is."""
    from moto.logs.exceptions import ResourceAlreadyExistsException

    try:
        _backend(account_id, region).create_log_group(group, {})
    except ResourceAlreadyExistsException:
        pass


def create_log_stream(account_id: str, region: str, group: str, stream: str) -> None:
    """CreateLogStream; one that exists already is left as it is; LogDestinationMissing when the group is missing."""
    from moto.logs.exceptions import ResourceAlreadyExistsException, ResourceNotFoundException

    try:
        _backend(account_id, region).create_log_stream(group, stream)
    except ResourceAlreadyExistsException:
        pass
    except ResourceNotFoundException as error:
        raise LogDestinationMissing(f"{group}: {error.message}") from error

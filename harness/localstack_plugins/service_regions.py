"""The regions each service is offered in, read from one boto3 session (inside LocalStack; issue 13).

LocalStack 4.13.1 asks `localstack.utils.aws.aws_stack.get_valid_regions_for_service(service)` the first time each
service's store is used (and S3 for each bucket's region); each first call makes a new `boto3.Session()`: ~13 ms
each, and before the engine's sessions shared one loader (`harness.shared.botocore_data_cache.share_loaders`) each
also parsed botocore's endpoints file again, ~15 % of the engine's CPU while the Cruddur stack was provisioned
(py-spy). This hook, registered under `localstack.hooks.on_infra_start`, has those calls share one session; the
regions it answers are the same. LocalStack's region rewriter (`localstack.aws.handlers.region`, which checks each
request's region) made one more `Session()` at an engine's first request for its list of S3's regions: it asks the
same one (~11 ms of CPU less at every engine's first request).
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

import boto3
from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported


class Boto3WithOneSession:
    """boto3 as `aws_stack` uses it: `Session()` without arguments is one shared session, the rest is boto3's."""

    def __init__(self) -> None:
        self._session = boto3.Session()

    def Session(self, *args: Any, **kwargs: Any) -> boto3.Session:  # noqa: N802 - boto3's name
        return self._session if not (args or kwargs) else boto3.Session(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(boto3, name)


_SHARED: list[Boto3WithOneSession] = []
_MAKING = threading.Lock()


def shared_boto3() -> Boto3WithOneSession:
    """The process's one `Boto3WithOneSession`, made when first asked."""
    with _MAKING:
        if not _SHARED:
            _SHARED.append(Boto3WithOneSession())
        return _SHARED[0]


def share_one_session(aws_stack: ModuleType) -> None:
    aws_stack.boto3 = shared_boto3()


def share_the_session_with_the_region_rewriter(region_handlers: ModuleType) -> None:
    region_handlers.Session = shared_boto3().Session


@hooks.on_infra_start()
def read_service_regions_from_one_session() -> None:
    when_imported("localstack.utils.aws.aws_stack", share_one_session)
    when_imported("localstack.aws.handlers.region", share_the_session_with_the_region_rewriter)

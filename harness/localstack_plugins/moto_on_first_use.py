"""moto imported when a service that uses it is first called, not at every engine's boot (inside LocalStack; issue 13).

LocalStack 4.13.1 imports moto's core (with jinja2, yaml, responses and their dependencies: ~0.1 s of boot CPU) at
boot in three places, none of which needs it then:

- `ExceptionLogger.__init__` imports `moto.core.exceptions` and then calls `self._skip_exceptions(...)`, a method that
  does not exist: the AttributeError it catches makes every logger skip LocalStack's `ServiceException` only, the
  import thrown away. Here it gets that at once.
- `ServiceExceptionSerializer` turns a raised moto `ServiceException` or `RESTError` into AWS's error answer. An
  exception can be one of them only once moto's exceptions module is loaded, so here the two classes are read when an
  exception is handled: moto's, if it is loaded by then, else `EllipsisType` (no exception is one), as LocalStack
  sets them where moto is missing.
- The `apply_aws_runtime_patches` boot hook sets moto's IAM config to load AWS managed policies and stops moto
  tracking every model instance. Here LocalStack's own two patches run right after `moto.core.config` and
  `moto.core.common_models` (which defines the tracked `BaseModel`) are first imported: before any moto backend or
  model exists, so moto behaves as LocalStack patched it.
"""

from __future__ import annotations

import logging
import sys
import types
from collections.abc import Callable
from typing import Any

from harness.localstack_plugins.on_import import when_imported

MOTO_EXCEPTIONS = "moto.core.exceptions"


def _logger_init(self: Any, logger: logging.Logger | None = None) -> None:
    """What LocalStack 4.13.1's `ExceptionLogger.__init__` leaves behind (its `except AttributeError` branch)."""
    from localstack.aws.api import ServiceException
    from localstack.aws.handlers.logging import LOG

    self.logger = logger or LOG
    self._skip_exceptions = (ServiceException,)


def _serializer_init(self: Any) -> None:
    self.handle_internal_failures = True


def _moto_class(name: str) -> property:
    def read(_: Any) -> type:
        moto_exceptions = sys.modules.get(MOTO_EXCEPTIONS)
        return getattr(moto_exceptions, name) if moto_exceptions is not None else types.EllipsisType

    return property(read)


def log_exceptions_without_moto(handlers_logging: types.ModuleType) -> None:
    handlers_logging.ExceptionLogger.__init__ = _logger_init


def serialize_exceptions_without_moto_at_boot(handlers_service: types.ModuleType) -> None:
    serializer = handlers_service.ServiceExceptionSerializer
    serializer.__init__ = _serializer_init
    serializer._moto_service_exception = _moto_class("ServiceException")
    serializer._moto_rest_error = _moto_class("RESTError")


def _once_imported(module_name: str, localstack_patch: Callable[[], None]) -> Callable[[], None]:
    def defer() -> None:
        when_imported(module_name, lambda _: localstack_patch())

    return defer


def patch_moto_once_imported(aws_patches: types.ModuleType) -> None:
    """`apply_aws_runtime_patches` calls these two by their module names: each now waits for its moto module."""
    aws_patches.patch_moto_iam_config = _once_imported("moto.core.config", aws_patches.patch_moto_iam_config)
    aws_patches.patch_moto_instance_tracker_meta = _once_imported(
        "moto.core.common_models", aws_patches.patch_moto_instance_tracker_meta)


def install() -> None:
    when_imported("localstack.aws.handlers.logging", log_exceptions_without_moto)
    when_imported("localstack.aws.handlers.service", serialize_exceptions_without_moto_at_boot)
    when_imported("localstack.aws.patches", patch_moto_once_imported)

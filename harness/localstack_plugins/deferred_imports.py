"""LocalStack modules whose imports cost far more than an engine that does not use them needs, replaced by stand-ins
that load LocalStack's own module, from its own file, when it is first used (inside LocalStack; issue 13).
`engine_main.prepare_process` puts the stand-ins in `sys.modules` before LocalStack is imported.

- `localstack.aws.handlers.validation` imports `openapi_core` at boot. Its two handlers check requests and answers of
  LocalStack's internal endpoints against its OpenAPI specs only when OPENAPI_VALIDATE_REQUEST or
  OPENAPI_VALIDATE_RESPONSE is set (neither is by default, nor by the harness): about a third of the import time of
  `localstack.aws.app` (`-X importtime`), ~0.15 s of boot CPU and ~7 MB. The stand-in's handlers do nothing while
  both settings are off, as LocalStack's do, and otherwise hand each request to LocalStack's own handlers.
- `localstack.utils.aws.message_forwarding` sends an event to a target ARN (SQS, SNS, Lambda, EventBridge, ...): the
  Lambda service uses it only for an asynchronous invocation's on-success or on-failure destination (behaviour.md
  "S3": a failing function's event goes to its on-failure destination), EventBridge for its targets. Yet LocalStack
  4.13.1's Lambda event manager imports it with the Lambda service, and it imports moto's API Gateway, which imports
  the `openapi_spec_validator` stack (jsonschema, pydantic): 0.15-0.4 s of CPU in the request that first touches
  Lambda (a CreateFunction), in every engine. The stand-in's `send_event_to_target` loads the module when an event is
  first sent; any other name read from it loads it at once.
- `localstack.utils.catalog.plugins` and `localstack.aws.catalog_exceptions` say which LocalStack edition supports a
  service or operation: LocalStack's service handler and skeleton ask them only for the message of an operation that
  raised NotImplementedError. They import the catalog's pydantic models and plugin loader at boot (~75 ms of
  `localstack.aws.app`'s import time). Their stand-ins' `get_aws_catalog` and `get_service_availability_exception`
  load the modules when first called.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

VALIDATION_MODULE = "localstack.aws.handlers.validation"
FORWARDING_MODULE = "localstack.utils.aws.message_forwarding"
CATALOG_MODULE = "localstack.utils.catalog.plugins"
CATALOG_EXCEPTIONS_MODULE = "localstack.aws.catalog_exceptions"
_LOADING = threading.Lock()


def localstack_module(name: str) -> types.ModuleType:
    """LocalStack's own module `name`, imported once in place of its stand-in in `sys.modules` (by the import system,
    so `on_import` patches and the parent package's attribute apply to it as to any import)."""
    loaded = sys.modules.get(name)
    if loaded is not None and not getattr(loaded, "__harness_stand_in__", False):
        return loaded
    with _LOADING:
        stand_in_module = sys.modules.get(name)
        if stand_in_module is not None and not getattr(stand_in_module, "__harness_stand_in__", False):
            return stand_in_module  # another thread imported it meanwhile
        sys.modules.pop(name, None)
        try:
            return importlib.import_module(name)
        except BaseException:
            sys.modules[name] = stand_in_module  # the stand-in again: a later use tries once more, and fails as clearly
            raise


def stand_in(name: str, doc: str, **attributes: Any) -> types.ModuleType:
    """A module named `name` with `attributes`; any other name read from it is read from LocalStack's own module,
    except a dunder name (`__path__`, `__file__`): the import system asks for those of every module it imports from."""

    def read_from_localstack(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(f"module {name!r} (the harness's stand-in) has no attribute {attribute!r}")
        return getattr(localstack_module(name), attribute)

    module = types.ModuleType(name, doc)
    module.__dict__.update(attributes, __harness_stand_in__=True, __getattr__=read_from_localstack)
    return module


class DeferredValidator:
    """LocalStack's `OpenAPIRequestValidator` / `OpenAPIResponseValidator`, made on the first call that needs it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._validator: Any = None

    def __call__(self, chain: Any, context: Any, response: Any) -> None:
        from localstack import config

        if not (config.OPENAPI_VALIDATE_REQUEST or config.OPENAPI_VALIDATE_RESPONSE):
            return  # what LocalStack's handlers do then
        if self._validator is None:
            self._validator = getattr(localstack_module(VALIDATION_MODULE), self._name)()
        self._validator(chain, context, response)


def deferred_validation_module() -> types.ModuleType:
    return stand_in(VALIDATION_MODULE, "LocalStack's OpenAPI validation handlers, imported when validation is on",
                    OpenAPIRequestValidator=lambda: DeferredValidator("OpenAPIRequestValidator"),
                    OpenAPIResponseValidator=lambda: DeferredValidator("OpenAPIResponseValidator"))


def _loaded_on_first_call(module_name: str, function_name: str) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(localstack_module(module_name), function_name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = function_name
    return forward


def deferred_forwarding_module() -> types.ModuleType:
    return stand_in(FORWARDING_MODULE, "LocalStack's message forwarding, imported when an event is first sent",
                    send_event_to_target=_loaded_on_first_call(FORWARDING_MODULE, "send_event_to_target"))


def deferred_catalog_modules() -> list[types.ModuleType]:
    return [stand_in(CATALOG_MODULE, "LocalStack's service catalog, imported when it is first asked",
                     get_aws_catalog=_loaded_on_first_call(CATALOG_MODULE, "get_aws_catalog")),
            stand_in(CATALOG_EXCEPTIONS_MODULE, "LocalStack's availability errors, imported when one is first made",
                     get_service_availability_exception=_loaded_on_first_call(
                         CATALOG_EXCEPTIONS_MODULE, "get_service_availability_exception"))]


def install() -> None:
    """The stand-ins in `sys.modules`, unless LocalStack's modules are imported already."""
    for module in [deferred_validation_module(), deferred_forwarding_module(), *deferred_catalog_modules()]:
        sys.modules.setdefault(module.__name__, module)

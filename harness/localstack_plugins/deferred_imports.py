"""LocalStack modules (and one of urllib3's) whose imports cost far more than an engine that does not use them needs,
replaced by stand-ins that load the module itself, from its own file, when it is first used (inside LocalStack; issue
13). `engine_main.prepare_process` puts the stand-ins in `sys.modules` before LocalStack is imported.

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
- `localstack.dns.server` imports dnslib, dnspython and psutil (~12 ms of boot, ~2 MB); LocalStack's boot hooks import
  it to start its DNS server, which the harness turns off (DNS_ADDRESS=0), and to ask whether it runs and stop it.
  The stand-in's `start_dns_server` does what LocalStack's does with the server off (nothing) and loads the module
  otherwise; with the module not loaded no server can run, so `is_server_running`, `stop_servers` and
  `revert_network_configuration` answer for it until it is, and hand over to it from then on.
- `urllib3.contrib.pyopenssl`: botocore's `httpsession` imports only its `orig_util_SSLContext` (urllib3's own
  `SSLContext`, saved before pyOpenSSL is injected), and the module imports pyOpenSSL and cryptography's x509 package
  (~15 ms). The stand-in has urllib3's `SSLContext` under that name, as the module has until something injects
  pyOpenSSL, which needs the module loaded.
- `localstack.utils.backoff` defines its `ExponentialBackoff` as a pydantic dataclass, so the Lambda service, which
  imports it with its event source mappings' worker and pollers (they make one when they poll), loaded pydantic (~15
  ms, ~5 MB) in every engine's first Lambda call. The stand-in's `ExponentialBackoff` makes LocalStack's.
- `localstack.http.resources.swagger.endpoints` imports jinja2 (~7 ms) for its one page, `/_localstack/swagger`. The
  stand-in's `SwaggerUIApi` has the same route (tests/test_engine_main.py compares them) and renders the page with
  LocalStack's own class.
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
DNS_SERVER_MODULE = "localstack.dns.server"
PYOPENSSL_MODULE = "urllib3.contrib.pyopenssl"
BACKOFF_MODULE = "localstack.utils.backoff"
SWAGGER_MODULE = "localstack.http.resources.swagger.endpoints"
SWAGGER_PAGE = "/_localstack/swagger"
_LOADING = threading.Lock()


def module_itself(name: str) -> types.ModuleType:
    """The module `name` itself, imported once in place of its stand-in in `sys.modules` (by the import system, so
    `on_import` patches and the parent package's attribute apply to it as to any import)."""
    if is_loaded(name):
        return sys.modules[name]
    with _LOADING:
        stand_in_module = sys.modules.get(name)
        if is_loaded(name):
            return stand_in_module  # another thread imported it meanwhile
        sys.modules.pop(name, None)
        try:
            return importlib.import_module(name)
        except BaseException:
            sys.modules[name] = stand_in_module  # the stand-in again: a later use tries once more, and fails as clearly
            raise


def is_loaded(name: str) -> bool:
    """Whether the module itself is in `sys.modules` (not its stand-in)."""
    module = sys.modules.get(name)
    return module is not None and not getattr(module, "__harness_stand_in__", False)


def stand_in(name: str, doc: str, **attributes: Any) -> types.ModuleType:
    """A module named `name` with `attributes`; any other name read from it is read from the module itself,
    except a dunder name (`__path__`, `__file__`): the import system asks for those of every module it imports from."""

    def read_from_module_itself(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(f"module {name!r} (the harness's stand-in) has no attribute {attribute!r}")
        return getattr(module_itself(name), attribute)

    module = types.ModuleType(name, doc)
    module.__dict__.update(attributes, __harness_stand_in__=True, __getattr__=read_from_module_itself)
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
            self._validator = getattr(module_itself(VALIDATION_MODULE), self._name)()
        self._validator(chain, context, response)


def deferred_validation_module() -> types.ModuleType:
    return stand_in(VALIDATION_MODULE, "LocalStack's OpenAPI validation handlers, imported when validation is on",
                    OpenAPIRequestValidator=lambda: DeferredValidator("OpenAPIRequestValidator"),
                    OpenAPIResponseValidator=lambda: DeferredValidator("OpenAPIResponseValidator"))


def _loaded_on_first_call(module_name: str, function_name: str) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(module_itself(module_name), function_name)(*args, **kwargs)

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


def _until_loaded(module_name: str, function_name: str, answer: Callable[..., Any]) -> Callable[..., Any]:
    """`answer(*args)` while the module is not loaded, the module's own function from then on."""
    forward = _loaded_on_first_call(module_name, function_name)

    def call(*args: Any, **kwargs: Any) -> Any:
        return forward(*args, **kwargs) if is_loaded(module_name) else answer(*args, **kwargs)

    call.__name__ = call.__qualname__ = function_name
    return call


def start_dns_server(port: int, asynchronous: bool = False, standalone: bool = False) -> None:
    from localstack import config

    if not config.use_custom_dns():
        return  # LocalStack's start_dns_server returns here too
    module_itself(DNS_SERVER_MODULE).start_dns_server(port, asynchronous=asynchronous, standalone=standalone)


def deferred_dns_server_module() -> types.ModuleType:
    def nothing() -> None:
        return None

    return stand_in(DNS_SERVER_MODULE, "LocalStack's DNS server, imported when it is turned on",
                    start_dns_server=start_dns_server,
                    is_server_running=_until_loaded(DNS_SERVER_MODULE, "is_server_running", lambda: False),
                    stop_servers=_until_loaded(DNS_SERVER_MODULE, "stop_servers", nothing),
                    revert_network_configuration=_until_loaded(DNS_SERVER_MODULE, "revert_network_configuration",
                                                               nothing))


def deferred_pyopenssl_module() -> types.ModuleType:
    from urllib3.util import ssl_

    return stand_in(PYOPENSSL_MODULE, "urllib3's pyOpenSSL support, imported when more than its saved context is read",
                    orig_util_SSLContext=ssl_.SSLContext)


def deferred_backoff_module() -> types.ModuleType:
    return stand_in(BACKOFF_MODULE, "LocalStack's backoff (a pydantic dataclass), imported when one is first made",
                    ExponentialBackoff=_loaded_on_first_call(BACKOFF_MODULE, "ExponentialBackoff"))


def deferred_swagger_module() -> types.ModuleType:
    from rolo import route

    class SwaggerUIApi:
        """LocalStack's Swagger UI page, rendered by LocalStack's own class (and jinja2) when first asked for."""

        @route(SWAGGER_PAGE, methods=["GET"])
        def server_swagger_ui(self, request: Any) -> Any:
            return module_itself(SWAGGER_MODULE).SwaggerUIApi().server_swagger_ui(request)

    return stand_in(SWAGGER_MODULE, "LocalStack's Swagger UI endpoint, imported when the page is first asked for",
                    SwaggerUIApi=SwaggerUIApi)


def install() -> None:
    """The stand-ins in `sys.modules`, unless the modules are imported already."""
    for module in [deferred_validation_module(), deferred_forwarding_module(), *deferred_catalog_modules(),
                   deferred_dns_server_module(), deferred_pyopenssl_module(), deferred_backoff_module(),
                   deferred_swagger_module()]:
        sys.modules.setdefault(module.__name__, module)

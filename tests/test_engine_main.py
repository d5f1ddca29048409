"""The engine's entry point (harness.localstack_plugins.engine_main): LocalStack's own main, its OpenAPI validation
library imported only when OPENAPI_VALIDATE_REQUEST/RESPONSE asks for validation, which then works as in LocalStack,
what `prepare_process` changes before LocalStack's runtime is imported, and the end of the process as `sys.exit` ends
it, without the interpreter's teardown."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from harness.library.http import http
from harness.library.targets.localstack_host import LocalStackEngine
from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("the engine's own entry point")


def test_with_validation_off_the_gateway_is_built_without_openapi_core():
    probe = ("import sys; from harness.localstack_plugins import deferred_imports as m; "
             "sys.modules.setdefault(m.VALIDATION_MODULE, m.deferred_validation_module()); "
             "from localstack.aws import handlers; import localstack.aws.app; "
             "assert handlers.validate_request_schema(None, None, None) is None; print('openapi_core' in sys.modules)")
    assert run_probe(probe).stdout.strip() == "False"


def test_the_engine_process_is_prepared_before_localstack_is_imported():
    """werkzeug's URL builders made on first use (werkzeug_url_builders), header blocks read without the email package
    (http_header_parsing), absent headers answered without an exception (werkzeug_headers); LocalStack's app not
    imported yet; once LocalStack imports its request parsers, the base and S3 parsers answer absent members at once
    (absent_request_members)."""
    probe = ("import http.client, sys; from harness.localstack_plugins import engine_main, http_header_parsing; "
             "engine_main.prepare_process(); from werkzeug.routing.rules import Rule; "
             "from werkzeug.datastructures import EnvironHeaders, Headers; "
             "print(Rule._compile_builder.deferred, http.client.parse_headers is http_header_parsing.parse_headers, "
             "'localstack.aws.app' in sys.modules, "
             "*{c.get.__qualname__.split('.')[0] for c in (Headers, EnvironHeaders)}); "
             "from localstack.aws.protocol import parser; "
             "parsers = (parser.RequestParser, parser.S3RequestParser); "
             "print(*{c._parse_shape.__qualname__.split('.')[0] for c in parsers})")
    assert run_probe(probe).stdout.splitlines() == ["True True False look_up_absent_headers_without_exceptions",
                                                    "answer_absent_members_at_once"]


def test_with_request_validation_on_localstacks_validator_refuses_a_bad_internal_request(tmp_path):
    """LocalStack's openapi.yaml: POST /_localstack/config needs `variable` and `value`."""
    with LocalStackEngine(state_dir=tmp_path, extra_env={"OPENAPI_VALIDATE_REQUEST": "1"}) as engine:
        answer = http("POST", f"{engine.endpoint_url}/_localstack/config", {"Content-Type": "application/json"},
                      json.dumps({"variable": "LS_LOG"}).encode())
    assert answer.status == 400 and answer.json()["error"] == "Bad Request" and "value" in answer.json()["message"]


@pytest.mark.parametrize(("code", "status", "stderr"), [(None, 0, ""), (0, 0, ""), (3, 3, ""), ("a reason", 1, "a reason")])
def test_the_engine_ends_as_sys_exit_would_with_its_atexit_handlers_run_and_output_flushed(code, status, stderr):
    probe = ("import atexit, sys, threading, time; from harness.localstack_plugins.engine_main import exit_without_teardown; "
             "atexit.register(lambda: print('atexit ran')); sys.stdout.write('unflushed'); "
             "threading.Thread(target=lambda: (time.sleep(0.5), print('thread ended', end=' '))).start(); "
             f"exit_without_teardown({code!r})")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stdout, result.stderr.strip()) == (status, "unflushedthread ended atexit ran\n", stderr)


def test_a_sigterm_ends_the_engine_through_localstacks_shutdown_with_status_0(tmp_path):
    engine = LocalStackEngine(state_dir=tmp_path).start()
    process = engine._process
    try:
        process.terminate()
        assert process.wait(timeout=30) == 0
    finally:
        engine.stop()
    assert "[shutdown] Stopping all services" in engine.log_path.read_text()  # through LocalStack's own shutdown


def test_moto_reads_its_service_models_through_one_loader():
    from types import SimpleNamespace

    from harness.localstack_plugins.engine_main import share_motos_loader

    moto_core_utils = SimpleNamespace(create_loader=object)  # moto's makes a new loader at each call
    share_motos_loader(moto_core_utils)
    assert moto_core_utils.create_loader() is moto_core_utils.create_loader()


def test_the_lambda_service_is_imported_without_the_message_forwarding_it_uses_only_for_destinations():
    """deferred_imports: LocalStack's Lambda service without moto's API Gateway and its OpenAPI validator; the stand-in's
    `send_event_to_target` and any other name read from it are LocalStack's own, loaded then."""
    probe = ("import sys; from harness.localstack_plugins import deferred_imports as m; m.install(); "
             "from localstack.services.lambda_.invocation import event_manager; import localstack.services.lambda_.provider; "
             "print(any(n in sys.modules for n in ('moto.apigateway', 'openapi_spec_validator')), end=' '); "
             "from localstack.utils.aws.message_forwarding import auth_keys_from_connection as read; "
             "real = sys.modules[m.FORWARDING_MODULE]; "
             "print(read is real.auth_keys_from_connection, hasattr(real, '__harness_stand_in__'), "
             "event_manager.send_event_to_target.__name__)")
    assert run_probe(probe).stdout.strip() == "False True False send_event_to_target"


def test_the_lambda_service_is_imported_without_pydantic_and_its_event_source_mappings_back_off_as_localstacks():
    """deferred_imports' backoff stand-in: the Lambda service's import leaves pydantic unrun (modules_on_first_use);
    a backoff its event source mapping workers make is LocalStack's pydantic dataclass, with its own arithmetic."""
    probe = ("from harness.localstack_plugins import engine_main; "
             "from harness.localstack_plugins.modules_on_first_use import has_run; engine_main.prepare_process(); "
             "import localstack.services.lambda_.provider; "
             "from localstack.services.lambda_.event_source_mapping import esm_worker; print(has_run('pydantic')); "
             "backoff = esm_worker.ExponentialBackoff(initial_interval=2, randomization_factor=0, max_retries=2); "
             "print(has_run('pydantic'), type(backoff).__module__, backoff.next_backoff(), backoff.next_backoff(), "
             "backoff.next_backoff())")
    assert run_probe(probe).stdout.splitlines() == ["False", "True localstack.utils.backoff 2.0 3.0 0"]


def test_an_operation_localstack_does_not_emulate_gets_its_catalog_message_from_the_catalog_loaded_then(aws_client):
    """deferred_imports: LocalStack's service catalog is loaded at the first NotImplementedError, for its message."""
    with pytest.raises(ClientError) as not_emulated:
        aws_client.s3.get_bucket_metadata_table_configuration(Bucket="harness-any-bucket")
    error = not_emulated.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]) == (
        501, "InternalFailure", "The API for service s3 is either not included in your current license plan or has not "
        "yet been emulated by LocalStack.")


LATER_LIBRARIES = ("/pydantic_core/", "/yaml/_yaml", "/psutil/")  # their native parts, seen in /proc/<pid>/maps


def test_a_booted_engine_has_not_loaded_what_it_uses_later_and_serves_its_swagger_page_when_asked(tmp_path):
    """modules_on_first_use, deferred_imports, rolo_pydantic_dispatch (issue 13): after boot, health and an S3 call,
    pydantic (its core), PyYAML (LibYAML) and LocalStack's DNS server (psutil) are not in the engine's memory; the
    Swagger page, asked for, is rendered by LocalStack's own class with jinja2 (test_modules_on_first_use: not loaded
    at boot)."""
    with LocalStackEngine(state_dir=tmp_path / "engine") as engine:
        def loaded() -> list[str]:
            maps = open(f"/proc/{engine.pid}/maps").read()
            return [library for library in LATER_LIBRARIES if library in maps]

        assert http("GET", f"{engine.endpoint_url}/_localstack/health").status == 200
        engine.clients().s3.list_buckets()
        assert loaded() == []
        page = http("GET", f"{engine.endpoint_url}/_localstack/swagger")
        assert (page.status, page.headers["content-type"], "/openapi.yaml" in page.body.decode()) == (
            200, "text/html", True)
        assert loaded() == []


def test_the_swagger_stand_in_routes_the_page_as_localstacks_own_class_does():
    """deferred_imports' SwaggerUIApi: the same rules (path, host, methods, options) as LocalStack's."""
    probe = ("from harness.localstack_plugins import deferred_imports as m; "
             "from localstack.http.resources.swagger.endpoints import SwaggerUIApi; "
             "rules = lambda api: [(n, getattr(api, n).rule_attributes) for n in dir(api) "
             "if hasattr(getattr(api, n), 'rule_attributes')]; "
             "ours = m.deferred_swagger_module().SwaggerUIApi; print(rules(ours) == rules(SwaggerUIApi), rules(ours))")
    assert run_probe(probe).stdout.startswith(
        "True [('server_swagger_ui', [_RuleAttributes(path='/_localstack/swagger'")


def test_localstacks_dns_server_module_loads_only_when_used_and_then_answers_for_itself():
    """deferred_imports' DNS server stand-in: with the server off (DNS_ADDRESS=0, as the harness runs it) LocalStack's
    boot and shutdown hooks start, ask about and stop nothing without loading it; once something loads it (a name read
    from the stand-in), the stand-in's functions are its own."""
    probe = ("import os, sys; os.environ['DNS_ADDRESS'] = '0'; "
             "from harness.localstack_plugins import deferred_imports as m; m.install(); "
             "from localstack.dns import plugins; "
             "plugins.start_dns_server(); plugins.setup_dns_configuration_on_host(); plugins.stop_server(); "
             "from localstack.dns import server as stand_in; "
             "print(m.is_loaded(m.DNS_SERVER_MODULE), 'dnslib' in sys.modules, stand_in.is_server_running()); "
             "stand_in.get_fallback_dns_server; real = sys.modules[m.DNS_SERVER_MODULE]; real.DNS_SERVER = object(); "
             "print(m.is_loaded(m.DNS_SERVER_MODULE), real is not stand_in, stand_in.is_server_running())")
    assert run_probe(probe).stdout.splitlines() == ["False False False", "True True True"]


def test_botocore_gets_urllib3s_own_ssl_context_and_pyopenssl_loads_when_more_is_read():
    """deferred_imports' pyOpenSSL stand-in: botocore's `SSLContext` is the one urllib3's module saves as
    `orig_util_SSLContext`; any other name read loads urllib3's module, which has the same saved context."""
    probe = ("import sys; from harness.localstack_plugins import deferred_imports as m; m.install(); "
             "from botocore import httpsession; from urllib3.util import ssl_; "
             "print(httpsession.SSLContext is ssl_.SSLContext, 'OpenSSL' in sys.modules); "
             "from urllib3.contrib import pyopenssl; pyopenssl.inject_into_urllib3; "
             "real = sys.modules[m.PYOPENSSL_MODULE]; "
             "print(m.is_loaded(m.PYOPENSSL_MODULE), real.orig_util_SSLContext is httpsession.SSLContext, "
             "'OpenSSL' in sys.modules)")
    assert run_probe(probe).stdout.splitlines() == ["True False", "True True True"]

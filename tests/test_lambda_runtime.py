"""The Docker-free executor through LocalStack's own Lambda service (behaviour.md "Lambda runtime")."""

from __future__ import annotations

import base64
import json
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.library.lambda_functions import function_logs, invocation_count, wait_function_ready
from harness.lambda_runtime.runtimes import available_python_versions, find_python, host_architecture
from harness.library.packaging import zip_files
from harness.library.waiting import wait_until

PY_REPORT = """
import os, sys, time
STARTED_AT = time.time()
CALLS = 0
def handler(event, context):
    global CALLS
    CALLS += 1
    print("event", event)
    return {
        "version": "%d.%d" % sys.version_info[:2], "pid": os.getpid(), "calls": CALLS, "started_at": STARTED_AT,
        "request_id": context.aws_request_id, "arn": context.invoked_function_arn,
        "function_name": context.function_name, "memory": context.memory_limit_in_mb,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "env": {k: os.environ.get(k) for k in ("AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "CUSTOM", "AWS_ENDPOINT_URL", "AWS_LAMBDA_LOG_GROUP_NAME",
                "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "GATEWAY_LISTEN")},
        "sleep": time.sleep(event.get("sleep", 0)),
    }
"""

NODE_REPORT = """
let calls = 0;
exports.handler = async (event, context) => {
  calls += 1;
  console.log('event', JSON.stringify(event));
  if (event.fail) throw new TypeError('bad thing: ' + event.fail);
  return { version: process.version, pid: process.pid, calls, requestId: context.awsRequestId,
           functionName: context.functionName, remaining: context.getRemainingTimeInMillis(),
           custom: process.env.CUSTOM };
};
"""


def invoke(aws_client, name: str, event: dict | None = None, **kwargs) -> tuple[dict, object, str]:
    response = aws_client.lambda_.invoke(FunctionName=name, Payload=json.dumps(event or {}), LogType="Tail", **kwargs)
    payload = json.loads(response["Payload"].read() or b"null")
    logs = base64.b64decode(response.get("LogResult", "")).decode()
    return response, payload, logs


@pytest.fixture
def python_function(lambda_function_factory):
    def make(runtime: str = "python3.12", code: str = PY_REPORT, **kwargs) -> str:
        kwargs.setdefault("Handler", "app.handler")
        config = lambda_function_factory(
            Runtime=runtime, Code={"ZipFile": zip_files({"app.py": code})},
            Environment={"Variables": {"CUSTOM": "yes"}}, **kwargs,
        )
        return config["FunctionName"]

    return make


@pytest.mark.parametrize("version", available_python_versions())
def test_python_runtime_named_is_the_one_that_runs(aws_client, python_function, version):
    name = python_function(runtime=f"python{version}")
    response, payload, logs = invoke(aws_client, name, {"hello": 1})
    assert "FunctionError" not in response, payload
    assert payload["version"] == version


def test_python_context_env_and_logs_match_aws(aws_client, python_function):
    name = python_function(Timeout=7, MemorySize=256)
    response, payload, logs = invoke(aws_client, name, {"hello": "world"})
    assert payload["function_name"] == name
    assert payload["arn"].endswith(f":function:{name}")
    assert payload["memory"] == "256"
    assert 0 < payload["remaining_ms"] <= 7000
    env = payload["env"]
    assert env["AWS_REGION"] == aws_client.region
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["CUSTOM"] == "yes"
    assert env["AWS_ENDPOINT_URL"] is None  # as on AWS: SDK calls go to AWS's hostnames, which reach the engine
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    # the engine's own settings stay its own
    assert env["MALLOC_ARENA_MAX"] is None and env["MALLOC_MMAP_THRESHOLD_"] is None and env["GATEWAY_LISTEN"] is None
    request_id = payload["request_id"]
    assert f"START RequestId: {request_id} Version: $LATEST" in logs
    assert "event {'hello': 'world'}" in logs
    assert f"END RequestId: {request_id}" in logs
    assert "REPORT RequestId: " + request_id in logs and "Init Duration:" in logs
    stored = wait_until(lambda: function_logs(aws_client.logs, name), timeout=10, what="CloudWatch logs", evidence=lambda: "none")
    assert f"START RequestId: {request_id}" in stored


def test_warm_environment_is_reused(aws_client, python_function):
    name = python_function()
    first = invoke(aws_client, name)[1]
    second = invoke(aws_client, name)[1]
    assert (second["pid"], second["calls"], second["started_at"]) == (first["pid"], 2, first["started_at"])
    assert "Init Duration" not in invoke(aws_client, name)[2]  # only the cold start reports init


def test_concurrent_invocations_get_separate_environments(aws_client, python_function):
    name = python_function()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: invoke(aws_client, name, {"sleep": 0.5})[1], range(4)))
    assert len({r["request_id"] for r in results}) == 4
    assert len({r["pid"] for r in results}) > 1


def test_function_sdk_calls_reach_the_engine(aws_client, lambda_function_factory):
    aws_client.s3.create_bucket(Bucket="seen-from-lambda")
    code = "import boto3\ndef handler(e, c):\n    return [b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']]\n"
    name = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": code})})["FunctionName"]
    assert "seen-from-lambda" in invoke(aws_client, name)[1]
    aws_client.s3.delete_bucket(Bucket="seen-from-lambda")


def test_python_handler_error_has_type_and_stack_trace(aws_client, python_function):
    name = python_function(code="def handler(e, c):\n    raise ValueError('no good: ' + e['x'])\n")
    response, payload, logs = invoke(aws_client, name, {"x": "42"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "no good: 42"
    assert any("raise ValueError" in line for line in payload["stackTrace"])
    assert "[ERROR] ValueError: no good: 42" in logs


@pytest.mark.parametrize(
    "files, handler, error_type, message",
    [
        ({"app.py": "import PIL\ndef handler(e, c): pass\n"}, "app.handler", "Runtime.ImportModuleError",
         "Unable to import module 'app': No module named 'PIL'"),
        ({"app.py": "def other(e, c): pass\n"}, "app.handler", "Runtime.HandlerNotFound",
         "Handler 'handler' missing on module 'app'"),
        ({"app.py": "def handler(e, c):\n  return (\n"}, "app.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
    ],
    ids=["import-module-error", "handler-not-found", "syntax-error"],
)
def test_python_init_errors_fail_every_call(aws_client, lambda_function_factory, files, handler, error_type, message):
    name = lambda_function_factory(Runtime="python3.12", Handler=handler, Code={"ZipFile": zip_files(files)})["FunctionName"]
    for _ in range(2):  # the module fails at init on every call (system.md bug 3)
        response, payload, logs = invoke(aws_client, name)
        assert response["FunctionError"] == "Unhandled"
        assert payload["errorType"] == error_type
        assert message in payload["errorMessage"]
        assert error_type in logs


def test_timeout_ends_invocation_and_next_call_gets_fresh_environment(aws_client, python_function):
    name = python_function(Timeout=1)
    response, payload, logs = invoke(aws_client, name, {"sleep": 30})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    assert "Task timed out after 1.00 seconds" in logs
    response, payload, logs = invoke(aws_client, name)
    assert "FunctionError" not in response and payload["calls"] == 1  # a new process: state was lost
    assert "Init Duration" in logs


def test_init_phase_does_not_count_against_the_function_timeout(aws_client, python_function):
    """AWS's execution environment lifecycle: Init has its own 10 s limit; the timeout counts from the end of Init.
    (Under load, slow cold starts used to eat the timeout: 500s from API Gateway for concurrent first calls.)"""
    name = python_function(code="import time\ntime.sleep(1.5)\n" + PY_REPORT, Timeout=1)
    response, payload, logs = invoke(aws_client, name)
    assert "FunctionError" not in response, payload
    assert 500 < payload["remaining_ms"] <= 1000  # the deadline the runtime got starts at the invocation, after Init
    report = next(line for line in logs.splitlines() if line.startswith("REPORT"))
    duration_ms = float(report.split("Duration: ")[1].split(" ms")[0])
    init_ms = float(report.split("Init Duration: ")[1].split(" ms")[0])
    assert init_ms >= 1500 and duration_ms < 1000, report  # Duration excludes Init, as AWS reports it


def test_process_exit_is_runtime_exit_error(aws_client, python_function):
    name = python_function(code="import os\ndef handler(e, c):\n    os._exit(3)\n")
    response, payload, _ = invoke(aws_client, name)
    assert payload["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in payload["errorMessage"]


def test_exceeding_memory_size_kills_the_runtime(aws_client, python_function):
    name = python_function(code="def handler(e, c):\n    block = b'x' * (200 * 1024 * 1024)\n    return len(block)\n", MemorySize=128)
    response, payload, logs = invoke(aws_client, name)
    assert payload["errorType"] == "Runtime.OutOfMemory"
    assert "Runtime exited with error: signal: killed" in payload["errorMessage"]
    assert "Memory Size: 128 MB\tMax Memory Used: 128 MB" in logs  # AWS reports the limit it enforced
    assert invoke(aws_client, name)[1]["errorType"] == "Runtime.OutOfMemory"  # a fresh environment, same fate


def test_layers_are_importable(aws_client, lambda_function_factory):
    layer = aws_client.lambda_.publish_layer_version(
        LayerName="greeting", Content={"ZipFile": zip_files({"python/greeting.py": "WORD = 'hi from layer'\n"})},
        CompatibleRuntimes=["python3.12"],
    )
    code = "import greeting\ndef handler(e, c):\n    return greeting.WORD\n"
    name = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files({"app.py": code})},
                                   Layers=[layer["LayerVersionArn"]])["FunctionName"]
    assert invoke(aws_client, name)[1] == "hi from layer"


@pytest.fixture
def node_function(lambda_function_factory):
    def make(files: dict | None = None, **kwargs) -> str:
        kwargs.setdefault("Handler", "index.handler")
        return lambda_function_factory(
            Runtime=kwargs.pop("Runtime", "nodejs20.x"), Code={"ZipFile": zip_files(files or {"index.js": NODE_REPORT})},
            Environment={"Variables": {"CUSTOM": "yes"}}, **kwargs,
        )["FunctionName"]

    return make


def test_node_runtime_runs_handler_with_aws_context_and_log_format(aws_client, node_function):
    name = node_function()
    response, payload, logs = invoke(aws_client, name, {"a": 1})
    assert payload["version"].startswith("v20.")
    assert payload["functionName"] == name and payload["custom"] == "yes"
    assert 0 < payload["remaining"] <= 3000
    assert f"\t{payload['requestId']}\tINFO\tevent {{\"a\":1}}" in logs
    assert invoke(aws_client, name)[1]["calls"] == 2


def test_node_handler_error_type_and_trace(aws_client, node_function):
    name = node_function()
    response, payload, logs = invoke(aws_client, name, {"fail": "x"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "TypeError"
    assert payload["errorMessage"] == "bad thing: x"
    assert payload["trace"][0].startswith("TypeError: bad thing")
    assert "ERROR\tInvoke Error" in logs


@pytest.mark.parametrize(
    "files, error_type, message",
    [
        ({"index.js": "const sharp = require('sharp');\nexports.handler = async () => 1;"}, "Runtime.ImportModuleError",
         "Error: Cannot find module 'sharp'"),
        ({"other.js": "exports.handler = async () => 1;"}, "Runtime.ImportModuleError", "Cannot find module 'index'"),
        ({"index.js": "exports.other = async () => 1;"}, "Runtime.HandlerNotFound", "index.handler is undefined or not exported"),
    ],
    ids=["missing-dependency", "missing-module", "handler-not-found"],
)
def test_node_init_errors(aws_client, node_function, files, error_type, message):
    name = node_function(files)
    response, payload, logs = invoke(aws_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == error_type
    assert message in payload["errorMessage"]


def test_esm_handler(aws_client, node_function):
    name = node_function({"index.mjs": "export const handler = async (e) => ({esm: true, e});"})
    assert invoke(aws_client, name, {"k": 1})[1] == {"esm": True, "e": {"k": 1}}


@pytest.mark.parametrize(
    "runtime, expected",
    [("nodejs16.x", "nodejs16.x is not one the harness provides"), ("python3.14", "needs a CPython 3.14 interpreter")],
)
def test_missing_runtime_fails_clearly_instead_of_running_another(aws_client, lambda_function_factory, runtime, expected):
    if runtime == "python3.14" and "3.14" in available_python_versions():
        pytest.skip("this host has python3.14")
    files = {"index.js": "exports.handler = async () => 1;", "app.py": "def handler(e, c): return 1\n"}
    handler = "index.handler" if runtime.startswith("node") else "app.handler"
    name = lambda_function_factory(Runtime=runtime, Handler=handler, Code={"ZipFile": zip_files(files)})["FunctionName"]
    response, payload, logs = invoke(aws_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.Unavailable"
    assert expected in payload["errorMessage"] and "Hint:" in payload["errorMessage"]
    # issue 9: logged as AWS logs a failed Init, not as one bare ERROR line
    assert_init_failure_logged(logs, payload, "Runtime.Unavailable")


def assert_init_failure_logged(logs: str, payload: dict, error_type: str) -> None:
    lines = logs.splitlines()
    init_report = next(i for i, line in enumerate(lines) if line.startswith("INIT_REPORT Init Duration: "))
    assert lines[init_report].endswith(f"\tPhase: init\tStatus: error\tError Type: {error_type}"), lines[init_report]
    assert any(error_type in line for line in lines[:init_report]), logs  # the error, in the Init phase
    assert lines[init_report + 1].startswith("START RequestId: ")
    assert lines[-2].startswith("END RequestId: ")
    assert lines[-1].startswith("REPORT RequestId: ") and lines[-1].endswith(f"\tStatus: error\tError Type: {error_type}")


def test_init_error_logs_init_report_start_end_report(aws_client, lambda_function_factory):
    files = {"app.py": "import PIL\ndef handler(e, c): pass\n"}
    name = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files(files)})["FunctionName"]
    response, payload, logs = invoke(aws_client, name)
    assert_init_failure_logged(logs, payload, "Runtime.ImportModuleError")


def test_runtime_dying_in_init_is_an_init_error(aws_client, lambda_function_factory):
    files = {"app.py": "import os\nos._exit(7)\n"}
    name = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": zip_files(files)})["FunctionName"]
    response, payload, logs = invoke(aws_client, name)
    assert payload["errorType"] == "Runtime.ExitError" and "exit status 7" in payload["errorMessage"]
    assert_init_failure_logged(logs, payload, "Runtime.ExitError")


@pytest.mark.slow
def test_async_invocation_of_failing_function_is_attempted_three_times(aws_client, python_function):
    """behaviour.md "S3": asynchronous invocations are retried twice more (3 attempts), then dropped."""
    name = python_function(code="def handler(e, c):\n    raise RuntimeError('always fails')\n")
    aws_client.lambda_.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    logs = lambda: function_logs(aws_client.logs, name)
    wait_until(lambda: invocation_count(logs()) >= 3, timeout=20, what="3 attempts", evidence=logs)
    request_ids = {line.split()[2] for line in logs().splitlines() if line.startswith("START RequestId:")}
    assert len(request_ids) == 1  # retries keep the request id


@pytest.fixture
def sqs_queue(aws_client):
    url = aws_client.sqs.create_queue(QueueName=f"destination-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    yield url, aws_client.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws_client.sqs.delete_queue(QueueUrl=url)


def test_async_event_of_a_failing_function_goes_to_its_on_failure_destination(aws_client, python_function, sqs_queue):
    """behaviour.md "S3": once its attempts are used up, the event is sent to the on-failure destination (the
    Lambda service's message forwarding, loaded when first used: harness.localstack_plugins.deferred_imports)."""
    url, arn = sqs_queue
    name = python_function(code="def handler(e, c):\n    raise RuntimeError('always fails')\n")
    aws_client.lambda_.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                                        DestinationConfig={"OnFailure": {"Destination": arn}})
    aws_client.lambda_.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"avatar": "a.jpg"}')
    messages = wait_until(lambda: aws_client.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"), timeout=20,
                          what="the failed event in the on-failure destination", evidence=lambda: function_logs(aws_client.logs, name))
    record = json.loads(messages[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["functionArn"].endswith(f":function:{name}:$LATEST")
    assert record["requestPayload"] == {"avatar": "a.jpg"}
    assert record["responsePayload"]["errorMessage"] == "always fails"


def test_async_event_right_after_a_function_update_is_not_held_back(aws_client, python_function):
    """An upload just after a deploy runs at once on AWS (harness.localstack_plugins.lambda_async_invocation)."""
    name = python_function(code="def handler(e, c):\n    print('ran', e['n'])\n")
    aws_client.lambda_.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    function_logs_of = lambda: function_logs(aws_client.logs, name)  # noqa: E731
    wait_until(lambda: "ran 1" in function_logs_of(), timeout=10, what="the first event", evidence=function_logs_of)
    aws_client.lambda_.update_function_configuration(FunctionName=name, Environment={"Variables": {"CUSTOM": "updated"}})
    wait_function_ready(aws_client.lambda_, name, timeout=30)
    aws_client.lambda_.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 2}')
    wait_until(lambda: "ran 2" in function_logs_of(), timeout=10, what="the event sent after the update",
               evidence=function_logs_of)


def _kill_runtime(pid: int) -> None:
    """kill -9, and wait until the process is reaped: a zombie thread-group leader may still have threads that hold
    its sockets open (the kernel closes them when the last thread exits)."""
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=5, what=f"runtime {pid} reaped",
               evidence=lambda: Path(f"/proc/{pid}/status").read_text(errors="replace"))


RUBY_REPORT = """$calls = 0
def handler(event:, context:)
  $calls += 1
  sleep(event['sleep']) if event['sleep']
  { 'pid' => Process.pid, 'calls' => $calls }
end
"""


@pytest.fixture(params=["python", "node", "ruby"])
def report_function(request, python_function, node_function, lambda_function_factory):
    """A function of each runtime family answering with its process id (PY_REPORT / NODE_REPORT / RUBY_REPORT)."""
    if request.param == "python":
        return python_function(Timeout=3)
    if request.param == "ruby":
        return lambda_function_factory(Runtime="ruby3.3", Handler="function.handler", Timeout=3,
                                       Code={"ZipFile": zip_files({"function.rb": RUBY_REPORT})})["FunctionName"]
    return node_function(files={"index.js": NODE_REPORT.replace("exports.handler = async (event, context) => {",
                                "exports.handler = async (event, context) => {\n  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep * 1000));")},
                         Timeout=3)


def test_runtime_killed_while_idle_is_replaced_and_the_next_call_succeeds(aws_client, report_function):
    """Issue 9, the dead-runtime wedge: kill -9 an idle runtime; every later call used to time out."""
    first = invoke(aws_client, report_function)[1]
    _kill_runtime(first["pid"])
    response, payload, logs = invoke(aws_client, report_function)
    assert "FunctionError" not in response, payload
    assert payload["pid"] != first["pid"] and payload["calls"] == 1 and "Init Duration" in logs  # a new environment
    assert invoke(aws_client, report_function)[1]["calls"] == 2  # which stays warm


def test_runtime_killed_while_busy_fails_that_call_and_the_next_succeeds(aws_client, report_function):
    first = invoke(aws_client, report_function)[1]
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(invoke, aws_client, report_function, {"sleep": 2})
        time.sleep(0.5)
        _kill_runtime(first["pid"])
        response, payload, _ = busy.result()
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: signal: killed" in payload["errorMessage"]  # AWS's wording for SIGKILL
    response, payload, _ = invoke(aws_client, report_function)
    assert "FunctionError" not in response, payload
    assert payload["pid"] != first["pid"]


def _extension_built_for_the_other_architecture(version: str) -> tuple[str, bytes]:
    """One of the interpreter's own extension modules with its ELF e_machine changed to the other architecture:
    what a package built on (or pip-installed for) the other architecture holds."""
    interpreter = find_python(version)
    built = next((interpreter.parent.parent / "lib" / f"python{version}" / "lib-dynload").glob("_bisect.*.so"))
    data = bytearray(built.read_bytes())
    data[18:20] = (0xB7 if host_architecture() == "x86_64" else 0x3E).to_bytes(2, "little")  # EM_AARCH64 / EM_X86_64
    return built.name.replace("_bisect", "native"), bytes(data)


def test_arm64_function_runs_its_interpreted_code_on_this_host(aws_client, python_function):
    """README "Architectures": the other architecture's functions run on the host's interpreter."""
    name = python_function(Architectures=["arm64" if host_architecture() == "x86_64" else "x86_64"])
    response, payload, _ = invoke(aws_client, name)
    assert "FunctionError" not in response, payload


def test_native_module_of_the_other_architecture_fails_with_the_loaders_error(aws_client, lambda_function_factory):
    version = "3.12"
    if version not in available_python_versions():
        pytest.skip("needs python3.12")
    module_file, module = _extension_built_for_the_other_architecture(version)
    files = {"app.py": "import native\ndef handler(e, c): return 1\n", module_file: module}
    name = lambda_function_factory(Runtime=f"python{version}", Handler="app.handler", Code={"ZipFile": zip_files(files)})["FunctionName"]
    response, payload, _ = invoke(aws_client, name)
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'app'" in payload["errorMessage"] and module_file in payload["errorMessage"]
    assert "cannot open shared object file" in payload["errorMessage"]  # glibc's own words for a foreign ELF machine

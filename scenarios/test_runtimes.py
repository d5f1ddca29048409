"""Issue 9: the same small handler in every runtime the harness knows (behaviour.md "Lambda runtime").

One function per runtime, made once for the module and reused by the echo, SDK, error and timeout cases. A runtime
this host cannot serve is skipped with the reason a function on it would get (Runtime.Unavailable's message).
The python and nodejs families are here; the ruby runtimes (other handler shape) have scenarios of their own.
Deprecated runtimes run, as AWS keeps running existing functions on them; AWS refuses to create new ones, so the
module runs on the emulator only.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from harness.library.lambda_functions import THROWAWAY_ROLE_ARN, create_function, delete_function, function_logs, wait_function_ready
from harness.lambda_runtime.aws_runtimes import AWS_RUNTIMES, aws_runtime
from harness.lambda_runtime.runtimes import RuntimeUnavailable, host_architecture, resolve_runtime_command
from harness.library.packaging import zip_files
from harness.library.targets.engine_process import descendants
from harness.library.waiting import wait_until
from scenarios.avatar_client import key_upload

pytestmark = pytest.mark.emulator_only("deprecated runtimes included: AWS refuses to create functions on them")

PYTHON_HANDLER = """
import os, sys, time
import boto3

def handler(event, context):
    action = event.get("action")
    if action == "s3":
        return sorted(bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"])
    if action == "error":
        raise ValueError("asked to fail")
    if action == "sleep":
        time.sleep(event["seconds"])
    return {"echo": event, "version": "%d.%d" % sys.version_info[:2], "env": os.environ["AWS_EXECUTION_ENV"]}
"""

NODE_HANDLER = """
const { S3Client, ListBucketsCommand } = require('@aws-sdk/client-s3');

exports.handler = async (event) => {
  if (event.action === 's3') {
    const out = await new S3Client({}).send(new ListBucketsCommand({}));
    return out.Buckets.map((bucket) => bucket.Name).sort();
  }
  if (event.action === 'error') throw new TypeError('asked to fail');
  if (event.action === 'sleep') await new Promise((resolve) => setTimeout(resolve, event.seconds * 1000));
  return { echo: event, version: process.versions.node.split('.')[0], env: process.env.AWS_EXECUTION_ENV };
};
"""

# ES module importing the runtime's SDK (no node_modules in the package), and a CommonJS callback-style handler.
NODE_ESM_AND_CALLBACK = {
    "esm.mjs": """
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
export const handler = async (event) => ({
  esm: true, sdk: [typeof S3Client, typeof DynamoDBDocumentClient.from, typeof DynamoDBClient, typeof getSignedUrl],
});
""",
    "callback.cjs": """
exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { callback: true, requestId: context.awsRequestId }), 10);
};
""",
}
NODE_SDK_PACKAGES = ["@aws-sdk/client-cognito-identity-provider", "@aws-sdk/client-dynamodb", "@aws-sdk/client-lambda",
                     "@aws-sdk/client-s3", "@aws-sdk/client-sns", "@aws-sdk/client-sqs", "@aws-sdk/lib-dynamodb",
                     "@aws-sdk/s3-request-presigner"]
NODE_REQUIRE_ALL = "exports.handler = async () => %s.map((name) => typeof require(name));\n" % json.dumps(NODE_SDK_PACKAGES)

# The module's functions have room for a first SDK call on a cold, loaded machine (~1 s for python3.9's first boto3
# client when the interpreter's files are not yet in the page cache, more at the suite's load); the timeout case has its
# own short-timeout functions.
FUNCTION_TIMEOUT_SECONDS = 15
SHORT_TIMEOUT_SECONDS = 1  # AWS's least; the Init phase is not counted in it (lambda_executor)
FAMILIES = ("python", "nodejs")  # the ruby runtimes' handlers differ (method(event:, context:)): their own scenarios


def _cannot_serve(identifier: str) -> str | None:
    try:
        resolve_runtime_command(identifier, "index.handler", host_architecture(), 128, [], Path("/task"))
    except RuntimeUnavailable as error:
        return str(error)
    return None


def _runtime_params(family: str | None = None) -> list:
    params = []
    for runtime in AWS_RUNTIMES:
        if runtime.family not in FAMILIES or (family and runtime.family != family):
            continue
        reason = _cannot_serve(runtime.identifier)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(runtime.identifier, marks=marks, id=runtime.identifier))
    return params


@pytest.fixture(scope="module")
def runtime_function(aws_client, name_prefix) -> Iterator[Callable[..., str]]:
    """`get(runtime, handler="index.handler", files=None, timeout=15)`: the module's function for that runtime and handler."""
    made: dict[tuple, str] = {}

    def get(runtime: str, handler: str | None = None, files: dict | None = None, timeout: int = FUNCTION_TIMEOUT_SECONDS) -> str:
        family = aws_runtime(runtime).family
        handler = handler or ("app.handler" if family == "python" else "index.handler")
        key = (runtime, handler, tuple(sorted(files or {})), timeout)
        if key not in made:
            name = f"{name_prefix}rt-{runtime.replace('.', '')}-{uuid.uuid4().hex[:6]}"
            code = files or ({"app.py": PYTHON_HANDLER} if family == "python" else {"index.js": NODE_HANDLER})
            create_function(aws_client.lambda_, FunctionName=name, Runtime=runtime, Handler=handler, Role=THROWAWAY_ROLE_ARN,
                            Code={"ZipFile": zip_files(code)}, Timeout=timeout)
            wait_function_ready(aws_client.lambda_, name, timeout=30)
            made[key] = name
        return made[key]

    yield get
    for name in made.values():
        delete_function(aws_client.lambda_, aws_client.logs, name)


def invoke(aws_client, name: str, event: dict | None = None) -> tuple[dict, object, str]:
    response = aws_client.lambda_.invoke(FunctionName=name, Payload=json.dumps(event or {}), LogType="Tail")
    payload = json.loads(response["Payload"].read() or b"null")
    return response, payload, base64.b64decode(response.get("LogResult", "")).decode()


@pytest.mark.parametrize("runtime", _runtime_params())
def test_echo_runs_on_the_version_the_runtime_names(aws_client, runtime_function, runtime):
    response, payload, _ = invoke(aws_client, runtime_function(runtime), {"hello": runtime})
    assert "FunctionError" not in response, payload
    assert payload["echo"] == {"hello": runtime}
    assert payload["version"] == aws_runtime(runtime).version
    assert payload["env"] == f"AWS_Lambda_{runtime}"


@pytest.mark.parametrize("runtime", _runtime_params())
def test_the_runtimes_own_sdk_reaches_s3(aws_client, runtime_function, runtime):
    """Each managed runtime ships its AWS SDK: boto3, or the SDK for JavaScript v3 (not in the package)."""
    bucket = f"rt-sdk-{uuid.uuid4().hex[:8]}"
    aws_client.s3.create_bucket(Bucket=bucket)
    try:
        response, payload, _ = invoke(aws_client, runtime_function(runtime), {"action": "s3"})
        assert "FunctionError" not in response, payload
        assert bucket in payload
    finally:
        aws_client.s3.delete_bucket(Bucket=bucket)


@pytest.mark.parametrize("runtime", _runtime_params())
def test_handler_error_is_unhandled_with_its_type(aws_client, runtime_function, runtime):
    response, payload, logs = invoke(aws_client, runtime_function(runtime), {"action": "error"})
    assert response["FunctionError"] == "Unhandled"
    expected_type = "ValueError" if runtime.startswith("python") else "TypeError"
    assert (payload["errorType"], payload["errorMessage"]) == (expected_type, "asked to fail")


@pytest.mark.slow
@pytest.mark.parametrize("runtime", _runtime_params())
def test_timeout_ends_the_call_and_the_next_one_runs(aws_client, runtime_function, runtime):
    name = runtime_function(runtime, timeout=SHORT_TIMEOUT_SECONDS)
    response, payload, _ = invoke(aws_client, name, {"action": "sleep", "seconds": SHORT_TIMEOUT_SECONDS + 3})
    assert payload["errorType"] == "Sandbox.Timedout"
    assert f"Task timed out after {SHORT_TIMEOUT_SECONDS:.2f} seconds" in payload["errorMessage"]
    response, payload, _ = invoke(aws_client, name, {"after": "timeout"})
    assert "FunctionError" not in response and payload["echo"] == {"after": "timeout"}


@pytest.mark.parametrize("runtime", [p for p in _runtime_params() if aws_runtime(p.values[0]).deprecated_on(date.today())])
def test_deprecated_runtime_runs_and_its_log_says_since_when_aws_refuses_it(aws_client, runtime_function, runtime):
    name = runtime_function(runtime)
    assert "FunctionError" not in invoke(aws_client, name)[0]
    row = aws_runtime(runtime)
    expected = f"has refused to create functions on it since {row.block_create.isoformat()}"
    logs = lambda: function_logs(aws_client.logs, name)  # noqa: E731
    wait_until(lambda: expected in logs(), timeout=10, what=f"the deprecation notice of {runtime}", evidence=logs)


@pytest.mark.parametrize("runtime", _runtime_params("nodejs"))
def test_node_esm_handler_imports_the_runtime_sdk(aws_client, runtime_function, runtime):
    name = runtime_function(runtime, "esm.handler", NODE_ESM_AND_CALLBACK)
    response, payload, _ = invoke(aws_client, name)
    assert "FunctionError" not in response, payload
    assert payload == {"esm": True, "sdk": ["function", "function", "function", "function"]}


@pytest.mark.parametrize("runtime", _runtime_params("nodejs"))
def test_node_js_file_of_a_module_package_is_an_es_module(aws_client, runtime_function, runtime):
    files = {"package.json": '{"type": "module"}',
             "index.js": "import { S3Client } from '@aws-sdk/client-s3';\nexport const handler = async () => typeof S3Client;\n"}
    response, payload, _ = invoke(aws_client, runtime_function(runtime, "index.handler", files))
    assert "FunctionError" not in response, payload
    assert payload == "function"


@pytest.mark.parametrize("runtime", _runtime_params("nodejs"))
def test_node_callback_handler_in_a_cjs_file(aws_client, runtime_function, runtime):
    name = runtime_function(runtime, "callback.handler", NODE_ESM_AND_CALLBACK)
    response, payload, _ = invoke(aws_client, name)
    assert "FunctionError" not in response, payload
    assert payload["callback"] is True and payload["requestId"] == response["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize("runtime", _runtime_params("nodejs"))
def test_node_runtime_provides_the_sdk_clients_the_readme_lists(aws_client, runtime_function, runtime):
    # loading eight SDK v3 clients cold takes a CPU-second or more on a busy 2-core machine: within the module's 15 s
    name = runtime_function(runtime, "index.handler", {"index.js": NODE_REQUIRE_ALL})
    response, payload, _ = invoke(aws_client, name)
    assert "FunctionError" not in response, payload
    assert payload == ["object"] * len(NODE_SDK_PACKAGES)


def test_node_18_and_node_22_functions_run_side_by_side_in_one_engine(aws_client, runtime_function):
    """The CDK stack's nodejs18.x and a nodejs22.x function, called at the same time, each on its own Node major."""
    for runtime in ("nodejs18.x", "nodejs22.x"):
        if reason := _cannot_serve(runtime):
            pytest.skip(reason)
    names = {runtime: runtime_function(runtime) for runtime in ("nodejs18.x", "nodejs22.x")}
    with ThreadPoolExecutor(4) as pool:
        calls = {(runtime, i): pool.submit(invoke, aws_client, name, {"n": i}) for runtime, name in names.items() for i in range(2)}
    versions = {key: future.result()[1]["version"] for key, future in calls.items()}
    assert versions == {("nodejs18.x", 0): "18", ("nodejs18.x", 1): "18", ("nodejs22.x", 0): "22", ("nodejs22.x", 1): "22"}


def _runtime_pids(engine_pid: int, function_name: str) -> list[int]:
    """The processes of this engine serving a function: its descendants whose environment names it
    (AWS_LAMBDA_FUNCTION_NAME). Another engine on the host (another worker, another run, a test's own) may serve a
    function of the same name: its runtimes are not this test's to kill."""
    marker = f"AWS_LAMBDA_FUNCTION_NAME={function_name}\0".encode()
    pids = []
    for pid in sorted(descendants(engine_pid)):
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes():
                pids.append(pid)
        except OSError:
            continue
    return pids


def _kill_and_reap(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    alive = lambda: [pid for pid in pids if Path(f"/proc/{pid}").exists()]  # noqa: E731
    wait_until(lambda: not alive(), timeout=10, what="the killed runtimes to be reaped", evidence=alive)


def test_killing_the_idle_authorizer_and_upload_runtimes_does_not_wedge_the_api(avatar_api, cognito_user_pool, localstack_engine):
    """Issue 9, found with hostile tests: kill -9 the authorizer's idle runtime, and every later call timed out (the API
    answered 500 after 10 s) forever. Now the dead runtime is noticed and replaced: the next calls are answered."""
    token = cognito_user_pool.access_token()
    assert key_upload(avatar_api.api_url, token).status == 200  # warm: both functions have an idle runtime
    engine_pid = getattr(localstack_engine, "pid", None)
    if engine_pid is None:
        pytest.skip("the engine's processes are not on this host (an engine the run did not start)")
    victims = [pid for name in (avatar_api.spec.authorizer_function, avatar_api.spec.upload_function)
               for pid in _runtime_pids(engine_pid, name)]
    assert victims, "no runtime process found for the authorizer or the upload function"
    _kill_and_reap(victims)
    for _ in range(2):
        answer = key_upload(avatar_api.api_url, token)
        assert answer.status == 200, answer.body[:300]

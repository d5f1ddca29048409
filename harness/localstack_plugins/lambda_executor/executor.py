"""A LocalStack Lambda runtime executor that runs functions as host processes, without Docker.

LocalStack's own Lambda service (create_function, invoke, event source mappings, S3 notifications,
async retries, CloudWatch Logs) stays in charge; this class replaces only the container: each
execution environment is one runtime process (awslambdaric for python, our bootstrap for node)
talking to a loopback Runtime API. behaviour.md "Lambda runtime" is the rule set followed here.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor

from harness.lambda_runtime.aws_runtimes import deprecation_notice
from harness.localstack_plugins.lambda_executor.invocation_log import Report, invocation_log
from harness.localstack_plugins.lambda_executor.process import RuntimeProcess
from harness.localstack_plugins.lambda_executor.runtime_api import PendingInvocation, RuntimeApi, RuntimeOutcome
from harness.localstack_plugins.aws_tls_front import redirect_aws_hostnames
from harness.lambda_runtime.runtimes import RuntimeCommand, RuntimeUnavailable, resolve_runtime_command

LOG = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
_HOST_PATH = "/usr/local/bin:/usr/bin:/bin"
_MEMORY_CHECK_SECONDS = 0.1
# AWS: "The Init phase is limited to 10 seconds" (Lambda execution environment lifecycle, on-demand functions).
INIT_PHASE_LIMIT_SECONDS = 10.0
# Go's os.ProcessState wording, which AWS's runtime errors use ("Runtime exited with error: signal: killed").
_SIGNAL_WORDS = {"SIGKILL": "killed", "SIGSEGV": "segmentation fault", "SIGABRT": "aborted", "SIGTERM": "terminated"}


class HostRuntimeExecutor(RuntimeExecutor):
    """One Lambda execution environment = one runtime process + its Runtime API."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002 - LocalStack's signature
        super().__init__(id=id, function_version=function_version)
        self._api = RuntimeApi(on_next=self._runtime_asked_for_work)
        self._process: RuntimeProcess | None = None
        self._command: RuntimeCommand | None = None
        self._unavailable: RuntimeUnavailable | None = None
        self._env: dict[str, str] = {}
        self._sandbox = Path(tempfile.mkdtemp(prefix=f"lambda-{id[:8]}-"))
        self._spawned_at = 0.0
        self._init_ended_at: float | None = None
        self._init_duration_ms: float | None = None
        self._init_output = ""
        self._init_lock = threading.Lock()  # the runtime API's thread ends the Init phase; the invoking one spawns
        self._cold = True

    # -- LocalStack's RuntimeExecutor interface -------------------------------------------------
    def start(self, env_vars: dict[str, str]) -> None:
        self._api.start()
        fn = self.function_version.config
        task_root = Path(fn.code.get_unzipped_code_location())
        layer_roots = [Path(layer.code.get_unzipped_code_location()) for layer in fn.layers]
        try:
            self._command = resolve_runtime_command(
                fn.runtime, fn.handler, fn.architectures[0], fn.memory_size, layer_roots, task_root
            )
        except RuntimeUnavailable as error:
            LOG.warning("Lambda %s cannot start: %s", self.function_version.qualified_arn, error)
            self._unavailable = error
            return
        self._env = self._runtime_environment(env_vars, task_root)
        self._spawn()

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
        self._api.stop()
        shutil.rmtree(self._sandbox, ignore_errors=True)

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        return LOOPBACK

    def get_runtime_endpoint(self) -> str:
        return f"http://{self._api.address}"

    def get_logs(self) -> str:
        return self._process.output.tail() if self._process else ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        code = function_version.config.code
        if code:
            code.prepare_for_execution()
        for layer in function_version.config.layers:
            layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing beyond LocalStack's own unzipped code to remove."""

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        if self._unavailable is not None:
            return self._unavailable_result(request_id)
        if self._process is None or not self._process.alive():
            self._spawn()  # AWS re-initialises a sandbox after a crash or a timeout
        return self._invoke_in_process(request_id, payload)

    # -- internals --------------------------------------------------------------------------------
    def _runtime_environment(self, env_vars: dict[str, str], task_root: Path) -> dict[str, str]:
        fn = self.function_version.config
        env = {key: str(value) for key, value in env_vars.items() if value is not None}
        env.update(
            AWS_LAMBDA_RUNTIME_API=self._api.address,
            AWS_EXECUTION_ENV=f"AWS_Lambda_{fn.runtime}",
            LAMBDA_TASK_ROOT=str(task_root),
            LAMBDA_RUNTIME_DIR=str(self._sandbox),
            PATH=_HOST_PATH,
            LANG="en_US.UTF-8",
            HOME=str(self._sandbox),
            TMPDIR=str(self._sandbox),
        )
        env.update(self._command.env)
        return redirect_aws_hostnames(env, fn.environment or {})  # README "AWS hostnames inside Lambda"

    def _spawn(self) -> None:
        assert self._command is not None
        self._api.reset_init_error()
        self._init_ended_at = None
        self._init_duration_ms = None
        notice = deprecation_notice(self.function_version.config.runtime)
        self._init_output = f"{notice}\n" if notice else ""  # a deprecated runtime still runs; say since when AWS refuses it
        self._cold = True
        with self._init_lock:
            self._process = None  # until the new one is made: its output is not the old one's
        self._spawned_at = time.perf_counter()
        process = RuntimeProcess(self._command.argv, self._env, cwd=Path(self._env["LAMBDA_TASK_ROOT"]))
        with self._init_lock:
            self._process = process
            if self._init_ended_at is not None:  # it asked for work before it was known here (a loaded host)
                self._init_output += process.output.take()

    def _runtime_asked_for_work(self) -> None:
        """The runtime's first `/next` ends its Init phase, also when it comes before `_spawn` has its process (seen
        with two suites at once: a cold start then reported no Init Duration and a Duration of 0 ms)."""
        with self._init_lock:
            if self._init_ended_at is None:
                self._init_ended_at = time.perf_counter()
                self._init_duration_ms = (self._init_ended_at - self._spawned_at) * 1000
                if self._process is not None:
                    self._init_output += self._process.output.take()

    def _invoke_in_process(self, request_id: str, payload: dict[str, str]) -> InvocationResult:
        fn = self.function_version.config
        process = self._process
        started = time.perf_counter()
        future = self._api.submit(
            PendingInvocation(
                request_id=request_id,
                payload=payload["payload"].encode(),
                invoked_function_arn=payload["invoked-function-arn"],
                timeout_ms=fn.timeout * 1000,
                trace_id=payload.get("trace-id", ""),
            )
        )
        done, over_memory = self._wait_for_outcome(future, process, lambda: self._invoke_deadline(started, fn.timeout))
        while self._died_idle(process, done, request_id):
            # A runtime that dies between invocations (a crash, kill -9, the OOM killer) is replaced, and the
            # event it never took goes to its successor, as AWS starts a new execution environment.
            self._spawn()
            process = self._process
            done, over_memory = self._wait_for_outcome(future, process, lambda: self._invoke_deadline(started, fn.timeout))
        duration_ms = max(0.0, time.perf_counter() - self._invoke_started(started)) * 1000
        try:
            if future in done:
                outcome: RuntimeOutcome = future.result()
                if outcome.init_error:
                    process.exited.result(timeout=5)  # the runtime exits after reporting; collect its last words
                    return self._result(request_id, outcome.payload, True, process, duration_ms,
                                        init_error_type=_error_type(outcome))
                return self._result(request_id, outcome.payload, outcome.is_error, process, duration_ms)
            if over_memory:
                message = f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                body = {"errorType": "Runtime.OutOfMemory", "errorMessage": message}
                return self._result(request_id, json.dumps(body).encode(), True, process, duration_ms, message)
            if process.exited in done:
                message = f"RequestId: {request_id} Error: Runtime exited with error: {_exit_reason(process.exited.result())}"
                body = {"errorType": "Runtime.ExitError", "errorMessage": message}
                init_failed = "Runtime.ExitError" if self._init_ended_at is None else ""  # it died in its Init phase
                return self._result(request_id, json.dumps(body).encode(), True, process, duration_ms,
                                    f"{message}\nRuntime.ExitError", init_failed)  # AWS's two lines
            process.kill()
            message = f"{_now()} {request_id} Task timed out after {fn.timeout:.2f} seconds"
            body = {"errorType": "Sandbox.Timedout", "errorMessage": f"RequestId: {request_id} Error: Task timed out after {fn.timeout:.2f} seconds"}
            return self._result(request_id, json.dumps(body).encode(), True, process, duration_ms, message)
        finally:
            self._api.forget(request_id)

    def _died_idle(self, process: RuntimeProcess, done: set, request_id: str) -> bool:
        """The runtime exited after its Init, without having taken this invocation from `/next`."""
        return process.exited in done and self._init_ended_at is not None and not self._api.handed_out(request_id)

    def _invoke_started(self, submitted: float) -> float:
        """When the Invoke phase began: at submission, or when a cold start's Init phase ended (up to its 10 s limit)."""
        init_ended = self._init_ended_at if self._init_ended_at is not None else time.perf_counter()
        return submitted + min(max(0.0, init_ended - submitted), INIT_PHASE_LIMIT_SECONDS)

    def _invoke_deadline(self, submitted: float, timeout: float) -> float:
        """AWS's execution environment lifecycle: the Init phase has a 10 s limit of its own and the function timeout
        counts from the end of Init; an Init that runs longer continues within the function timeout."""
        return self._invoke_started(submitted) + timeout

    def _wait_for_outcome(self, future, process: RuntimeProcess, deadline: Callable[[], float]) -> tuple[set, bool]:
        """Wait for the response, the process's exit or the deadline. A process whose peak memory
        (VmHWM, so spikes between checks count) passes the function's MemorySize is killed, as AWS's
        cgroup limit would have: checked every 100 ms and once more when the response arrives. An exit is seen at
        the next check too (waiting on the response alone costs a third of what waiting on it and the exit did)."""
        limit_mb = self.function_version.config.memory_size
        while True:
            remaining = deadline() - time.perf_counter()
            try:
                future.result(timeout=max(0.0, min(_MEMORY_CHECK_SECONDS, remaining)))
            except TimeoutError:
                pass
            if process.peak_rss_mb() > limit_mb:
                process.kill()
                return {process.exited}, True
            if future.done():
                return {future}, False
            if process.exited.done():
                return {process.exited}, False
            if remaining <= 0:
                return set(), False

    def _result(
        self, request_id: str, body: bytes, is_error: bool, process: RuntimeProcess, duration_ms: float, extra_log: str = "",
        init_error_type: str = "",
    ) -> InvocationResult:
        fn = self.function_version.config
        cold_start = self._cold and self._init_duration_ms is not None
        output = process.output.take()
        if extra_log:
            output += extra_log + "\n"
        before_start = self._init_output
        if init_error_type:  # the runtime's own words belong to the failed Init phase, before START
            before_start, output = before_start + output, ""
        report = Report(
            duration_ms=duration_ms, memory_size_mb=fn.memory_size, max_memory_used_mb=process.measured_peak_mb,
            init_duration_ms=self._failed_init_ms() if init_error_type else (self._init_duration_ms if cold_start else None),
            init_error_type=init_error_type,
        )
        logs = invocation_log(request_id, self.function_version.id.qualifier, before_start, output, report)
        self._init_output = ""
        self._cold = False  # Init Duration is reported once, on the cold start
        return InvocationResult(request_id=request_id, payload=body, is_error=is_error, logs=logs)

    def _failed_init_ms(self) -> float:
        return (time.perf_counter() - self._spawned_at) * 1000

    def _unavailable_result(self, request_id: str) -> InvocationResult:
        """A runtime that cannot start fails its Init phase, logged as AWS logs an init error."""
        error = self._unavailable
        body = json.dumps({"errorType": "Runtime.Unavailable", "errorMessage": str(error)}).encode()
        report = Report(duration_ms=0.0, memory_size_mb=self.function_version.config.memory_size, max_memory_used_mb=0,
                        init_duration_ms=0.0, init_error_type="Runtime.Unavailable")
        logs = invocation_log(request_id, self.function_version.id.qualifier, f"[ERROR] Runtime.Unavailable: {error}\n", "", report)
        return InvocationResult(request_id=request_id, payload=body, is_error=True, logs=logs)


def _error_type(outcome: RuntimeOutcome) -> str:
    """The errorType of an /init/error body (its header may say only Unhandled)."""
    try:
        return str(json.loads(outcome.payload).get("errorType") or outcome.error_type or "Runtime.Unknown")
    except (ValueError, AttributeError):
        return outcome.error_type or "Runtime.Unknown"


def _exit_reason(code: int) -> str:
    """How AWS words a runtime's exit: `exit status 3`, or `signal: killed` for a process killed by SIGKILL."""
    if code >= 0:
        return f"exit status {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return f"signal: {-code}"
    return "signal: " + _SIGNAL_WORDS.get(name, name.removeprefix("SIG").lower())


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


"""An execution environment's Init phase (harness/localstack_plugins/lambda_executor/executor.py): it ends at the
runtime's first `/next`, whenever that comes, and its output goes before START (behaviour.md "Lambda runtime": a cold
start's REPORT has its Init Duration)."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from harness.lambda_runtime.runtimes import RuntimeCommand
from harness.localstack_plugins.lambda_executor import executor as executor_module
from harness.localstack_plugins.lambda_executor.executor import HostRuntimeExecutor


class Output:
    def __init__(self, text: str) -> None:
        self.text = text

    def take(self) -> str:
        text, self.text = self.text, ""
        return text


@pytest.fixture
def environment(tmp_path: Path) -> HostRuntimeExecutor:
    version = types.SimpleNamespace(config=types.SimpleNamespace(runtime="python3.12"))
    environment = HostRuntimeExecutor(id="init-phase-test", function_version=version)
    environment._command = RuntimeCommand(argv=["unused"])
    environment._env = {"LAMBDA_TASK_ROOT": str(tmp_path)}
    return environment


@pytest.mark.parametrize("asks_before_its_process_is_known", [False, True], ids=["after", "before"])
def test_the_init_phase_ends_at_the_first_next_also_one_that_comes_before_the_spawn_has_its_process(
        environment, monkeypatch, asks_before_its_process_is_known):
    """On a loaded host (two suites at once) a runtime finished its Init and asked for work before `_spawn` had
    made its process object: that cold start then had no Init Duration and a Duration of 0 ms."""

    class Runtime:
        def __init__(self, argv, env, cwd) -> None:
            self.output = Output("init output\n")
            if asks_before_its_process_is_known:
                environment._runtime_asked_for_work()

    monkeypatch.setattr(executor_module, "RuntimeProcess", Runtime)
    environment._spawn()
    if not asks_before_its_process_is_known:
        environment._runtime_asked_for_work()
    ended = environment._init_ended_at  # what the invocation's REPORT reads, before the runtime asks again
    assert isinstance(environment._process, Runtime)
    assert (ended is not None, environment._init_duration_ms is not None) == (True, True)
    assert environment._init_output == "init output\n"
    environment._runtime_asked_for_work()  # a later /next (the invocation is over) ends no Init phase
    assert environment._init_ended_at == ended

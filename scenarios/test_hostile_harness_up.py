"""Hostile tests of `harness up` itself (issue 12): LocalStack killed under it, a stale stack.json on a restart.

`stack.json` must only ever describe a live, ready stack; when the engine dies, `harness up` says so (how it ended,
the log tail) and exits non-zero, leaving nothing running and no stack.json.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.library.targets.engine_process import descendants, living
from harness.library.targets.localstack_host import ENGINE_MAIN_MODULE

pytestmark = pytest.mark.emulator_only("runs `harness up`, which boots LocalStack on this host")
READY_TIMEOUT_SECONDS = 180


def localstack_pid(up: subprocess.Popen) -> int:
    for pid in descendants(up.pid):
        try:
            if ENGINE_MAIN_MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    pytest.fail(f"no LocalStack process under harness up (pid {up.pid})")


def read_until_ready(stack_file: Path, up: subprocess.Popen) -> list[dict]:
    """Every distinct stack.json a reader could see, until one describes the provisioned stack."""
    seen: list[dict] = []
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            facts = json.loads(stack_file.read_text())
        except (OSError, ValueError):
            facts = None
        if facts is not None and facts not in seen:
            seen.append(facts)
        if facts is not None and "api_url" in facts:
            return seen
        if up.poll() is not None:
            pytest.fail(f"harness up exited with {up.returncode} before the stack was ready:\n{up.stdout.read()}")
        time.sleep(0.05)
    up.kill()
    pytest.fail(f"no ready stack.json within {READY_TIMEOUT_SECONDS}s; saw {seen}:\n{up.stdout.read()}")


def test_a_killed_engine_ends_harness_up_with_the_reason_and_no_stale_stack_json(tmp_path):
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(json.dumps({"endpoint_url": "http://127.0.0.1:1", "left_by": "the previous run"}))
    up = subprocess.Popen([sys.executable, "-m", "harness.cli.main", "up", "--state-dir", str(tmp_path)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first_line = up.stdout.readline()  # harness up has started: from here on a reader must never see the old file
        assert first_line.startswith("LocalStack (host mode"), first_line
        seen = read_until_ready(stack_file, up)
        assert not [facts for facts in seen if "left_by" in facts], "the previous run's stack.json was visible on the restart"
        children = descendants(up.pid)
        os.kill(localstack_pid(up), signal.SIGKILL)
        output, _ = up.communicate(timeout=60)  # was: kept running, silent, until SIGTERM, then exit 0
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGTERM)
            up.communicate(timeout=60)
    assert up.returncode == 1, output
    assert "LocalStack exited (killed by SIGKILL) while the stack was in use" in output
    assert "last lines of" in output and "localstack.log" in output
    assert not stack_file.exists()  # was: still pointing at the dead endpoint
    assert living(children) == []  # the Lambda runtimes the dead engine left are ended too

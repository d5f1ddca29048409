"""`harness up` once its stack is ready: keeps the engine until Ctrl-C or SIGTERM, or until the engine dies, then
withdraws stack.json, stops the engine with everything it started, and removes a state dir of its own making.

`harness up` provisions the stack in a process that has boto3 and the harness's AWS library loaded (~80 MB); once it
has written stack.json it becomes this program (exec, same pid, the engine still its child), which imports only the
standard library and `engine_process`: the idle stack is the engine and ~12 MB (issue 13). SIGINT and SIGTERM stay
blocked across the exec, so one sent meanwhile is acted on here, not lost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from harness.library.progress import step
from harness.library.targets.engine_process import died_error, signal_group, terminate, wait_for_stop_or_exit
from harness.shared.errors import HarnessError

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def arguments(engine_pid: int, stack_file: Path, log_path: Path, endpoint_url: str, own_state_dir: Path | None) -> list[str]:
    """The argv `harness up` execs into."""
    argv = [sys.executable, "-m", __name__, "--engine-pid", str(engine_pid), "--stack-file", str(stack_file),
            "--log", str(log_path), "--endpoint-url", endpoint_url]
    return argv + (["--remove-state-dir", str(own_state_dir)] if own_state_dir else [])


def _exit_status(pid: int) -> int | None:
    """The engine's returncode once it has exited (negative: killed by that signal), else None."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # reaped already
        return 0
    return os.waitstatus_to_exitcode(status) if done else None


def _exited_within(pid: int) -> Callable[[float], bool]:
    def exited_within(seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while _exit_status(pid) is None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True
    return exited_within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="harness up", description=__doc__)
    parser.add_argument("--engine-pid", type=int, required=True)
    parser.add_argument("--stack-file", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--remove-state-dir", type=Path)
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: stop.set())
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by `harness up` across the exec
    try:
        try:
            died = wait_for_stop_or_exit(lambda: _exit_status(args.engine_pid), stop)
        finally:
            args.stack_file.unlink(missing_ok=True)  # first: a reader never sees a stack.json of a stack going away
        if died is not None:
            signal_group(args.engine_pid, signal.SIGKILL)  # it died: end what it left behind (Lambda runtimes)
            raise died_error(died, args.endpoint_url, args.log)
        print("shutting down", flush=True)
        step("stopping LocalStack", lambda: terminate(args.engine_pid, _exited_within(args.engine_pid)))
    except HarnessError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    finally:
        if args.remove_state_dir:
            shutil.rmtree(args.remove_state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

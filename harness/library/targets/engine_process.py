"""The engine's process tree on this host: how it ended, its log's last lines, and stopping it with everything it
started. Only the standard library and the harness's errors and waits: `harness up`'s watcher
(`harness.cli.up_watch`) runs on this module alone, without boto3."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from harness.library.waiting import wait_until
from harness.shared.errors import EngineDiedError

# LocalStack's graceful stop takes ~0.1 s (harness.localstack_plugins.engine_main); the state is disposable and
# terminate() sweeps up every descendant, so a short grace then SIGKILL loses nothing.
STOP_GRACE_SECONDS = 1.5
_KILLED_EXIT_SECONDS = 10.0
_KILLED_GONE_SECONDS = 10.0
LOG_TAIL_LINES = 40


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def descendants(pid: int) -> set[int]:
    children, found, stack = _children_map(), set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def living(pids: set[int]) -> list[int]:
    """The pids that still run (zombies, already dead but not yet reaped, do not count)."""
    alive = []
    for pid in sorted(pids):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def terminate(pid: int, exited_within: Callable[[float], bool]) -> None:
    """SIGTERM the engine's process group, SIGKILL it after STOP_GRACE_SECONDS, then every process it started (found
    before and after); returns once all have ended. `exited_within(seconds)` waits for the engine itself to exit."""
    leftovers = descendants(pid)
    signal_group(pid, signal.SIGTERM)
    if not exited_within(STOP_GRACE_SECONDS):
        signal_group(pid, signal.SIGKILL)
        exited_within(_KILLED_EXIT_SECONDS)
    leftovers |= descendants(pid)
    for each in leftovers:
        _kill(each)
    # SIGKILL is delivered asynchronously: return only once every one of them has really ended.
    wait_until(lambda: not living(leftovers), timeout=_KILLED_GONE_SECONDS, interval=0.01,
               what="killed LocalStack processes to end", evidence=lambda: f"still running: {living(leftovers)}")


def wait_for_stop_or_exit(exit_status: Callable[[], int | None], stop: threading.Event, interval: float = 0.25) -> int | None:
    """Until `stop` is set (None) or the engine has exited: its returncode, as `exit_status()` answers it."""
    while True:
        status = exit_status()
        if status is not None:
            return status
        if stop.wait(interval):
            return None


def log_tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log written)"


def died_error(status: int, endpoint_url: str, log_path: Path) -> EngineDiedError:
    """LocalStack exited with `status` (a returncode: negative for a signal) while the stack was in use."""
    how = f"killed by {signal.Signals(-status).name}" if status < 0 else f"exit status {status}"
    return EngineDiedError(
        f"LocalStack exited ({how}) while the stack was in use; nothing answers {endpoint_url} any more",
        evidence=f"last lines of {log_path}:\n{log_tail(log_path)}",
        hint="see the log above (out of memory? killed by someone?); then start the stack again",
    )

"""The engine stops when the process that started it is gone (inside LocalStack).

The engine runs in a session of its own (so that a Ctrl-C meant for pytest or `harness up` does not reach it half-way);
its owner stops it. An owner that is killed outright (SIGKILL, the OOM killer, a CI job's timeout) cannot: the engine
ran on with its port, its Lambda runtimes and its CPU until someone found it. `LocalStackEngine` names its own pid in
ENGINE_OWNER_PID_VARIABLE (harness.shared.emulator_api); here a daemon thread waits for that process to end (a pidfd;
on a kernel without pidfds, Linux < 5.3, the engine is not watched) and then stops the engine as its owner would have:
SIGTERM to its process group, which LocalStack answers with its shutdown (its runtimes with it), and SIGKILL if that
has not ended it within 10 s. A state dir the owner made for the engine stays (only the owner knew it was its own).
"""

from __future__ import annotations

import logging
import os
import select
import signal
import threading
import time

from harness.shared.emulator_api import ENGINE_OWNER_PID_VARIABLE

LOG = logging.getLogger(__name__)
_SHUTDOWN_GRACE_SECONDS = 10.0  # as the owner would (engine_process.STOP_GRACE_SECONDS, then SIGKILL), more patiently


def _stop_when_gone(owner: int) -> None:
    if os.getppid() == owner:  # else the owner is gone already (this process was handed to init)
        try:
            descriptor = os.pidfd_open(owner)
        except ProcessLookupError:
            pass
        except OSError as error:  # a kernel without pidfds (Linux < 5.3): the owner stops the engine, as before
            LOG.warning("the process that started this engine (pid %d) cannot be watched: %s", owner, error)
            return
        else:
            try:
                select.select([descriptor], [], [])  # readable once the owner has ended
            finally:
                os.close(descriptor)
    LOG.warning("the process that started this engine (pid %d) has ended without stopping it: stopping", owner)
    os.killpg(os.getpgid(0), signal.SIGTERM)
    time.sleep(_SHUTDOWN_GRACE_SECONDS)  # LocalStack's shutdown ends this process well before
    LOG.error("LocalStack did not shut down within %g s of SIGTERM: killed", _SHUTDOWN_GRACE_SECONDS)
    os.killpg(os.getpgid(0), signal.SIGKILL)


def watch_owner() -> None:
    """If the environment names an owner, stop this engine once that process has ended."""
    owner = os.environ.get(ENGINE_OWNER_PID_VARIABLE, "")
    if owner.isdigit():
        threading.Thread(target=_stop_when_gone, args=(int(owner),), name="harness-owner-watch", daemon=True).start()

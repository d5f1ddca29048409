"""A daemon thread started by the first call that needs it, once, whichever thread calls (inside LocalStack).

The engine's writer and scheduler threads (Lambda metrics, stage access logs, execution environment timers) start
when they first have work, not at boot, so that an engine which never uses them never runs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class LazyDaemonThread:
    def __init__(self, target: Callable[[], None], name: str) -> None:
        self._target, self._name = target, name
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is not None:  # once it runs, no lock on the way
            return
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._target, name=self._name, daemon=True)
                thread.start()
                self._thread = thread

"""One runtime process on the host: spawn, capture its output per invocation, measure, kill."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
from concurrent.futures import Future
from pathlib import Path

_LOG_TAIL_BYTES = 64 * 1024


class OutputCapture:
    """Collects a process's merged stdout/stderr; `take()` returns all it wrote so far.

    Reads are non-blocking and done under one lock, so `take()` can drain the pipe itself:
    whatever the runtime wrote before it posted a response is in the pipe by then, and is returned.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        os.set_blocking(fd, False)
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._tail = bytearray()
        self._eof = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="lambda-runtime-output", daemon=True)
        self._thread.start()

    def _drain_locked(self) -> None:
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._eof.set()
                return
            self._pending += chunk
            self._tail = (self._tail + chunk)[-_LOG_TAIL_BYTES:]

    def _pump(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            while not self._eof.is_set():
                selector.select(timeout=1.0)
                with self._lock:
                    self._drain_locked()
        os.close(self._fd)

    def take(self) -> str:
        with self._lock:
            if not self._eof.is_set():
                self._drain_locked()
            text = self._pending.decode(errors="replace")
            self._pending.clear()
        return text

    def wait_eof(self, timeout: float) -> None:
        self._eof.wait(timeout)

    def tail(self) -> str:
        with self._lock:
            return self._tail.decode(errors="replace")


class _ProcStatus:
    """/proc/<pid>/status of one process, opened once and re-read in place (once per invocation, and each 100 ms of a
    longer one; opening the file by path each time was ~6 % of the engine's CPU per authorized API call, issue 13).
    Closed once the process is reaped, under the lock, so that no read ever sees another file behind a reused
    descriptor."""

    def __init__(self, pid: int) -> None:
        self._lock = threading.Lock()
        try:
            self._fd: int | None = os.open(f"/proc/{pid}/status", os.O_RDONLY)
        except OSError:
            self._fd = None

    def kib(self, field: bytes) -> int:
        """The value of a `Field:   <n> kB` line; 0 once the process is gone."""
        with self._lock:
            if self._fd is None:
                return 0
            try:
                status = os.pread(self._fd, 8192, 0)
            except OSError:
                return 0
        start = status.find(field)
        return int(status[start + len(field):status.index(b"kB", start)]) if start >= 0 else 0

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class RuntimeProcess:
    """A runtime process in its own session, so that stop() also ends anything it started."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self._popen = subprocess.Popen(
                argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd,
                start_new_session=True, close_fds=True,
            )
        except OSError:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self.output = OutputCapture(read_fd)
        self._peak_mb = 0
        self._status = _ProcStatus(self._popen.pid)
        self.exited: Future = Future()
        threading.Thread(target=self._watch, name="lambda-runtime-exit", daemon=True).start()

    def _watch(self) -> None:
        code = self._popen.wait()
        self._status.close()
        self.output.wait_eof(timeout=1.0)
        self.exited.set_result(code)

    @property
    def pid(self) -> int:
        return self._popen.pid

    def alive(self) -> bool:
        return not self.exited.done()

    def peak_rss_mb(self) -> int:
        """VmHWM of the runtime process, remembered after it exits: the REPORT line's "Max Memory Used"."""
        self._peak_mb = max(self._peak_mb, self._status.kib(b"VmHWM:") // 1024)
        return self._peak_mb

    @property
    def measured_peak_mb(self) -> int:
        """The peak as `peak_rss_mb` last measured it (the executor measures it once the response is in)."""
        return self._peak_mb

    def kill(self, timeout: float = 5.0) -> None:
        """SIGKILL the whole process group (a Lambda sandbox is frozen and discarded, not asked to stop)."""
        try:
            os.killpg(self._popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.exited.result(timeout=timeout)
        except TimeoutError as error:
            raise RuntimeError(f"runtime process {self.pid} did not exit {timeout}s after SIGKILL") from error

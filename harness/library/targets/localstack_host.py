"""`LocalStackEngine`: LocalStack running on the host as a subprocess, loopback only, no Docker.

One object per running LocalStack: `start() -> self`, `stop()`, context manager. It binds 127.0.0.1
on a free (or given) port, keeps all state in a fresh directory, turns off what would reach outside
(DNS server, analytics, certificate downloads) and selects our Docker-free Lambda executor.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from harness.library.aws import DEFAULT_REGION, TEST_CREDENTIALS
from harness.shared.emulator_api import ENGINE_OWNER_PID_VARIABLE, ENGINE_PORT_IN_USE_STATUS, LOCALSTACK_HOSTNAME
from harness.shared.errors import EngineStartError, HarnessError, PortInUseError
from harness.library.targets.engine_process import (
    LOG_TAIL_LINES, descendants, died_error, log_tail, signal_group, terminate, wait_for_stop_or_exit,
)
from harness.library.targets.localstack_catalog import place_catalog
from harness.library.targets.localstack_certificate import place_certificate
from harness.library.targets.loopback_listeners import listening_sockets, sockets_of
from harness.library.targets.target import LocalStackTarget

LOOPBACK = "127.0.0.1"
FREE_PORT_ATTEMPTS = 3  # free ports tried while other processes take the one handed out (two suites at once)
ENGINE_MAIN_MODULE = "harness.localstack_plugins.engine_main"  # LocalStack's own main, its OpenAPI validation loaded when used


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def ensure_port_free(port: int) -> None:
    if not 1 <= port <= 65535:  # bind() would raise OverflowError
        raise HarnessError(f"{port} is not a port number", hint="give a port in 1-65535, or omit it to get a free one")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise PortInUseError(
                f"port {port} on {LOOPBACK} is already in use",
                evidence=f"bind({LOOPBACK}:{port}) -> {error.strerror}",
                hint=port_in_use_hint(port),
            ) from error


def port_in_use_hint(port: int) -> str:
    return f"stop whatever listens there (`ss -ltnp | grep :{port}`), or omit the port to get a free one"


class LocalStackEngine(LocalStackTarget):
    """LocalStack on 127.0.0.1:<port> with its state under `state_dir`; nothing else lives in it, so names need no prefix."""

    starting = "booting LocalStack (host mode) on 127.0.0.1"
    stopping = "stopping LocalStack"

    def __init__(
        self,
        state_dir: Path | str | None = None,
        port: int | None = None,
        region: str = DEFAULT_REGION,
        startup_timeout: float = 60.0,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self._owns_state_dir = state_dir is None
        self.state_dir = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="harness-localstack-"))
        self._requested_port = port
        self.port = port or 0
        self.region = region
        self.startup_timeout = startup_timeout
        self.extra_env = dict(extra_env or {})
        self.boot_seconds: float | None = None
        self._process: subprocess.Popen | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self, while_booting: Callable[[], object] | None = None) -> "LocalStackEngine":
        """Boot LocalStack and wait until it is ready; `while_booting()` runs in this process meanwhile (once)."""
        if self._process is not None and self._process.poll() is None:  # a second one would leave this one unowned
            raise HarnessError(f"LocalStack (pid {self._process.pid}) is already running on {self.endpoint_url}",
                               hint="use the engine start() returned (`with LocalStackEngine() as engine:` starts it itself)")
        attempts_left = FREE_PORT_ATTEMPTS
        while True:
            try:
                return self._start(while_booting)
            except PortInUseError:
                # another process took the free port we were given before LocalStack bound it, or while it booted
                attempts_left -= 1
                if self._requested_port or not attempts_left:
                    raise
                while_booting = None  # it ran once

    def _start(self, while_booting: Callable[[], object] | None = None) -> "LocalStackEngine":
        if self._requested_port:
            ensure_port_free(self._requested_port)
        else:
            self.port = free_loopback_port()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "tmp").mkdir(exist_ok=True)
        place_catalog(self.state_dir / "fs")
        place_certificate(self.state_dir / "fs")  # LocalStack's own TLS certificate, not made again at every boot
        started = time.perf_counter()
        log = open(self.log_path, "wb")  # noqa: SIM115 - the child process owns it
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", ENGINE_MAIN_MODULE],
                env=self._environment(), cwd=self.state_dir, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        finally:
            log.close()
        try:
            if while_booting is not None:
                while_booting()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.boot_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        """SIGTERM LocalStack, SIGKILL after a grace period, then anything it left behind."""
        process, self._process = self._process, None
        try:
            if process is not None and process.poll() is None:
                self._terminate(process)
            elif process is not None:
                signal_group(process.pid, signal.SIGKILL)  # it died: end what it left behind (Lambda runtimes)
        finally:
            if self._owns_state_dir:
                shutil.rmtree(self.state_dir, ignore_errors=True)

    @staticmethod
    def _terminate(process: subprocess.Popen) -> None:
        def exited_within(seconds: float) -> bool:
            try:
                process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                return False
            return True

        terminate(process.pid, exited_within)

    def watch(self, stop: threading.Event, interval: float = 0.25) -> None:
        """Return once `stop` is set; raise EngineDiedError as soon as LocalStack has exited under us."""
        process = self._process
        status = wait_for_stop_or_exit(process.poll if process else lambda: None, stop, interval)
        if status is not None:
            raise died_error(status, self.endpoint_url, self.log_path)

    # -- facts ------------------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def state_dir_of_its_own(self) -> Path | None:
        """The state dir `stop()` removes (one it made itself), or None when it was given one."""
        return self.state_dir if self._owns_state_dir else None

    @property
    def log_path(self) -> Path:
        return self.state_dir / "localstack.log"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return log_tail(self.log_path, lines)

    # -- internals --------------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            GATEWAY_LISTEN=f"{LOOPBACK}:{self.port}",
            # harness.localstack_plugins.gateway_server: threaded, on GATEWAY_LISTEN only (the default server,
            # twisted, ignores the host part and binds 0.0.0.0; hypercorn costs more per request than the request itself)
            GATEWAY_SERVER="harness",
            LOCALSTACK_HOST=f"{LOCALSTACK_HOSTNAME}:{self.port}",
            DNS_ADDRESS="0",  # no DNS server on 0.0.0.0:53, no /etc/resolv.conf edits
            OVERRIDE_IN_DOCKER="0",  # this machine has /.dockerenv; LocalStack must not think it is in a container
            DISABLE_EVENTS="1",  # no analytics
            SKIP_SSL_CERT_DOWNLOAD="1",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_ACCESS_KEY_ID=TEST_CREDENTIALS["aws_access_key_id"],
            AWS_SECRET_ACCESS_KEY=TEST_CREDENTIALS["aws_secret_access_key"],
            AWS_DEFAULT_REGION=self.region,
            FILESYSTEM_ROOT=str(self.state_dir / "fs"),
            TMPDIR=str(self.state_dir / "tmp"),
            S3_SKIP_SIGNATURE_VALIDATION="0",  # behaviour.md "S3": presigned URLs are checked
            LAMBDA_RUNTIME_EXECUTOR="harness",  # harness.lambda_runtime: no Docker
            IN_MEMORY_CLIENT="1",  # LocalStack's calls to itself (logs, metrics, invokes) skip the HTTP round trip
            # behaviour.md "S3": async invocations are retried twice; AWS waits ~1 and ~2 minutes,
            # the harness waits 1 s and 2 s so that a test sees all 3 attempts quickly (on time: sqs_message_delays).
            LAMBDA_RETRY_BASE_DELAY="1",
            # glibc's malloc keeps up to 8 arenas per core for the engine's many threads; two hold the same heap in less
            # memory (issue 13: engine after provisioning the Cruddur stack 200 -> 182 MB). Lambda runtimes don't inherit it.
            MALLOC_ARENA_MAX="2",
            # An allocation of 4 MiB or more (a CreateFunction's body, base64 and decoded) always gets its own mapping,
            # returned on free. By default glibc raises that threshold to the size of the last such block freed, so the
            # next ones came from the heap, which could not shrink: after provisioning the Cruddur stack the engine held
            # 219-221 MB instead of 181 in 3 of 12 runs; now 180-182 in 12 of 12, at the same CPU (issue 13).
            MALLOC_MMAP_THRESHOLD_=str(4 * 1024 * 1024),
        )
        env[ENGINE_OWNER_PID_VARIABLE] = str(os.getpid())  # harness.localstack_plugins.owner_watch: it stops if we die
        env.pop("AWS_PROFILE", None)
        env.update(self.extra_env)
        return env

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            status = self._process.poll()
            if status == ENGINE_PORT_IN_USE_STATUS:
                raise PortInUseError(
                    f"port {self.port} on {LOOPBACK} was taken by another process before LocalStack could bind it",
                    evidence=f"LocalStack exited with status {status}; "
                             f"last lines of {self.log_path}:\n{self.log_tail()}",
                    hint=port_in_use_hint(self.port),
                )
            if status is not None:
                raise EngineStartError(
                    f"LocalStack exited with status {status} before it was ready",
                    evidence=f"last lines of {self.log_path}:\n{self.log_tail()}",
                    hint="see the log above; `make setup` reinstalls the pinned dependencies (constraints.txt)",
                )
            if self.health() is not None:
                self._check_it_answers_itself()
                return
            time.sleep(0.025)
        raise EngineStartError(
            f"LocalStack did not answer {self.endpoint_url}/_localstack/health within {self.startup_timeout:g}s",
            evidence=f"last lines of {self.log_path}:\n{self.log_tail()}",
            hint="the machine may be overloaded; raise startup_timeout, or look for errors in the log",
        )

    def _check_it_answers_itself(self) -> None:
        ours = {self._process.pid} | descendants(self._process.pid)
        listeners = listening_sockets(self.port)
        if listeners and not listeners & sockets_of(ours):
            raise PortInUseError(
                f"port {self.port} on {LOOPBACK} was taken by another process while LocalStack booted",
                evidence=f"the health check was answered, but not by LocalStack (pid {self._process.pid}); "
                         f"last lines of {self.log_path}:\n{self.log_tail()}",
                hint="another engine booting at the same time was handed the same free port; start again",
            )

"""LocalStack in Docker (docker-compose.yml) as a `Target`, selected with `pytest --engine localstack-docker`.

pytest-docker's `docker_services` owns the container (it runs `docker compose up` before and `down` after the
session); `start()` waits until `/_localstack/health` answers and shows what it saw when it gives up. No Docker
engine exists on the project's own machines, so this path is checked by a test that stands a host engine in for
the container.
"""

from __future__ import annotations

import subprocess
from typing import Any

from harness.library.aws import DEFAULT_REGION
from harness.shared.errors import WaitTimeout
from harness.library.layout import CHECKOUT_ROOT
from harness.library.targets.target import LocalStackTarget

COMPOSE_FILE = CHECKOUT_ROOT / "docker-compose.yml"
SERVICE = "localstack"
CONTAINER_PORT = 4566
READY_TIMEOUT_SECONDS = 180.0
_LOG_TAIL_LINES = 40


class DockerLocalStack(LocalStackTarget):
    """The compose project's LocalStack; nothing else lives in the container, so names need no prefix."""

    state_dir = None
    pid = None
    starting = "waiting for LocalStack in Docker to be healthy"
    stopping = "leaving LocalStack in Docker to pytest-docker"

    def __init__(self, docker_ip: str, docker_services: Any, region: str = DEFAULT_REGION,
                 ready_timeout: float = READY_TIMEOUT_SECONDS) -> None:
        self._docker_ip = docker_ip
        self._services = docker_services
        self.region = region
        self.ready_timeout = ready_timeout
        self.port: int | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self._docker_ip}:{self.port}"

    def start(self) -> DockerLocalStack:
        self.port = self._services.port_for(SERVICE, CONTAINER_PORT)
        try:  # pytest-docker's wait, whose own timeout error says nothing of what it saw
            self._services.wait_until_responsive(check=lambda: self.health() is not None, timeout=self.ready_timeout, pause=0.5)
        except Exception as error:  # noqa: BLE001 - pytest-docker raises a bare Exception on timeout
            raise WaitTimeout(f"LocalStack in Docker did not answer {self.endpoint_url}/_localstack/health within {self.ready_timeout:g}s",
                              evidence=f"{error}\nlast lines of the container's log:\n{self.log_tail()}",
                              hint=f"docker compose -f {COMPOSE_FILE} ps; is the image built (docker compose build)?") from error
        return self

    def stop(self) -> None:
        """Nothing to release: pytest-docker stops the compose project at the end of the session."""

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        command = ["docker", "compose", "-f", str(COMPOSE_FILE), "logs", "--tail", str(lines), SERVICE]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"(could not read the container's log: {' '.join(command)}: {error})"
        return (result.stdout + result.stderr).strip() or "(the container wrote no log)"

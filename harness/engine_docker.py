"""LocalStack in Docker (docker-compose.yml) as an engine with the same face as `LocalStackEngine`.

Selected with `pytest --engine localstack-docker`; pytest-docker's `docker_services` starts the compose
project and this waits until `/_localstack/health` answers. No Docker engine exists on the project's own
machines, so this path is checked by a unit test that stands a host engine in for the container.
"""

from __future__ import annotations

from typing import Any

from harness.aws import DEFAULT_REGION, TEST_CREDENTIALS, AwsClients
from harness.engine import localstack_health
from harness.stack import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
SERVICE = "localstack"
CONTAINER_PORT = 4566
READY_TIMEOUT_SECONDS = 180.0


class DockerLocalStack:
    name_prefix = ""  # names need no prefix: nothing else lives in this container

    def __init__(self, docker_ip: str, docker_services: Any, region: str = DEFAULT_REGION) -> None:
        self.port = docker_services.port_for(SERVICE, CONTAINER_PORT)
        self.endpoint_url = f"http://{docker_ip}:{self.port}"
        self.region = region
        self.state_dir = None
        self.pid = None
        docker_services.wait_until_responsive(check=lambda: self.health() is not None, timeout=READY_TIMEOUT_SECONDS, pause=0.5)

    def health(self) -> dict | None:
        return localstack_health(self.endpoint_url)

    def clients(self) -> AwsClients:
        return AwsClients(self.endpoint_url, self.region, TEST_CREDENTIALS)

    def log_tail(self, lines: int = 40) -> str:
        return f"(see `docker compose -f {COMPOSE_FILE} logs --tail {lines} {SERVICE}`)"

"""`Target`: one face for everything the harness can run against (LocalStack on the host, LocalStack in Docker,
a real AWS account). Every "is this AWS?" decision asks `target.emulator is None` (or `clients.emulator`).

A target is a lifecycle object as testcontainers' are: `start() -> self`, `stop()`, a context manager whose
`__enter__` stops what it started when starting fails.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from harness.library.aws import TEST_CREDENTIALS, AwsClients
from harness.library.targets.emulator_control import EmulatorControl

if TYPE_CHECKING:
    from typing import Self


class Target(ABC):
    region: str
    name_prefix: str = ""  # put in front of every name; "" where nothing else shares the target (an emulator of our own)
    starting = "starting the target"  # progress lines for start() and stop()
    stopping = "stopping the target"

    @abstractmethod
    def start(self) -> Self:
        """Make the target usable (boot, wait until ready); returns self."""

    @abstractmethod
    def stop(self) -> None:
        """Release what `start` made; safe to call twice and after a failed start."""

    @abstractmethod
    def clients(self) -> AwsClients:
        """boto3 clients pointed at the target."""

    @property
    def emulator(self) -> EmulatorControl | None:
        """The `/_harness/*` control client of an emulator; None on AWS."""
        return None

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def localstack_health(endpoint_url: str) -> dict | None:
    """LocalStack's `/_localstack/health` answer, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"{endpoint_url}/_localstack/health", timeout=2) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


class LocalStackTarget(Target):
    """A LocalStack reached at `endpoint_url` (on the host or in Docker): LocalStack's test credentials, the
    harness's `/_harness` controls, its health check."""

    region: str

    @property
    @abstractmethod
    def endpoint_url(self) -> str:
        """http://<loopback>:<port>"""

    def clients(self) -> AwsClients:
        return AwsClients(self.endpoint_url, self.region, TEST_CREDENTIALS, emulator=self.emulator)

    @property
    def emulator(self) -> EmulatorControl:
        return EmulatorControl(self.endpoint_url)

    def health(self) -> dict | None:
        return localstack_health(self.endpoint_url)

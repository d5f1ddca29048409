"""`Target`: one face for everything the harness can run against (LocalStack on the host, LocalStack in Docker,
a real AWS account). Every "is this AWS?" decision asks `target.emulator is None` (or `clients.emulator`).

A target is a lifecycle object as testcontainers' are: `start() -> self`, `stop()`, a context manager whose
`__enter__` stops what it started when starting fails.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Self

    from harness.library.aws import AwsClients
    from harness.library.targets.emulator_control import EmulatorControl


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

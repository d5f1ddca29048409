"""`Cleanup`: tear down several resources, carry on past each failure, then report every failure together.

A teardown that stops at its first error strands the rest (LocalStack's own suite logs cleanup errors at debug, so
leaks go unnoticed); this one runs every step and raises one `CleanupError` naming each resource that stayed.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.shared.errors import CleanupError


class Cleanup:
    def __init__(self, what: str) -> None:
        self.what = what
        self.failures: list[str] = []

    def run(self, label: str, delete: Callable[[], object]) -> None:
        try:
            delete()
        except Exception as error:  # noqa: BLE001 - every failure is reported by raise_if_failed
            self.failures.append(f"{label}: {type(error).__name__}: {error}")

    def raise_if_failed(self) -> None:
        if self.failures:
            raise CleanupError(f"could not delete {len(self.failures)} resource(s) of {self.what}", evidence="\n".join(self.failures),
                               hint="delete them by hand, or run the test alone to see the first error")

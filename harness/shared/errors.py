"""Errors the harness raises: each carries the evidence (what it saw) and a hint."""

from __future__ import annotations


class HarnessError(Exception):
    """Base class: `str(error)` is a complete, actionable message."""

    def __init__(self, message: str, *, evidence: str = "", hint: str = "") -> None:
        self.evidence, self.hint = evidence, hint
        parts = [message]
        if evidence:
            parts.append("evidence:\n" + _indent(evidence.rstrip()))
        if hint:
            parts.append(f"hint: {hint}")
        super().__init__("\n".join(parts))


class EngineStartError(HarnessError):
    """LocalStack did not become ready."""


class EngineDiedError(HarnessError):
    """LocalStack exited while the stack was in use."""


class PortInUseError(HarnessError):
    """The requested loopback port is taken."""


class WaitTimeout(HarnessError):
    """A bounded wait ran out; the message shows what was found instead."""


class ProvisioningError(HarnessError):
    """A resource could not be created as asked (a missing function package, a refused call)."""


class CleanupError(HarnessError):
    """One or more resources could not be deleted; the evidence lists every one of them."""


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())

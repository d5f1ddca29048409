"""The platform lines Lambda writes to a function's log stream around each invocation (behaviour.md "Lambda runtime").

AWS's shapes: `START RequestId: <id> Version: <v>`, `END RequestId: <id>`, `REPORT RequestId: <id>\tDuration: ...`,
and for an Init phase that fails, `INIT_REPORT Init Duration: <ms> ms\tPhase: init\tStatus: error\tError Type: <type>`
before START, with `Status: error\tError Type: <type>` at the end of the REPORT line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Report:
    """What the REPORT line says about one invocation."""

    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None  # a cold start that initialised fine
    init_error_type: str = ""  # the Init phase failed with this error type


def invocation_log(request_id: str, version: str, before_start: str, during: str, report: Report) -> str:
    """The log text of one invocation: init-phase output, START, the invocation's output, END, REPORT."""
    init_report = ""
    if report.init_error_type:
        init_ms = report.init_duration_ms or 0.0
        init_report = f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init\tStatus: error\tError Type: {report.init_error_type}\n"
    return (
        f"{before_start}{init_report}START RequestId: {request_id} Version: {version}\n"
        f"{during}END RequestId: {request_id}\n{_report_line(request_id, report)}\n"
    )


def _report_line(request_id: str, report: Report) -> str:
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {report.duration_ms:.2f} ms\tBilled Duration: {math.ceil(report.duration_ms)} ms"
        f"\tMemory Size: {report.memory_size_mb} MB\tMax Memory Used: {min(report.max_memory_used_mb, report.memory_size_mb)} MB"
    )
    if report.init_error_type:
        return f"{line}\tStatus: error\tError Type: {report.init_error_type}"
    if report.init_duration_ms is not None:
        return f"{line}\tInit Duration: {report.init_duration_ms:.2f} ms"
    return line

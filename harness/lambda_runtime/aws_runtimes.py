"""The Lambda managed runtimes the harness knows, with AWS's dates for them: the one table (issue 9).

behaviour.md "Lambda runtime": a deprecated runtime keeps running existing functions; after published dates AWS
refuses to create, then to update, functions on it. The harness accepts them all (users reproduce old code) and
says so in the function's log at init (`deprecation_notice`).

Dates are those of the AWS Lambda runtimes page ("Supported runtimes" and "Deprecated runtimes" tables,
docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), as read for this table. Checked against the page's
text: nodejs18.x, nodejs20.x, nodejs22.x (all three dates), the deprecation date of python3.9, and the deprecation
and block-update dates of nodejs24.x, python3.13, python3.14 and ruby3.4. The other dates are from the same page
as remembered, unverified here: check the page before relying on one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AwsRuntime:
    """One row of AWS's runtimes table."""

    identifier: str  # the function's Runtime, e.g. "nodejs18.x"
    family: str  # "python", "nodejs" or "ruby"
    version: str  # the language version: "3.9", "18", "3.2"
    deprecation: date  # AWS's end of support: no more patches; existing functions keep running
    block_create: date  # from this day CreateFunction on the runtime fails (InvalidParameterValueException)
    block_update: date  # from this day UpdateFunctionCode/Configuration on it fails

    def deprecated_on(self, day: date) -> bool:
        return day >= self.deprecation


def _row(identifier: str, family: str, version: str, deprecation: str, block_create: str, block_update: str) -> AwsRuntime:
    return AwsRuntime(identifier, family, version, date.fromisoformat(deprecation), date.fromisoformat(block_create),
                      date.fromisoformat(block_update))


AWS_RUNTIMES: tuple[AwsRuntime, ...] = (
    _row("nodejs18.x", "nodejs", "18", "2025-09-01", "2026-02-03", "2026-03-09"),
    _row("nodejs20.x", "nodejs", "20", "2026-04-30", "2026-06-01", "2026-07-01"),
    _row("nodejs22.x", "nodejs", "22", "2027-04-30", "2027-06-01", "2027-07-01"),
    _row("nodejs24.x", "nodejs", "24", "2028-04-30", "2028-06-01", "2028-07-01"),
    _row("python3.9", "python", "3.9", "2025-12-15", "2026-06-01", "2026-07-01"),
    _row("python3.10", "python", "3.10", "2026-06-30", "2026-07-31", "2026-08-31"),
    _row("python3.11", "python", "3.11", "2026-06-30", "2026-07-31", "2026-08-31"),
    _row("python3.12", "python", "3.12", "2028-10-31", "2028-11-30", "2029-01-10"),
    _row("python3.13", "python", "3.13", "2029-06-30", "2029-07-31", "2029-08-31"),
    _row("python3.14", "python", "3.14", "2029-06-30", "2029-07-31", "2029-08-31"),
    _row("ruby2.7", "ruby", "2.7", "2023-12-07", "2024-01-09", "2024-02-08"),
    _row("ruby3.2", "ruby", "3.2", "2026-03-31", "2026-06-01", "2026-07-01"),
    _row("ruby3.3", "ruby", "3.3", "2027-03-31", "2027-04-30", "2027-05-31"),
    _row("ruby3.4", "ruby", "3.4", "2028-03-31", "2028-04-30", "2028-05-31"),
)
_BY_IDENTIFIER = {runtime.identifier: runtime for runtime in AWS_RUNTIMES}


def aws_runtime(identifier: str | None) -> AwsRuntime | None:
    """The table's row for a Runtime value, or None for one the harness does not know."""
    return _BY_IDENTIFIER.get(identifier or "")


def runtimes_of(family: str) -> list[AwsRuntime]:
    return [runtime for runtime in AWS_RUNTIMES if runtime.family == family]


def deprecation_notice(identifier: str, today: date | None = None) -> str | None:
    """The line the function's log gets at init when its runtime is deprecated, else None."""
    runtime = aws_runtime(identifier)
    today = today or date.today()
    if runtime is None or not runtime.deprecated_on(today):
        return None
    return (
        f"WARNING harness: runtime {identifier} is deprecated: AWS ended its support on {runtime.deprecation.isoformat()},"
        f" {_refusal('create', runtime.block_create, today)} and {_refusal('update', runtime.block_update, today)}."
        " Existing functions keep running, as here."
    )


def _refusal(action: str, day: date, today: date) -> str:
    if today >= day:
        return f"has refused to {action} functions on it since {day.isoformat()}"
    return f"refuses to {action} functions on it from {day.isoformat()}"

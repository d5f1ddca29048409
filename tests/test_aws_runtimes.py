"""The one runtime table (harness.lambda_runtime.aws_runtimes) and what is built from it (behaviour.md "Lambda runtime")."""

from __future__ import annotations

from datetime import date

import pytest

from harness.lambda_runtime.aws_runtimes import AWS_RUNTIMES, aws_runtime, deprecation_notice, runtimes_of
from harness.localstack_plugins.lambda_executor.invocation_log import Report, invocation_log


def test_the_table_has_every_runtime_identifier_behaviour_md_names():
    named = {"python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
             "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "ruby2.7", "ruby3.2", "ruby3.3", "ruby3.4"}
    assert {r.identifier for r in AWS_RUNTIMES} == named
    assert [r.identifier for r in runtimes_of("nodejs")] == ["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"]


@pytest.mark.parametrize("identifier, end_of_support", [
    ("nodejs18.x", date(2025, 9, 1)), ("python3.9", date(2025, 12, 15)), ("nodejs20.x", date(2026, 4, 30)),
])
def test_end_of_support_dates_are_behaviour_mds(identifier, end_of_support):
    assert aws_runtime(identifier).deprecation == end_of_support


def test_aws_blocks_create_after_deprecation_and_update_after_create():
    for runtime in AWS_RUNTIMES:
        assert runtime.deprecation <= runtime.block_create <= runtime.block_update, runtime


def test_deprecated_runtime_notice_names_the_date_aws_refuses_new_functions():
    notice = deprecation_notice("nodejs18.x", today=date(2026, 12, 1))
    assert "nodejs18.x is deprecated" in notice and "ended its support on 2025-09-01" in notice
    assert "has refused to create functions on it since 2026-02-03" in notice
    assert "refuses to update functions on it from 2026-07-01" in deprecation_notice("nodejs20.x", today=date(2026, 5, 1))


def test_supported_and_unknown_runtimes_have_no_notice():
    assert deprecation_notice("nodejs22.x", today=date(2026, 12, 1)) is None
    assert deprecation_notice("java21", today=date(2026, 12, 1)) is None


def test_failed_init_log_has_init_report_then_start_end_report():
    report = Report(duration_ms=1.5, memory_size_mb=128, max_memory_used_mb=300, init_duration_ms=12.3,
                    init_error_type="Runtime.ImportModuleError")
    lines = invocation_log("rid", "$LATEST", "[ERROR] boom\n", "", report).splitlines()
    assert lines == [
        "[ERROR] boom",
        "INIT_REPORT Init Duration: 12.30 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError",
        "START RequestId: rid Version: $LATEST",
        "END RequestId: rid",
        "REPORT RequestId: rid\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB"
        "\tStatus: error\tError Type: Runtime.ImportModuleError",
    ]

"""`harness doctor` says what is missing and how to fix it."""

from __future__ import annotations

import socket
import subprocess
import sys

from harness.cli import doctor
from harness.cli.doctor import Finding, report
from harness.library.targets.localstack_docker import CONTAINER_PORT


def test_this_machine_has_every_required_part():
    text, healthy = report(doctor.findings())
    assert healthy, text


def test_missing_required_part_is_reported_with_its_hint():
    text, healthy = report([Finding(True, "a", "fine"), Finding(False, "node", "node not on PATH", "apt-get install nodejs npm")])
    assert not healthy
    assert "[ MISSING] node: node not on PATH" in text and "hint: apt-get install nodejs npm" in text


def test_optional_part_does_not_fail_the_check():
    text, healthy = report([Finding(False, "chromium", "not installed", "apt-get install chromium", required=False)])
    assert healthy and "[optional] chromium" in text


def test_missing_runtime_support_points_at_the_installer(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    listed = {f.what.split()[0]: f for f in doctor.check_lambda_runtimes() if f.what.endswith(" Lambda runtime")}
    for identifier in ("python3.12", "nodejs18.x", "nodejs22.x"):
        assert not listed[identifier].ok and "python -m harness.lambda_runtime.install" in listed[identifier].hint


def test_aws_hostnames_library_not_built_points_at_its_setup_step(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    finding = doctor.check_aws_hostnames()
    assert not finding.ok and finding.hint == "python -m harness.endpoints (make setup does it)"


def test_every_runtime_of_the_table_is_listed_with_its_interpreter():
    """Issue 9: `harness doctor` lists every runtime with the program that serves it."""
    from harness.lambda_runtime.aws_runtimes import AWS_RUNTIMES

    listed = {f.what.split()[0]: f for f in doctor.check_lambda_runtimes() if f.what.endswith(" Lambda runtime")}
    assert set(listed) == {r.identifier for r in AWS_RUNTIMES}
    node18 = listed["nodejs18.x"]
    if node18.ok:
        assert "(v18." in node18.detail and "/node/18/" in node18.detail and "deprecated" in node18.detail


def test_port_the_docker_target_needs_is_reported_when_taken(monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))  # a port of this test's own, standing in for CONTAINER_PORT (4566): runs may overlap
        holder.listen()
        port = holder.getsockname()[1]
        monkeypatch.setattr(doctor, "CONTAINER_PORT", port)
        finding = doctor.check_docker_target_port()
    assert not finding.ok and not finding.required
    assert f"127.0.0.1:{port} is in use" in finding.detail and "ss -ltnp" in finding.hint
    assert doctor.check_docker_target_port().ok  # released: free again


def test_missing_service_catalog_is_optional_and_points_at_its_builder(monkeypatch, tmp_path):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    finding = doctor.check_service_catalog()
    assert not finding.ok and not finding.required and finding.hint.startswith("python -m harness.library.targets.localstack_catalog")


def test_cli_doctor_exit_code():
    result = subprocess.run([sys.executable, "-m", "harness.cli.main", "doctor"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    assert "localstack-core: 4.13.1" in result.stdout

"""Typed provisioning and cleanup errors: a missing function package is named before anything is created, and a
teardown of several resources reports every failure together."""

from __future__ import annotations

import pytest

from harness.library import avatar_api as avatar_api_module
from harness.library.avatar_api import AvatarApiSpec, provision_avatar_api
from harness.library.cleanup import Cleanup
from harness.shared.errors import CleanupError, ProvisioningError
from harness.library.identity import FakeCognitoUserPool
from harness.library.packaging import node_function_zip, python_function_zip


def test_a_missing_python_function_package_names_its_path(tmp_path):
    with pytest.raises(ProvisioningError, match=str(tmp_path / "upload_python")):
        python_function_zip(tmp_path / "upload_python", "3.12")


def test_a_node_function_package_without_its_lock_file_says_so(tmp_path):
    (tmp_path / "package.json").write_text("{}")
    with pytest.raises(ProvisioningError, match="package-lock.json"):
        node_function_zip(tmp_path)


def test_provisioning_with_a_missing_package_fails_before_creating_anything(aws_client, monkeypatch, tmp_path):
    monkeypatch.setattr(avatar_api_module, "APP_DIR", tmp_path)
    spec = AvatarApiSpec().with_unique_names()
    with pytest.raises(ProvisioningError, match=f"the function package {tmp_path}/[a-z_]+ is missing"):
        provision_avatar_api(aws_client, FakeCognitoUserPool(region=aws_client.region), spec)
    roles = [role["RoleName"] for role in aws_client.iam.list_roles()["Roles"]]
    assert spec.upload_role not in roles and spec.authorizer_role not in roles


def test_cleanup_runs_every_step_and_reports_every_failure():
    ran: list[str] = []

    def fail(name: str) -> None:
        ran.append(name)
        raise RuntimeError(f"{name} is stuck")

    cleanup = Cleanup("a test stack")
    cleanup.run("bucket a", lambda: fail("a"))
    cleanup.run("function b", lambda: ran.append("b"))
    cleanup.run("role c", lambda: fail("c"))
    with pytest.raises(CleanupError) as raised:
        cleanup.raise_if_failed()
    assert ran == ["a", "b", "c"]
    assert "could not delete 2 resource(s) of a test stack" in str(raised.value)
    assert "bucket a: RuntimeError: a is stuck" in str(raised.value) and "role c: RuntimeError: c is stuck" in str(raised.value)

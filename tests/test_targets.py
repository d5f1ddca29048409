"""One `Target` face: every target is a lifecycle object and says whether it is an emulator."""

from __future__ import annotations

import pytest

from harness.shared.errors import WaitTimeout
from harness.library.targets.aws_account import AwsAccount
from harness.library.targets.localstack_docker import DockerLocalStack
from harness.library.targets.localstack_host import LocalStackEngine
from harness.library.targets.target import Target


def test_an_aws_account_has_no_emulator_and_clients_without_one():
    account = AwsAccount(region="eu-west-1", name_prefix="harness-0123abcd-", credentials_method="env")
    assert isinstance(account, Target) and account.emulator is None
    assert account.clients().emulator is None and account.clients().region == "eu-west-1"


def test_the_host_engine_is_an_emulator(localstack_engine):
    assert localstack_engine.emulator.endpoint_url == localstack_engine.endpoint_url
    assert localstack_engine.clients().emulator is not None


class NeverHealthy:
    def port_for(self, service: str, port: int) -> int:
        return 9  # discard: nothing answers

    def wait_until_responsive(self, check, timeout: float, pause: float) -> None:
        assert not check()
        raise Exception("Timeout reached while waiting on service!")


def test_docker_wait_timeout_shows_what_it_saw():
    target = DockerLocalStack("127.0.0.1", NeverHealthy(), ready_timeout=0.1)
    with pytest.raises(WaitTimeout) as raised:
        target.start()
    message = str(raised.value)
    assert "did not answer http://127.0.0.1:9/_localstack/health within 0.1s" in message
    assert "Timeout reached while waiting on service!" in message and "container's log" in message


def test_a_failed_start_leaves_nothing_behind(tmp_path):
    engine = LocalStackEngine(state_dir=tmp_path, startup_timeout=0.01)
    with pytest.raises(Exception):  # noqa: B017 - EngineStartError or the process exiting; either way stopped
        with engine:
            pass
    assert engine.pid is None

"""The Docker target (`--engine localstack-docker`): no Docker engine here, so the compose file is validated
and the fixture wiring is run with a host engine standing in for the container."""

from __future__ import annotations

from importlib.metadata import version

import yaml

from harness.library.targets.localstack_docker import COMPOSE_FILE, CONTAINER_PORT, SERVICE
from harness.library.layout import CHECKOUT_ROOT

pytest_plugins = ["pytester"]


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_compose_runs_the_pinned_localstack_with_our_plugins_on_loopback_only():
    service = compose()["services"][SERVICE]
    assert service["image"].endswith(f":{version('localstack-core')}")
    assert all(str(port).startswith("127.0.0.1:") for port in service["ports"])
    assert f"127.0.0.1:{CONTAINER_PORT}:{CONTAINER_PORT}" in service["ports"]
    assert "S3_SKIP_SIGNATURE_VALIDATION=0" in service["environment"]
    assert "_localstack/health" in " ".join(service["healthcheck"]["test"])
    dockerfile = (CHECKOUT_ROOT / service["build"]["context"] / service["build"]["dockerfile"]).read_text()
    assert f"FROM localstack/localstack:{version('localstack-core')}" in dockerfile
    assert "COPY harness" in dockerfile and "pip install" in dockerfile


def test_engine_option_selects_docker_services_and_waits_until_healthy(pytester, localstack_engine):
    """pytest-docker's fixtures are replaced by fakes that point at this session's host engine."""
    pytester.makeconftest(f"""
import pytest

class FakeDockerServices:
    def __init__(self):
        self.waited = False
    def port_for(self, service, port):
        assert (service, port) == ("{SERVICE}", {CONTAINER_PORT})
        return {localstack_engine.port}
    def wait_until_responsive(self, check, timeout, pause):
        self.waited = True
        assert check(), "the engine is not healthy"

@pytest.fixture(scope="session")
def docker_ip():
    return "127.0.0.1"

@pytest.fixture(scope="session")
def docker_services():
    return FakeDockerServices()
""")
    pytester.makepyfile(test_wiring="""
def test_clients_reach_the_engine(localstack_engine, aws_client, docker_services):
    assert docker_services.waited
    assert localstack_engine.endpoint_url.startswith("http://127.0.0.1:")
    assert "Buckets" in aws_client.s3.list_buckets()
""")
    result = pytester.runpytest_subprocess("--engine", "localstack-docker", "-p", "no:cacheprovider", "-q", timeout=300)
    result.assert_outcomes(passed=1)


def test_default_engine_is_the_host_one(pytester):
    pytester.makepyfile(test_default="""
def test_default(request):
    assert request.config.getoption("--engine") == "localstack-host"
""")
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)

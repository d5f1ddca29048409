"""LocalStackEngine: loopback only, clear start failures, nothing left behind."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.library.targets.engine_process import descendants, living
from harness.library.targets.localstack_host import LocalStackEngine
from harness.shared.errors import EngineStartError, HarnessError, PortInUseError
from harness.library.lambda_functions import wait_function_ready
from harness.library.targets.localstack_catalog import catalog_name, ensure_catalog
from harness.library.packaging import zip_files
from harness.library.waiting import wait_until
from tests.python_probe import run_probe


def listening_sockets() -> list[tuple[str, int]]:
    """(address, port) of every IPv4 TCP listener, from /proc/net/tcp."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A":  # LISTEN
            hex_ip, hex_port = local.split(":")
            ip = socket.inet_ntoa(bytes.fromhex(hex_ip)[::-1])
            found.append((ip, int(hex_port, 16)))
    return found


def test_engine_binds_loopback_only_and_runs_no_dns_server(localstack_engine):
    listeners = listening_sockets()
    assert ("127.0.0.1", localstack_engine.port) in listeners
    assert ("0.0.0.0", localstack_engine.port) not in listeners
    assert not [entry for entry in listeners if entry[1] == 53]


def test_engine_reports_health_and_settings(localstack_engine):
    health = localstack_engine.health()
    assert health["services"]["lambda"] in ("available", "running")
    assert localstack_engine.endpoint_url == f"http://127.0.0.1:{localstack_engine.port}"


def test_the_engine_runs_with_its_malloc_settings(localstack_engine):
    """Two arenas, and a fixed 4 MiB mmap threshold (a large body's memory goes back when freed): issue 13."""
    environment = Path(f"/proc/{localstack_engine.pid}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_ARENA_MAX=2" in environment and b"MALLOC_MMAP_THRESHOLD_=4194304" in environment


def test_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} on 127.0.0.1 is already in use"):
            LocalStackEngine(state_dir=tmp_path, port=port).start()


def test_work_given_to_start_runs_while_the_engine_boots_and_a_failure_there_stops_it(tmp_path):
    engine = LocalStackEngine(state_dir=tmp_path)
    seen = []
    engine.start(while_booting=lambda: seen.append(engine.pid))
    try:
        assert seen == [engine.pid] and engine.health()  # ran once, with the engine's process already started
    finally:
        engine.stop()
    failing = LocalStackEngine(state_dir=tmp_path / "failing")

    def fail() -> None:
        seen.append(failing.pid)
        raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError, match="the work failed"):
        failing.start(while_booting=fail)
    assert failing.pid is None and not living({seen[-1]})


def test_the_cli_starts_without_boto3_so_harness_up_starts_localstack_first():
    """harness.cli.main: the AWS library is imported while LocalStack boots (harness.cli.stack), not before."""
    probe = "import sys, harness.cli.main; print(sorted(m for m in ('boto3', 'botocore', 'harness.cli.stack') if m in sys.modules))"
    assert run_probe(probe, timeout=60).stdout.strip() == "[]"


@pytest.mark.parametrize("second_port", [False, True], ids=["its-first-port", "a-second-attempt-took-another"])
def test_up_and_demo_load_boto3_and_make_the_user_pool_and_clients_while_localstack_boots(second_port):
    """harness.cli.main.running_engine: what provisioning needs and LocalStack does not is made during the boot: boto3,
    the user pool's key, the clients provisioning calls (harness.cli.stack.PROVISIONING_CLIENTS), for the port being
    booted on; if a second boot attempt took another port (a free port taken meanwhile), clients for that one."""
    probe = f"""
import sys
from harness.cli import main, stack
from harness.library.aws import AwsClients

class BootingEngine:
    region, state_dir, endpoint_url = "eu-west-1", "/nonexistent", "http://127.0.0.1:1"
    def __init__(self, **_): pass
    def clients(self): return AwsClients(self.endpoint_url, self.region)
    def start(self, while_booting):
        before = "boto3" in sys.modules
        while_booting()
        print("boto3 before/after:", before, "boto3" in sys.modules, file=sys.stderr)
        rsa.generate_private_key = lambda *_: print("an RSA key made after the boot", file=sys.stderr)
        AwsClients._make_client = lambda *_: print("a client made after the boot", file=sys.stderr)
        if {second_port}:
            self.endpoint_url = "http://127.0.0.1:2"
    def stop(self): pass

from cryptography.hazmat.primitives.asymmetric import rsa
main.LocalStackEngine = BootingEngine
with main.running_engine(None, None) as (engine, prepared):
    pool, clients = prepared.pool, prepared.clients_of(engine)
    print("pool:", pool.region, pool.issuer.startswith("https://cognito-idp.eu-west-1.amazonaws.com/"), file=sys.stderr)
    pool.access_token()
    made = sorted(clients._clients) == sorted(stack.PROVISIONING_CLIENTS)
    print("clients:", clients.endpoint_url, made, file=sys.stderr)
"""
    result = run_probe(probe, timeout=60)
    clients = "clients: http://127.0.0.1:2 False" if second_port else "clients: http://127.0.0.1:1 True"
    assert result.stderr.splitlines() == ["boto3 before/after: False True", "pool: eu-west-1 True", clients], (
        result.stderr)


def test_start_failure_shows_log_tail_and_leaves_nothing(tmp_path):
    engine = LocalStackEngine(state_dir=tmp_path, extra_env={"GATEWAY_SERVER": "not-a-server"})
    with pytest.raises(EngineStartError) as error:
        engine.start()
    assert "Unknown gateway server type not-a-server" in str(error.value) and "hint:" in str(error.value)
    assert engine.pid is None


def test_startup_timeout_names_the_wait_and_shows_evidence(tmp_path):
    with pytest.raises(EngineStartError, match="did not answer .* within 0.01s") as error:
        LocalStackEngine(state_dir=tmp_path, startup_timeout=0.01).start()
    assert "evidence:" in str(error.value)


def test_stop_leaves_no_process_behind_including_lambda_runtimes(tmp_path):
    engine = LocalStackEngine(state_dir=tmp_path).start()
    try:
        lambda_ = engine.clients().lambda_
        lambda_.create_function(FunctionName="f", Runtime="python3.12", Handler="app.handler",
                                Role="arn:aws:iam::000000000000:role/r",
                                Code={"ZipFile": zip_files({"app.py": "def handler(e, c): return 1\n"})})
        wait_function_ready(lambda_, "f", timeout=30)
        assert json.loads(lambda_.invoke(FunctionName="f")["Payload"].read()) == 1
        processes = descendants(engine.pid) | {engine.pid}
        assert len(processes) > 1  # LocalStack and at least one runtime process
    finally:
        engine.stop()
    assert living(processes) == []


OWNER_KILLED_OUTRIGHT = """
import json, sys, time
from harness.library.lambda_functions import wait_function_ready
from harness.library.packaging import zip_files
from harness.library.targets.engine_process import descendants
from harness.library.targets.localstack_host import LocalStackEngine

engine = LocalStackEngine(state_dir=sys.argv[1]).start()
lambda_ = engine.clients().lambda_
lambda_.create_function(FunctionName="f", Runtime="python3.12", Handler="app.handler", Role="arn:aws:iam::000000000000:role/r",
                        Code={"ZipFile": zip_files({"app.py": "def handler(e, c): return 1\\n"})})
wait_function_ready(lambda_, "f", timeout=30)
lambda_.invoke(FunctionName="f")
print(json.dumps({"engine": engine.pid, "runtimes": sorted(descendants(engine.pid))}), flush=True)
time.sleep(120)
"""


def test_an_engine_whose_owner_is_killed_outright_stops_with_its_runtimes(tmp_path):
    """harness.localstack_plugins.owner_watch: the process that started the engine dies by SIGKILL, so no stop runs;
    the engine ends by itself, its Lambda runtime with it, and its log says why (it ran on, holding its port)."""
    owner = subprocess.Popen([sys.executable, "-c", OWNER_KILLED_OUTRIGHT, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        started = json.loads(owner.stdout.readline() or "{}")
    finally:
        owner.kill()
        owner.wait(30)
    assert started.get("runtimes"), "the owner did not start the engine and a runtime"
    processes = {started["engine"], *started["runtimes"]}
    log = tmp_path / "localstack.log"
    wait_until(lambda: not living(processes), timeout=30, what="the engine of a killed owner to stop",
               evidence=lambda: f"still running: {living(processes)}; log ends:\n{log.read_text()[-2000:]}")
    assert "has ended without stopping it: stopping" in log.read_text()


def test_owned_state_dir_is_removed(monkeypatch):
    engine = LocalStackEngine(startup_timeout=0.01)
    with pytest.raises(EngineStartError):
        engine.start()
    assert not engine.state_dir.exists()
    assert os.path.basename(str(engine.state_dir)).startswith("harness-localstack-")


def test_s3_objects_live_in_the_engine_state_dir(localstack_engine, aws_client):
    """harness.localstack_plugins.localstack_isolation: two engines never share object storage."""
    aws_client.s3.create_bucket(Bucket="isolation-check")
    aws_client.s3.put_object(Bucket="isolation-check", Key="k", Body=b"v")
    assert (localstack_engine.state_dir / "tmp" / "s3-storage" / "isolation-check").is_dir()
    assert not Path("/tmp/localstack-s3-storage/isolation-check").exists()
    aws_client.s3.delete_object(Bucket="isolation-check", Key="k")
    aws_client.s3.delete_bucket(Bucket="isolation-check")


def test_engine_gets_the_prebuilt_service_catalog_localstack_looks_for(localstack_engine, aws_client):
    """Without it LocalStack builds the catalog at the first request of every run (~5 s): `make setup` builds it once."""
    from localstack.aws.spec import _get_catalog_filename

    assert catalog_name() == _get_catalog_filename()
    placed = localstack_engine.state_dir / "fs" / "usr" / "lib" / "localstack" / catalog_name()
    assert placed.resolve() == ensure_catalog() and placed.resolve().stat().st_size > 100_000
    assert "Buckets" in aws_client.s3.list_buckets()  # LocalStack answered with it in place
    assert "error while processing service catalog" not in localstack_engine.log_tail(400)


def test_a_free_port_another_engine_took_meanwhile_is_noticed_and_a_new_one_used(localstack_engine, tmp_path, monkeypatch):
    """Two runs at once: the free port an engine was handed is bound by another engine before its own LocalStack binds
    it. Its health check is answered, by the other one; it must notice, and boot on a new port, never use the other."""
    from harness.library.targets import localstack_host

    taken = iter([localstack_engine.port])  # the first "free" port handed out is the session engine's
    monkeypatch.setattr(localstack_host, "free_loopback_port", lambda: next(taken, None) or socket_free_port())
    with LocalStackEngine(state_dir=tmp_path) as engine:
        assert engine.port != localstack_engine.port
        assert engine.health() is not None and engine.pid not in (None, localstack_engine.pid)


def test_a_free_port_another_process_bound_before_localstack_could_is_noticed_and_a_new_one_used(tmp_path, monkeypatch):
    """Two runs at once: another process binds the free port an engine was handed (as a run choosing its own free
    port does) before LocalStack binds it. LocalStack cannot listen there; the engine boots on a new port."""
    from harness.library.targets import localstack_host

    with socket.socket() as holder:  # bound, not listening: nothing answers there
        holder.bind(("127.0.0.1", 0))
        taken = iter([holder.getsockname()[1]])
        monkeypatch.setattr(localstack_host, "free_loopback_port", lambda: next(taken, None) or socket_free_port())
        with LocalStackEngine(state_dir=tmp_path) as engine:
            assert engine.port != holder.getsockname()[1] and engine.health() is not None


def socket_free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_starting_a_running_engine_again_is_refused_and_leaves_no_second_engine(tmp_path):
    with LocalStackEngine(state_dir=tmp_path) as engine:
        before = descendants(os.getpid())
        with pytest.raises(HarnessError, match="is already running on http://127.0.0.1:"):
            engine.start()
        assert descendants(os.getpid()) == before

"""Modules the engine imports at boot without using them then, run when a name is first read from them
(harness.localstack_plugins.modules_on_first_use, awscrt_on_first_use): once, in place, also when threads read them at
once, and an extension module too; and in the engine's boot, LocalStack's modules that import them."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("the engine's own imports")


@pytest.fixture
def slow_package(tmp_path: Path) -> Path:
    """`slowpkg.slow`: its code takes 0.3 s and counts its runs in `runs.txt`; `slowpkg.broken` raises."""
    package = tmp_path / "slowpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (tmp_path / "runs.txt").write_text("")
    (package / "slow.py").write_text(textwrap.dedent(f"""\
        import time
        with open({str(tmp_path / 'runs.txt')!r}, "a") as runs:
            runs.write("ran\\n")
        FIRST = 1
        time.sleep(0.3)
        LAST = 2
        """))
    (package / "broken.py").write_text("raise ValueError('slowpkg.broken cannot be run')\n")
    return tmp_path


def test_a_deferred_module_runs_once_on_first_read_and_threads_reading_it_meanwhile_wait_for_all_of_it(slow_package):
    lines = run_probe("""
        import sys, threading, types
        from harness.localstack_plugins.modules_on_first_use import defer_until_first_read
        defer_until_first_read({"slowpkg.slow"})
        import slowpkg.slow
        import slowpkg.slow  # an import again reads only __spec__
        from slowpkg import slow
        print(open("runs.txt").read().count("ran"), type(sys.modules["slowpkg.slow"]) is types.ModuleType)
        seen = []
        readers = [threading.Thread(target=lambda: seen.append(slow.LAST)) for _ in range(8)]
        for reader in readers: reader.start()
        for reader in readers: reader.join()
        print(seen == [2] * 8, open("runs.txt").read().count("ran"), slow.FIRST, type(slow) is types.ModuleType,
              slow.__spec__.loader.__class__.__name__, slow is sys.modules["slowpkg.slow"])
        """, cwd=slow_package).stdout.splitlines()
    assert lines == ["0 False", "True 1 1 True SourceFileLoader True"]


def test_a_deferred_package_runs_when_one_of_its_modules_is_imported(slow_package):
    lines = run_probe("""
        import sys, types
        from harness.localstack_plugins.modules_on_first_use import defer_until_first_read
        defer_until_first_read({"slowpkg"})
        import slowpkg
        print(type(sys.modules["slowpkg"]) is types.ModuleType)
        import slowpkg.slow
        print(type(sys.modules["slowpkg"]) is types.ModuleType, slowpkg.slow.LAST)
        """, cwd=slow_package).stdout.splitlines()
    assert lines == ["False", "True 2"]


def test_a_deferred_module_that_fails_raises_its_error_at_each_read_and_is_no_half_made_module(slow_package):
    lines = run_probe("""
        from harness.localstack_plugins.modules_on_first_use import defer_until_first_read
        defer_until_first_read({"slowpkg.broken"})
        import slowpkg.broken
        for _ in range(2):
            try:
                slowpkg.broken.anything
            except ValueError as error:
                print(error)
        """, cwd=slow_package).stdout.splitlines()
    assert lines == ["slowpkg.broken cannot be run"] * 2


def test_a_deferred_extension_module_is_loaded_on_first_read():
    lines = run_probe("""
        import sys
        from harness.localstack_plugins.modules_on_first_use import defer_until_first_read
        defer_until_first_read({"_csv"})
        import _csv
        print("/_csv." in open("/proc/self/maps").read())
        print(next(_csv.reader(["a,b"])), "/_csv." in open("/proc/self/maps").read())
        """).stdout.splitlines()
    assert lines == ["False", "['a', 'b'] True"]


ENGINE_BOOT_PROBE = """
    import sys, types
    from harness.localstack_plugins import engine_main
    engine_main.prepare_process()
    import localstack.aws.app
    from localstack.runtime import runtime
    from localstack.utils import crypto, net, docker_utils
    from localstack.dns import plugins as dns_plugins
    from localstack.http.resources.swagger import plugins as swagger_plugins
    import localstack.aws.connect, localstack.plugins
    import harness.localstack_plugins.apigw.localstack_data_plane  # the HTTP API plugin: PyJWT at a first JWT
    from OpenSSL import crypto as openssl_crypto  # LocalStack's generate_ssl_cert does, before finding its certificate
    from botocore import auth, httpchecksum, httpsession
    dns_plugins.start_dns_server(), dns_plugins.setup_dns_configuration_on_host(), dns_plugins.stop_server()
    not_run = sorted(name for name in ("_awscrt", "docker", "dns.resolver", "asn1crypto.algos", "asn1crypto.cms",
                                       "dns.message", "dns.query", "OpenSSL.SSL", "OpenSSL.crypto", "yaml", "pydantic")
                     if type(sys.modules.get(name)) not in (types.ModuleType, type(None)))
    stand_ins = [name for name, module in list(sys.modules.items())  # a deferred module's attribute would run it
                 if type(module) is types.ModuleType and hasattr(module, "__harness_stand_in__")]
    imported = [name for name in ("jinja2", "psutil", "jwt", "cryptography.x509") if name in sys.modules]
    print(not_run, imported, sorted(stand_ins),
          type(docker_utils.DOCKER_CLIENT).__name__, httpsession.SSLContext.__module__)
    print(auth.AUTH_TYPE_MAPS["v4"].__name__, auth.AUTH_TYPE_MAPS["s3v4"].__name__, auth.AUTH_TYPE_MAPS["v4a"].__name__,
          httpchecksum._CHECKSUM_CLS["crc32"].__name__, httpchecksum._CHECKSUM_CLS["crc32c"].__name__)
    import awscrt.checksums
    print(awscrt.checksums.crc32c(b"hello"), type(sys.modules["_awscrt"]) is types.ModuleType)
    """


def test_the_engine_boots_with_the_modules_it_does_not_use_yet_unrun_and_botocores_own_sigv4_and_crc32():
    """`OVERRIDE_IN_DOCKER=0` as the engine has it: LocalStack then uses its docker CLI client, docker-py unrun."""
    lines = run_probe(ENGINE_BOOT_PROBE, env={**os.environ, "OVERRIDE_IN_DOCKER": "0", "DNS_ADDRESS": "0"}
                      ).stdout.splitlines()
    assert lines == [
        "['OpenSSL.SSL', 'OpenSSL.crypto', '_awscrt', 'asn1crypto.algos', 'asn1crypto.cms', 'dns.message', "
        "'dns.query', 'dns.resolver', 'docker', 'pydantic', 'yaml'] [] ['localstack.aws.catalog_exceptions', "
        "'localstack.aws.handlers.validation', 'localstack.dns.server', 'localstack.http.resources.swagger.endpoints', "
        "'localstack.utils.aws.message_forwarding', 'localstack.utils.backoff', 'localstack.utils.catalog.plugins', "
        "'requests.packages.urllib3.contrib.pyopenssl', 'urllib3.contrib.pyopenssl'] "
        "CmdDockerClient ssl",
        "SigV4Auth S3SigV4Auth CrtSigV4AsymAuth Crc32Checksum CrtCrc32cChecksum",
        "2591144780 True"]

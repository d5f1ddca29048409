"""The engine's HTTPS endpoint on port 443 for custom resources' ResponseURL (harness.shared.engine_https): on a
loopback address of its own, never 0.0.0.0, with a certificate its functions' CA bundle verifies."""

from __future__ import annotations

import ssl
import urllib.request

from harness.shared.engine_https import response_address
from tests.test_engine import listening_sockets


def test_each_port_gets_its_own_loopback_address_never_127_0_0_1():
    addresses = {response_address(port) for port in range(1024, 65536, 97)}
    assert len(addresses) == len(range(1024, 65536, 97))
    assert all(address.startswith("127.") and address != "127.0.0.1" for address in addresses)


def test_the_engine_serves_https_on_443_of_its_own_loopback_address(localstack_engine):
    address = response_address(localstack_engine.port)
    listeners = listening_sockets()
    assert (address, 443) in listeners and ("0.0.0.0", 443) not in listeners
    bundle = localstack_engine.state_dir / "tls" / "ca-bundle.pem"
    context = ssl.create_default_context(cafile=str(bundle))  # what the functions trust (SSL_CERT_FILE)
    with urllib.request.urlopen(f"https://{address}/_localstack/health", context=context, timeout=10) as answer:
        assert answer.status == 200

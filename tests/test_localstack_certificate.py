"""LocalStack's TLS certificate for its gateway port, made once per machine (harness.library.targets.
localstack_certificate): each engine serves the cached one instead of making a key pair at boot."""

from __future__ import annotations

import os
import ssl
import time

import pytest

from harness.library.targets.localstack_certificate import FRESH_FOR_SECONDS, cached_certificate, ensure_certificate

pytestmark = pytest.mark.emulator_only("LocalStack's own gateway certificate")


def test_an_engine_serves_the_certificate_made_once_per_machine(localstack_engine):
    served = ssl.get_server_certificate(("127.0.0.1", localstack_engine.port))
    assert served.strip() in cached_certificate().read_text()


def test_a_certificate_a_year_old_is_made_again(tmp_path, monkeypatch):
    """LocalStack's certificate is valid for two years; the cached one is used for one."""
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    first = ensure_certificate().read_text()
    assert "PRIVATE KEY-----" in first and first.rstrip().endswith("-----END CERTIFICATE-----")
    assert ensure_certificate().read_text() == first
    year_ago = time.time() - FRESH_FOR_SECONDS - 60
    os.utime(cached_certificate(), (year_ago, year_ago))
    assert ensure_certificate().read_text() != first

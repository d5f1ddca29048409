"""`browser`: a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright from PyPI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from harness.library import aws_endpoints
from harness.library.targets.target import Target

CHROMIUM = "/usr/bin/chromium"
# As the machine's probe found: without the background-networking flags Chromium tries to reach outside.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser(aws_target: Target) -> Iterator[Any]:
    """A real headless Chromium; skipped only when chromium is absent. On the host engine it sends
    `https://*.amazonaws.com` to the engine and trusts its certificates (README "AWS hostnames inside Lambda")."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; `make setup` does it)")
    from playwright.sync_api import sync_playwright

    endpoints = aws_endpoints.active()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=CHROMIUM_ARGS + (endpoints.chromium_arguments() if endpoints else []))
        yield chromium
        chromium.close()

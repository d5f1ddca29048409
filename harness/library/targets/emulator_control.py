"""`EmulatorControl`: the test side of the `/_harness/*` contract (harness.shared.emulator_api), for an emulator target.

An AWS account has none (`target.emulator is None`): there, nothing can register keys or move clocks.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from harness.shared.errors import HarnessError
from harness.shared import emulator_api

if TYPE_CHECKING:
    from harness.library.identity import FakeCognitoUserPool

_TIMEOUT_SECONDS = 10


class EmulatorControl:
    """Calls the harness's own endpoints on the engine at `endpoint_url`."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def register_user_pool(self, pool: FakeCognitoUserPool) -> None:
        """Tell the engine which keys the pool signs with (JWT authorizers, and the JWKS the authorizer Lambda reads)."""
        self._put(emulator_api.JWKS_REGISTRY_PATH, emulator_api.user_pool_registration(pool.issuer, pool.jwks()))

    def jwks_url(self, pool: FakeCognitoUserPool) -> str:
        """The registered pool's JWKS on the engine (plain HTTP on loopback)."""
        path = emulator_api.cognito_documents_path(pool.region, pool.user_pool_id)
        return f"{self.endpoint_url}{path}/{emulator_api.WELL_KNOWN_JWKS}"

    def set_clock_offset(self, seconds: float) -> None:
        """Move the HTTP API gateway's clock `seconds` away from real time (0 resets it)."""
        self._put(emulator_api.CLOCK_PATH, emulator_api.clock_setting(seconds))

    def _put(self, path: str, document: dict) -> None:
        request = urllib.request.Request(f"{self.endpoint_url}{path}", data=json.dumps(document).encode(), method="PUT")
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                response.read()
        except (urllib.error.URLError, OSError) as error:
            raise HarnessError(f"the engine refused PUT {path}", evidence=str(error),
                               hint="is the engine running with the harness's plugins installed (pip install -e .)?") from error

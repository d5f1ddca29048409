"""The `/_harness/*` HTTP contract between the test process and the harness's plugins inside LocalStack.

The test side calls these paths (`harness.library.targets.emulator_control.EmulatorControl`); the engine side
serves them (`harness.localstack_plugins.apigw.localstack_data_plane`). Nothing else may spell them out.

- `PUT  /_harness/jwks`   {"issuer": str, "jwks": {"keys": [...]}}: a fake user pool's keys, trusted by JWT authorizers
  for that issuer and served below for a Cognito issuer.
- `GET  /_harness/cognito-idp/<region>/<pool>/.well-known/jwks.json` and `.../openid-configuration`: a registered
  Cognito pool's documents, as `https://cognito-idp.<region>.amazonaws.com/<pool>/...` would answer them.
- `PUT  /_harness/clock`  {"offset_seconds": number}: moves the HTTP API gateway's clock (authorizer cache TTLs, JWT expiry).
- `GET  /_harness/aws-endpoints`: where the engine answers AWS hostnames (its TLS front; README "AWS hostnames inside Lambda").

And one environment variable the engine is started with: ENGINE_OWNER_PID_VARIABLE, the pid of the process that
started it, which it outlives by no more than its shutdown (`harness.localstack_plugins.owner_watch`). And one exit
status: ENGINE_PORT_IN_USE_STATUS, the engine's when its listen address was taken before it could bind it
(`harness.localstack_plugins.gateway_server`), so that the test side starts it again on another free port.
"""

from __future__ import annotations

import errno

JWKS_REGISTRY_PATH = "/_harness/jwks"
COGNITO_PATH = "/_harness/cognito-idp"
CLOCK_PATH = "/_harness/clock"
AWS_ENDPOINTS_PATH = "/_harness/aws-endpoints"
WELL_KNOWN_JWKS = ".well-known/jwks.json"
WELL_KNOWN_OPENID = ".well-known/openid-configuration"
# LOCALSTACK_HOST's host for every harness engine (with its port), the name LocalStack puts in its TLS certificate.
LOCALSTACK_HOSTNAME = "localhost.localstack.cloud"
ENGINE_OWNER_PID_VARIABLE = "HARNESS_ENGINE_OWNER_PID"
ENGINE_PORT_IN_USE_STATUS = errno.EADDRINUSE


def cognito_issuer(region: str, user_pool_id: str) -> str:
    """A Cognito user pool's issuer (system.md "identity"): `https://cognito-idp.<region>.amazonaws.com/<pool id>`."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def cognito_documents_path(region: str, user_pool_id: str) -> str:
    """Where the engine serves a registered Cognito pool's `.well-known/` documents."""
    return f"{COGNITO_PATH}/{region}/{user_pool_id}"


def user_pool_registration(issuer: str, jwks: dict) -> dict:
    """The body of `PUT /_harness/jwks`."""
    return {"issuer": issuer, "jwks": jwks}


def clock_setting(offset_seconds: float) -> dict:
    """The body of `PUT /_harness/clock`."""
    return {"offset_seconds": offset_seconds}

"""Authorizer Lambda (Cruddur "CruddurApiGatewayLambdaAuthorizer"; Node + aws-jwt-verify on AWS):
REQUEST authorizer, payload 2.0, simple responses. Verifies a Cognito ACCESS token for CLIENT_ID
from the pool USER_POOL_ID and answers {"isAuthorized": bool, "context": {"sub": ...}}.

USER_POOL_ID is read at module load, as the original did: unset, every call fails at init (bug 3).
The JWKS is the pool's `<issuer>/.well-known/jwks.json` (on the emulator that URL reaches the engine); JWKS_URL
overrides it only on AWS, where the harness's fake pool keeps its keys in an S3 object.
"""

from __future__ import annotations

import json
import math
import os
import time
import urllib.request

import jwt

REGION = os.environ.get("AWS_REGION", "us-east-1")
USER_POOL_ID = os.environ["USER_POOL_ID"]
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"
JWKS_URL = os.environ.get("JWKS_URL") or f"{ISSUER}/.well-known/jwks.json"
_jwks: dict | None = None


def jwks() -> dict:
    global _jwks
    if _jwks is None:
        _jwks = json.loads(read_jwks(JWKS_URL))
    return _jwks


def read_jwks(url: str) -> bytes:
    """An https URL (Cognito's, or the harness engine's), or `s3://bucket/key` read with the function's role
    (the harness's AWS target keeps the fake pool's keys there)."""
    if url.startswith("s3://"):
        import boto3  # provided by the python runtime

        bucket, key = url.removeprefix("s3://").split("/", 1)
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def bare_token(header_value: str) -> str:
    return header_value[len("Bearer "):] if header_value.startswith("Bearer ") else header_value


def assert_claim_types(claims: dict) -> None:
    """aws-jwt-verify's assertJwtPayload (src/jwt.ts): exp, nbf, iat finite numbers; iss, aud, scope, jti strings.
    PyJWT alone would take `exp: "1767225600"` (it calls int() on it)."""
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
            raise ValueError(f"JWT payload {name} claim is not a number")
    for name in ("iss", "aud", "scope", "jti"):
        if name in claims and not isinstance(claims[name], str):
            raise ValueError(f"JWT payload {name} claim is not a string")


def verify_access_token(token: str) -> dict:
    """As aws-jwt-verify's CognitoJwtVerifier(tokenUse="access", clientId=CLIENT_ID) checks it."""
    client_id = os.environ.get("CLIENT_ID")
    if not client_id:
        raise ValueError("CLIENT_ID is not set")
    header = jwt.get_unverified_header(token)
    assert_claim_types(jwt.decode(token, options={"verify_signature": False}))  # before any claim is used
    key = next((k for k in jwks()["keys"] if k["kid"] == header.get("kid")), None)
    if key is None or header.get("alg") != "RS256":
        raise ValueError(f"no RS256 key for kid {header.get('kid')!r}")
    claims = jwt.decode(token, jwt.algorithms.RSAAlgorithm.from_jwk(key), algorithms=["RS256"], issuer=ISSUER,
                        options={"verify_aud": False, "require": ["exp", "iat", "sub"]})
    if claims.get("token_use") != "access":
        raise ValueError(f"token_use is {claims.get('token_use')!r}, not 'access'")
    if claims.get("client_id") != client_id:
        raise ValueError("client_id does not match")
    if claims["iat"] > time.time() + 1:
        raise ValueError("token issued in the future")
    return claims


def handler(event: dict, context: object) -> dict:
    token = bare_token(event["headers"].get("authorization", ""))
    try:
        claims = verify_access_token(token)
    except Exception as error:  # noqa: BLE001 - any verification failure is a denial, never an allow
        print(f"token not valid: {type(error).__name__}: {error}")
        return {"isAuthorized": False}
    print(f"authorized sub={claims['sub']}")
    return {"isAuthorized": True, "context": {"sub": claims["sub"]}}

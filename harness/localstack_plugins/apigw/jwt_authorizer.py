"""JWT authorizer decisions for HTTP APIs (behaviour.md "JWT authorizer"), as pure functions.

The token comes from the identity source, bare or `Bearer `-prefixed. RSA only; the key is found by
`kid` in the issuer's JWKS (fetched by the caller: `jwks` is plain data here). Checked: signature,
every registered claim of the JSON type RFC 7519 gives it (a claim the gateway cannot use, e.g. `aud` an
object, `nbf` a string, `exp` 1e400 = infinity, is a refusal, never an error or an allow), `iss` equals the issuer, `aud` or `client_id` in the audience, `exp` after now, `nbf`/`iat` not after
now, and the route's authorization scopes (if any) intersect `scope`/`scp`. Any failure: 401
{"message":"Unauthorized"} with `www-authenticate: Bearer scope="" error="invalid_token" error_description="..."`.
Claims reach the integration at `requestContext.authorizer.jwt.claims`, scopes at `.jwt.scopes`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from harness.localstack_plugins.apigw.gateway_responses import UNAUTHORIZED

RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
# RFC 7519 section 4.1 (and RFC 8693 4.3 for client_id, 8693 4.2 / common practice for scp): the type each claim
# must have. NumericDate claims are finite JSON numbers, never strings or booleans.
NUMERIC_DATE_CLAIMS = ("exp", "nbf", "iat")
STRING_CLAIMS = ("iss", "sub", "client_id", "scope", "jti", "token_use")
STRING_OR_STRINGS_CLAIMS = ("aud", "scp")


@dataclass(frozen=True)
class JwtAuthorizerConfig:
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"


@dataclass(frozen=True)
class JwtDecision:
    allowed: bool
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)
    scopes: list[str] | None = None
    reason: str = ""


def _refuse(description: str) -> JwtDecision:
    header = f'Bearer scope="" error="invalid_token" error_description="{description}"'
    return JwtDecision(False, 401, {"www-authenticate": header}, UNAUTHORIZED.document, reason=description)


def bare_token(value: str | None) -> str:
    value = (value or "").strip()
    return value[7:].strip() if value[:7].lower() == "bearer " else value


def decide(config: JwtAuthorizerConfig, identity_value: str | None, jwks: dict, now: int,
           route_scopes: tuple[str, ...] = ()) -> JwtDecision:
    import jwt  # PyJWT imports cryptography's x509 modules (~10 ms, ~3 MB): at an API's first JWT, not at every boot

    token = bare_token(identity_value)
    if not token:
        return _refuse("the token is missing")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return _refuse("the token is not a valid JWT")
    if header.get("alg") not in RSA_ALGORITHMS:
        return _refuse(f"the token's algorithm {header.get('alg')!r} is not supported")
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
    if key is None:
        return _refuse("the signing key (kid) is not in the issuer's JWKS")
    try:
        claims = jwt.decode(
            token, jwt.algorithms.RSAAlgorithm.from_jwk(key), algorithms=[header["alg"]],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_iss": False},
        )
    except jwt.InvalidTokenError:
        return _refuse("the token signature is invalid")
    problem = claim_type_problem(claims) or _claims_problem(config, claims, now) or _scope_problem(claims, route_scopes)
    if problem:
        return _refuse(problem)
    return JwtDecision(True, claims={k: _as_string(v) for k, v in claims.items()},
                       scopes=list(route_scopes) or None, reason="valid token")


def claim_type_problem(claims: dict[str, Any]) -> str:
    """Why a claim has a JSON type the authorizer cannot use, or "" (behaviour.md "JWT authorizer": failure -> 401)."""
    for name in NUMERIC_DATE_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
            return f"the token's {name} claim is not a finite number"
    for name in STRING_CLAIMS:
        if name in claims and not isinstance(claims[name], str):
            return f"the token's {name} claim is not a string"
    for name in STRING_OR_STRINGS_CLAIMS:
        value = claims.get(name)
        if name in claims and not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            return f"the token's {name} claim is not a string or an array of strings"
    return ""


def _claims_problem(config: JwtAuthorizerConfig, claims: dict[str, Any], now: int) -> str:
    if claims.get("iss") != config.issuer:
        return "the token has an invalid issuer"
    audiences = claims.get("aud") or claims.get("client_id")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    if not set(audiences) & set(config.audience):
        return "the token does not have a valid audience"
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
        return "the token has expired"
    if claims.get("nbf", 0) > now or claims.get("iat", 0) > now:
        return "the token is not valid yet"
    return ""


def _scope_problem(claims: dict[str, Any], route_scopes: tuple[str, ...]) -> str:
    if not route_scopes:
        return ""
    granted = claims.get("scope") or claims.get("scp") or ""
    granted = set(granted.split() if isinstance(granted, str) else granted)
    return "" if granted & set(route_scopes) else "the token does not have the required scopes"


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return str(value)

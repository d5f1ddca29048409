"""JWT authorizer decisions (behaviour.md "JWT authorizer") against the fake Cognito pool: no bad token passes."""

from __future__ import annotations

import json

import pytest

from harness.localstack_plugins.apigw.jwt_authorizer import JwtAuthorizerConfig, bare_token, decide
from harness.library.identity import Clock, FakeCognitoUserPool


@pytest.fixture
def pool() -> FakeCognitoUserPool:
    return FakeCognitoUserPool(clock=Clock(1_800_000_000))


@pytest.fixture
def config(pool) -> JwtAuthorizerConfig:
    return JwtAuthorizerConfig(issuer=pool.issuer, audience=(pool.client_id,))


@pytest.fixture(scope="module")
def shared_config(shared_pool) -> JwtAuthorizerConfig:
    return JwtAuthorizerConfig(issuer=shared_pool.issuer, audience=(shared_pool.client_id,))


def check(pool, config, value, scopes=()):
    return decide(config, value, pool.jwks(), pool.clock.now(), scopes)


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", ""])
def test_valid_access_token_bare_or_bearer(pool, config, prefix):
    decision = check(pool, config, prefix + pool.access_token(sub="sub-1"))
    assert decision.allowed and decision.claims["sub"] == "sub-1"
    assert decision.claims["exp"] == str(pool.clock.now() + 3600)  # claims reach the integration as strings


def test_id_token_is_accepted_by_audience(pool, config):
    """HTTP API JWT authorizers check aud or client_id, not token_use (the authorizer Lambda does)."""
    assert check(pool, config, pool.id_token()).allowed


@pytest.mark.parametrize("name", sorted(set(FakeCognitoUserPool.bad_token_names()) - {"id-token-instead-of-access"}))
def test_bad_tokens_get_401_with_www_authenticate(shared_pool, shared_config, bad_tokens, name):
    decision = check(shared_pool, shared_config, bad_tokens[name])
    assert not decision.allowed and decision.status == 401 and decision.body == {"message": "Unauthorized"}
    assert decision.headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token" error_description="')


def test_expiry_follows_the_clock(pool, config):
    token = pool.access_token()
    pool.clock.advance(3600)
    assert check(pool, config, token).reason == "the token has expired"


def test_route_scopes_must_intersect(pool, config):
    token = pool.access_token(scope="openid profile")
    assert check(pool, config, token, ("profile",)).scopes == ["profile"]
    assert check(pool, config, token, ("admin",)).reason == "the token does not have the required scopes"


def test_bare_token():
    assert bare_token("Bearer  abc ") == "abc" and bare_token(None) == "" and bare_token("abc") == "abc"


@pytest.fixture(scope="module")
def wrong_claim_type_tokens(shared_pool) -> dict[str, str]:
    return shared_pool.wrong_claim_type_tokens()


@pytest.mark.parametrize("name", FakeCognitoUserPool.wrong_claim_type_token_names())
def test_a_claim_of_the_wrong_json_type_is_401_never_an_error_or_an_allow(shared_pool, shared_config,
                                                                           wrong_claim_type_tokens, name):
    """behaviour.md "JWT authorizer": a claim the gateway cannot use is a failure -> 401 invalid_token
    (was: `aud` an object -> TypeError unhashable dict, `nbf` a string -> TypeError, `exp` 1e400 -> allowed)."""
    decision = check(shared_pool, shared_config, wrong_claim_type_tokens[name])
    assert not decision.allowed and decision.status == 401 and decision.body == {"message": "Unauthorized"}, decision
    assert 'error="invalid_token"' in decision.headers["www-authenticate"]


def test_sign_json_signs_the_exact_text(pool, config):
    claims = pool.access_claims(sub="raw")
    assert check(pool, config, pool.sign_json(json.dumps(claims))).claims["sub"] == "raw"

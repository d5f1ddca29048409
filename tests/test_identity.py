"""The fake Cognito user pool: real RS256 tokens in Cognito's shapes, and bad ones a verifier must refuse."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.library.identity import ACCESS_TOKEN_LIFETIME, Clock, FakeCognitoUserPool, SigningKey


@pytest.fixture
def pool() -> FakeCognitoUserPool:
    return FakeCognitoUserPool(clock=Clock(1_800_000_000))


def verify_access_token(pool: FakeCognitoUserPool, token: str) -> dict:
    """A strict verifier, as aws-jwt-verify or an HTTP API JWT authorizer checks an access token."""
    header = jwt.get_unverified_header(token)
    keys = {key["kid"]: key for key in pool.jwks()["keys"]}
    if header.get("alg") != "RS256" or header.get("kid") not in keys:
        raise jwt.InvalidTokenError(f"unacceptable header {header}")
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(keys[header["kid"]])
    claims = jwt.decode(token, public_key, algorithms=["RS256"], issuer=pool.issuer,
                        options={"require": ["exp", "iat", "iss"], "verify_aud": False, "verify_exp": False,
                                 "verify_nbf": False, "verify_iat": False},
                        leeway=0)
    # Times are checked against the pool's clock, not the real one.
    now = pool.clock.now()
    if claims["exp"] <= now or claims.get("nbf", 0) > now or claims["iat"] > now:
        raise jwt.InvalidTokenError("not valid at this time")
    if claims.get("token_use") != "access" or claims.get("client_id") != pool.client_id:
        raise jwt.InvalidTokenError("not an access token for this client")
    return claims


def test_issuer_and_jwks_have_cognito_shapes(pool):
    assert pool.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{pool.user_pool_id}"
    assert pool.user_pool_id.startswith("us-east-1_")
    assert pool.openid_configuration()["jwks_uri"] == f"{pool.issuer}/.well-known/jwks.json"
    (key,) = pool.jwks()["keys"]
    assert {"alg": "RS256", "kty": "RSA", "use": "sig"}.items() <= key.items() and {"kid", "n", "e"} <= key.keys()


def test_access_token_claims_match_cognito(pool):
    token = pool.access_token(sub="11111111-2222-3333-4444-555555555555")
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": pool.signing_key.kid, "typ": "JWT"}
    claims = verify_access_token(pool, token)
    assert set(claims) == {"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time",
                           "exp", "iat", "jti", "username"}  # system.md "identity": no aud
    assert claims["exp"] - claims["iat"] == ACCESS_TOKEN_LIFETIME
    assert claims["sub"] == "11111111-2222-3333-4444-555555555555"


def test_id_token_has_aud_and_token_use_id(pool):
    claims = jwt.decode(pool.id_token(), options={"verify_signature": False})
    assert claims["aud"] == pool.client_id and claims["token_use"] == "id" and "client_id" not in claims


def test_clock_drives_expiry(pool):
    token = pool.access_token()
    verify_access_token(pool, token)
    pool.clock.advance(ACCESS_TOKEN_LIFETIME)
    with pytest.raises(jwt.InvalidTokenError):
        verify_access_token(pool, token)


@pytest.mark.parametrize("name", FakeCognitoUserPool.bad_token_names())
def test_every_bad_token_is_refused_by_a_strict_verifier(shared_pool, bad_tokens, name):
    with pytest.raises((jwt.InvalidTokenError, ValueError, KeyError)):
        verify_access_token(shared_pool, bad_tokens[name])


def test_pools_do_not_share_keys():
    first, second = FakeCognitoUserPool(), FakeCognitoUserPool()
    assert first.signing_key.kid != second.signing_key.kid
    assert first.jwks()["keys"][0]["n"] != second.jwks()["keys"][0]["n"]
    assert first.signing_key.public_pem() != first.foreign_key.public_pem()


@pytest.fixture
def keys_made(monkeypatch) -> list[int]:
    """Every RSA key pair made from now on (its size), in any thread."""
    made: list[int] = []
    generate = rsa.generate_private_key
    monkeypatch.setattr(rsa, "generate_private_key", lambda exponent, size: (made.append(size), generate(exponent, size))[1])
    return made


def test_token_names_for_test_ids_make_no_key_and_are_the_names_of_the_tokens(keys_made):
    names = (FakeCognitoUserPool.bad_token_names(), FakeCognitoUserPool.wrong_claim_type_token_names())
    assert keys_made == []
    pool = FakeCognitoUserPool()
    assert names == (sorted(pool.bad_tokens()), sorted(pool.wrong_claim_type_tokens()))


def test_a_pool_makes_its_foreign_key_only_for_the_bad_tokens(keys_made):
    pool = FakeCognitoUserPool()
    pool.access_token()
    pool.wrong_claim_type_tokens()
    assert keys_made == [2048]
    pool.bad_tokens()
    assert keys_made == [2048, 2048]


def test_a_key_pair_is_made_once_whichever_thread_asks_first(keys_made):
    key = SigningKey.generate()
    with ThreadPoolExecutor(8) as threads:
        private_keys = list(threads.map(lambda _: key.private_key, range(8)))
    assert keys_made == [2048] and all(private is private_keys[0] for private in private_keys)


def test_saved_pool_mints_tokens_the_original_verifies(pool, tmp_path):
    path = tmp_path / "identity.json"
    pool.save(path)
    assert path.stat().st_mode & 0o777 == 0o600  # a private key: owner only
    loaded = FakeCognitoUserPool.load(path)
    loaded.clock = pool.clock
    claims = verify_access_token(pool, loaded.access_token(sub="s"))
    assert claims["sub"] == "s" and loaded.issuer == pool.issuer


def test_a_default_clock_follows_real_time_so_late_tokens_keep_their_meaning(monkeypatch):
    """A session-long pool (the `cognito_user_pool` fixture) in a run slower than 10 minutes: its "not-yet-valid" token
    must still be in the future, its access token still valid, when minted late (they were relative to the pool's
    creation)."""
    import time

    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real)
    late = FakeCognitoUserPool()
    monkeypatch.setattr(time, "time", lambda: real + 3 * ACCESS_TOKEN_LIFETIME)
    assert late.clock.now() == int(real + 3 * ACCESS_TOKEN_LIFETIME)
    verify_access_token(late, late.access_token())
    not_yet_valid = jwt.decode(late.bad_tokens()["not-yet-valid"], options={"verify_signature": False})
    assert not_yet_valid["nbf"] > real + 3 * ACCESS_TOKEN_LIFETIME
    late.clock.advance(60)
    assert late.clock.now() == int(real + 3 * ACCESS_TOKEN_LIFETIME + 60)


def test_a_clock_from_a_start_moves_only_when_advanced(monkeypatch):
    import time

    clock = Clock(1_800_000_000)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)
    clock.advance(30)
    assert clock.now() == 1_800_000_030

"""A fake Cognito user pool: per-session RSA keys, its JWKS and OpenID configuration, and tokens.

Tokens have Cognito's exact shapes (system.md "identity": access tokens carry `client_id`, no `aud`;
RS256 with a `kid`; 3600 s lifetime), signed with keys made for this session only. For tests it
also mints the bad ones an authorizer must refuse (behaviour.md "JWT authorizer"): expired, not yet
valid, wrong key, unknown kid, wrong issuer or client, an id token where an access token is due,
tampered, `alg: none`, and HS256 signed with the public key; and, signed with the pool's own key, tokens whose
claims have the wrong JSON type (`aud` an object, `nbf` a string, `exp` 1e400...). A `Clock` drives every time claim.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.shared.emulator_api import cognito_issuer

ACCESS_TOKEN_LIFETIME = 3600
DEFAULT_SCOPE = "aws.cognito.signin.user.admin"


class Clock:
    """Seconds since the epoch that token times follow: the real time by default, so that a session-long pool mints a
    token "not yet valid" or "expired" relative to when the token is made, however long the run takes (frozen at the
    pool's creation, the not-yet-valid token became valid 10 minutes into a slow run); from `start`, a fixed time that
    only `advance` moves (deterministic tests). `advance` shifts either."""

    def __init__(self, start: float | None = None) -> None:
        self._start = start
        self._offset = 0.0

    def now(self) -> int:
        return int((time.time() if self._start is None else self._start) + self._offset)

    def advance(self, seconds: float) -> None:
        self._offset += seconds


class SigningKey:
    """An RS256 key pair and its `kid`. A generated pair is made when it is first used, once, whichever thread asks
    first: a 2048-bit RSA key costs ~40 ms of CPU, and a pool's foreign key signs only the bad tokens, a pool made for
    its token names never signs at all (the suite made 217 keys, ~8.5 s of CPU, half of them never used)."""

    def __init__(self, kid: str, private_key: rsa.RSAPrivateKey | None = None) -> None:
        self.kid = kid
        self._private_key = private_key
        self._making = threading.Lock()

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(kid=base64.b64encode(uuid.uuid4().bytes).decode())

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        with self._making:
            if self._private_key is None:
                self._private_key = rsa.generate_private_key(65537, 2048)
            return self._private_key

    def public_jwk(self) -> dict[str, str]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"alg": "RS256", "e": jwk["e"], "kid": self.kid, "kty": "RSA", "n": jwk["n"], "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def _pool_suffix() -> str:
    return uuid.uuid4().hex[:9].replace("0", "A")


@dataclass
class FakeCognitoUserPool:
    """One user pool and one app client, as the Cruddur frontend uses them."""

    region: str = "us-east-1"
    user_pool_id: str = field(default_factory=lambda: f"us-east-1_{_pool_suffix()}")
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex[:26])
    issuer_override: str | None = None  # e.g. a loopback URL, when the issuer must be fetchable as is
    clock: Clock = field(default_factory=Clock)
    signing_key: SigningKey = field(default_factory=SigningKey.generate)
    foreign_key: SigningKey = field(default_factory=SigningKey.generate)  # never published: "wrong key"

    @property
    def issuer(self) -> str:
        """`https://cognito-idp.<region>.amazonaws.com/<pool id>`, unless overridden."""
        return self.issuer_override or cognito_issuer(self.region, self.user_pool_id)

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.signing_key.public_jwk()]}

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": self.jwks_url,
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "token"],
            "subject_types_supported": ["public"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    # -- persistence, for `harness token` against a running `harness up` ------------------------------
    def save(self, path: Path) -> None:
        """The pool and its private key (file mode 0600): what `load` needs to mint tokens for this stack."""
        pem = self.signing_key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        document = {"region": self.region, "user_pool_id": self.user_pool_id, "client_id": self.client_id,
                    "issuer_override": self.issuer_override, "kid": self.signing_key.kid, "private_key_pem": pem}
        path.touch(mode=0o600)
        path.write_text(json.dumps(document, indent=2))

    @classmethod
    def load(cls, path: Path) -> "FakeCognitoUserPool":
        document = json.loads(path.read_text())
        key = serialization.load_pem_private_key(document["private_key_pem"].encode(), password=None)
        return cls(region=document["region"], user_pool_id=document["user_pool_id"], client_id=document["client_id"],
                   issuer_override=document["issuer_override"], signing_key=SigningKey(document["kid"], key))

    # -- good tokens ------------------------------------------------------------------------------
    def access_claims(self, sub: str | None = None, username: str = "andrewbrown", scope: str = DEFAULT_SCOPE,
                      lifetime: int = ACCESS_TOKEN_LIFETIME) -> dict[str, Any]:
        now = self.clock.now()
        sub = sub or str(uuid.uuid4())
        return {
            "sub": sub, "iss": self.issuer, "client_id": self.client_id, "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()), "token_use": "access", "scope": scope, "auth_time": now,
            "exp": now + lifetime, "iat": now, "jti": str(uuid.uuid4()), "username": username,
        }

    def id_claims(self, sub: str | None = None, username: str = "andrewbrown", email: str = "andrew@example.com") -> dict[str, Any]:
        now = self.clock.now()
        return {
            "sub": sub or str(uuid.uuid4()), "email_verified": True, "iss": self.issuer, "cognito:username": username,
            "origin_jti": str(uuid.uuid4()), "aud": self.client_id, "event_id": str(uuid.uuid4()), "token_use": "id",
            "auth_time": now, "exp": now + ACCESS_TOKEN_LIFETIME, "iat": now, "jti": str(uuid.uuid4()), "email": email,
        }

    def sign(self, claims: dict[str, Any], key: SigningKey | None = None, kid: str | None = None) -> str:
        key = key or self.signing_key
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": kid or key.kid})

    def sign_json(self, payload: str) -> str:
        """An RS256 token over this exact JSON text (for payloads `json.dumps` cannot write, such as `1e400`)."""
        header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": self.signing_key.kid}).encode())
        signing_input = f"{header}.{_b64(payload.encode())}"
        rs256 = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256)
        return f"{signing_input}.{_b64(rs256.sign(signing_input.encode(), self.signing_key.private_key))}"

    def access_token(self, sub: str | None = None, **claim_overrides: Any) -> str:
        claims = self.access_claims(sub) | claim_overrides
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def id_token(self, sub: str | None = None, **claim_overrides: Any) -> str:
        return self.sign(self.id_claims(sub) | claim_overrides)

    # -- bad tokens: each must be refused ------------------------------------------------------------
    def bad_tokens(self, sub: str | None = None) -> dict[str, str]:
        """name -> token; every one of them must be rejected by a correct verifier."""
        return {name: make() for name, make in self._bad_token_makers(sub).items()}

    @classmethod
    def bad_token_names(cls) -> list[str]:
        """The names `bad_tokens` answers, sorted, with no key made and no token signed (test ids at collection)."""
        return sorted(cls()._bad_token_makers(None))

    def _bad_token_makers(self, sub: str | None) -> dict[str, Callable[[], str]]:
        now = self.clock.now()
        good = self.access_claims(sub)
        return {
            "expired": lambda: self.sign(good | {"iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600}),
            "not-yet-valid": lambda: self.sign(good | {"nbf": now + 600, "iat": now + 600}),
            "issued-in-the-future": lambda: self.sign(good | {"iat": now + 600, "exp": now + 4200}),
            "wrong-key": lambda: self.sign(good, key=self.foreign_key, kid=self.signing_key.kid),
            "unknown-kid": lambda: self.sign(good, key=self.foreign_key),
            "wrong-issuer": lambda: self.sign(good | {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0000"}),
            "wrong-client": lambda: self.sign(good | {"client_id": "someoneelsesclient00000000"}),
            "id-token-instead-of-access": lambda: self.id_token(sub),
            "tampered-payload": lambda: _with_payload(self.sign(good), good | {"username": "admin"}),
            "alg-none": lambda: f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT', 'kid': self.signing_key.kid}).encode())}.{_b64(json.dumps(good).encode())}.",
            "hs256-with-public-key": lambda: _hs256(good, self.signing_key),
            "not-a-jwt": lambda: "not.a.jwt",
            "empty": lambda: "",
        }

    def wrong_claim_type_tokens(self, sub: str | None = None) -> dict[str, str]:
        """name -> an access token signed with the pool's key whose claim has a JSON type no verifier may use."""
        return {name: make() for name, make in self._wrong_claim_type_makers(sub).items()}

    @classmethod
    def wrong_claim_type_token_names(cls) -> list[str]:
        """The names `wrong_claim_type_tokens` answers, sorted, with no key made and no token signed."""
        return sorted(cls()._wrong_claim_type_makers(None))

    def _wrong_claim_type_makers(self, sub: str | None) -> dict[str, Callable[[], str]]:
        now = self.clock.now()
        good = self.access_claims(sub)
        as_json = json.dumps(good | {"exp": 0})
        return {
            "aud-object": lambda: self.sign(good | {"aud": {"client": self.client_id}}),
            "aud-array-with-an-object": lambda: self.sign(good | {"aud": [self.client_id, {"x": 1}]}),
            "client-id-array": lambda: self.sign(good | {"client_id": [self.client_id]}),
            "nbf-string": lambda: self.sign(good | {"nbf": str(now - 60)}),
            "iat-string": lambda: self.sign(good | {"iat": str(now)}),
            "exp-numeric-string": lambda: self.sign(good | {"exp": str(now + 3600)}),
            "exp-boolean": lambda: self.sign(good | {"exp": True}),
            "exp-infinity": lambda: self.sign_json(as_json.replace('"exp": 0', '"exp": 1e400')),
            "scope-array": lambda: self.sign(good | {"scope": [DEFAULT_SCOPE]}),
        }


def _with_payload(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload replaced by `claims` and its signature kept (a tampered token)."""
    header, _, signature = token.split(".")
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(claims: dict[str, Any], key: SigningKey) -> str:
    """The key-confusion attack: HMAC-SHA256 keyed with the RSA public key's PEM."""
    import hashlib
    import hmac

    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(key.public_pem(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"

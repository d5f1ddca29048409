"""S3 request authentication inside LocalStack, as AWS enforces it (behaviour.md "S3"; system.md bug 13).

LocalStack 4.13.1 checks presigned URLs only: a request with no Authorization header gets a made-up one
(`Credential=injectedaccesskey/...`, `localstack.aws.handlers.auth`), and a header signature is never verified.
So an unsigned PUT, or one with a forged signature, to the private uploads bucket succeeded where AWS answers 403.
This hook, registered under `localstack.hooks.on_infra_start`, adds a request handler that, for external S3
requests other than presigned ones (LocalStack validates those) and CORS preflights:

- anonymous (no Authorization header): allowed only where the bucket is public, by a bucket policy statement
  allowing `Principal: "*"` the action on the resource, or an ACL grant to AllUsers; otherwise 403 AccessDenied;
- `AWS4-HMAC-SHA256`: the signature is recomputed when the secret of the access key is known (the harness's test
  credentials, IAM and STS keys such as a function's role credentials) and 403 SignatureDoesNotMatch when it differs;
  an access key the engine does not know keeps LocalStack's rule (any credentials work);
- any other scheme (`Bearer ...`): 400 InvalidArgument "Unsupported Authorization Type", as AWS answers
  (observed: github.com/Einstore/Einstore/issues/152, github.com/versity/versitygw/issues/1512).

LocalStack's own calls (internal requests, Lambda's code download, notifications) are not checked.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import hmac
import json
import logging
import re
from typing import Any
from urllib.parse import quote, unquote

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
INJECTED_ACCESS_KEY = "injectedaccesskey"  # what LocalStack's MissingAuthHeaderInjector signs anonymous requests with
TEST_CREDENTIALS = {"test": "test"}  # harness.library.aws.TEST_CREDENTIALS: the key every harness client and LocalStack default use
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
SIGV4_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)\s*$"
)
# The IAM action an anonymous request needs, where it is not "s3:" + the operation's name.
ACTION_OF_OPERATION = {
    "HeadObject": "s3:GetObject", "GetObjectAttributes": "s3:GetObject", "HeadBucket": "s3:ListBucket",
    "ListObjects": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket", "ListObjectVersions": "s3:ListBucketVersions",
    "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
    "CopyObject": "s3:PutObject", "ListMultipartUploads": "s3:ListBucketMultipartUploads", "ListParts": "s3:ListMultipartUploadParts",
    "AbortMultipartUpload": "s3:AbortMultipartUpload", "DeleteObjects": "s3:DeleteObject", "ListBuckets": "s3:ListAllMyBuckets",
}
# The ACL permission an AllUsers grant must give for an anonymous request.
ACL_PERMISSION_OF_ACTION = {"s3:GetObject": "READ", "s3:ListBucket": "READ", "s3:PutObject": "WRITE", "s3:DeleteObject": "WRITE"}


def authenticate_s3_request(chain: Any, context: Any, response: Any) -> None:
    """A LocalStack request handler (runs after the request is parsed): raise AWS's error, or let the request through."""
    from localstack.aws.api.s3 import AccessDenied, InvalidArgument
    from localstack.services.s3.utils import is_presigned_url_request

    if context.service is None or context.service.service_name != "s3" or context.is_internal_call:
        return
    if context.request.method == "OPTIONS" or is_presigned_url_request(context):
        return
    if context.operation is not None and context.operation.name == "PostObject":
        return  # browser form uploads carry their signature in the form; LocalStack validates the POST policy
    authorization = context.request.headers.get("Authorization", "")
    if f"Credential={INJECTED_ACCESS_KEY}/" in authorization:
        if not anonymous_access_allowed(context):
            raise AccessDenied("Access Denied")
        return
    if authorization.startswith("AWS4-HMAC-SHA256"):
        verify_sigv4_header(context, authorization)
    elif not authorization.startswith("AWS "):  # SigV2 headers are not verified here
        raise InvalidArgument("Unsupported Authorization Type", ArgumentName="Authorization", ArgumentValue=authorization)


# -- anonymous requests --------------------------------------------------------------------------------------
def anonymous_access_allowed(context: Any) -> bool:
    operation = context.operation.name if context.operation is not None else ""
    action = ACTION_OF_OPERATION.get(operation, f"s3:{operation}")
    request = context.service_request or {}
    bucket = _find_bucket(context, request.get("Bucket"))
    if bucket is None:  # no such bucket: S3 answers NoSuchBucket, as AWS does; but nobody anonymous creates one
        return bool(request.get("Bucket")) and operation != "CreateBucket"
    key = request.get("Key")
    resource = f"arn:aws:s3:::{bucket.name}" + (f"/{key}" if key else "")
    effect = public_policy_effect(bucket.policy, action, resource)
    if effect is not None:
        return effect == "Allow"
    acls = [bucket.acl]
    if key and action == "s3:GetObject":
        found = bucket.objects.get(key)
        acls.append(getattr(found, "acl", None))
    return any(grants_all_users(acl, ACL_PERMISSION_OF_ACTION.get(action, "")) for acl in acls)


def _find_bucket(context: Any, name: str | None) -> Any:
    from localstack.services.s3.models import s3_stores

    if not name:
        return None
    store = s3_stores[context.account_id][context.region]
    bucket = store.buckets.get(name)
    if bucket is None and (owner := store.global_bucket_map.get(name)):
        bucket = s3_stores[owner][context.region].buckets.get(name)
    return bucket


def public_policy_effect(policy: str | None, action: str, resource: str) -> str | None:
    """"Deny" if a statement for everyone denies, "Allow" if one allows (without conditions), else None."""
    try:
        statements = json.loads(policy).get("Statement", []) if policy else []
    except (ValueError, AttributeError):
        return None
    statements = [statements] if isinstance(statements, dict) else statements
    effects = {s.get("Effect") for s in statements if isinstance(s, dict) and _for_everyone(s.get("Principal"))
               and _matches(s.get("Action"), action) and _matches(s.get("Resource"), resource)
               and (s.get("Effect") == "Deny" or not s.get("Condition"))}
    if "Deny" in effects:
        return "Deny"
    return "Allow" if "Allow" in effects else None


def _for_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return aws == "*" or (isinstance(aws, list) and "*" in aws)


def _matches(patterns: Any, value: str) -> bool:
    patterns = [patterns] if isinstance(patterns, str) else patterns or []
    return any(isinstance(p, str) and fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def grants_all_users(acl: Any, permission: str) -> bool:
    grants = acl.get("Grants", []) if isinstance(acl, dict) else []
    return any((g.get("Grantee") or {}).get("URI") == ALL_USERS and g.get("Permission") in (permission, "FULL_CONTROL")
               for g in grants if isinstance(g, dict))


# -- signed requests -----------------------------------------------------------------------------------------
def secret_of(access_key_id: str, region: str) -> str | None:
    """The secret of an access key the engine knows: the test credentials, or an IAM or STS (role) key."""
    from localstack.services.s3.presigned_url import get_secret_access_key_from_access_key_id

    return TEST_CREDENTIALS.get(access_key_id) or get_secret_access_key_from_access_key_id(access_key_id, region)


def verify_sigv4_header(context: Any, authorization: str) -> None:
    from localstack.aws.api.s3 import AuthorizationHeaderMalformed
    from localstack.services.s3.presigned_url import create_signature_does_not_match_sig_v4

    parsed = SIGV4_AUTHORIZATION.match(authorization)
    credential = parsed["credential"].split("/") if parsed else []
    if len(credential) != 5:
        raise AuthorizationHeaderMalformed("The authorization header is malformed; the Credential is mal-formed; "
                                           "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
    access_key_id, _, region, _, _ = credential
    secret = secret_of(access_key_id, region)
    if secret is None:
        return  # an access key the engine does not know: LocalStack's rule, any credentials work
    expected = [expected_signature(context, secret, credential, parsed["signed"].split(";"), path) for path in _canonical_paths(context)]
    if not any(hmac.compare_digest(signature, parsed["signature"]) for signature, _, _ in expected):
        _, canonical_request, string_to_sign = expected[0]
        LOG.info("S3 request signature does not verify for %s %s", context.request.method, context.request.path)
        raise create_signature_does_not_match_sig_v4(
            {"signature_provided": parsed["signature"], "string_to_sign": string_to_sign, "canonical_request": canonical_request},
            access_key_id)


def _canonical_paths(context: Any) -> list[str]:
    """The path as the client signed it: SDKs URI-encode the key once (`quote` of the decoded path), some sign the
    raw path as sent."""
    from localstack.http.request import get_raw_path

    raw = get_raw_path(context.request)
    encoded = quote(unquote(raw), safe="/~")
    return [encoded] if encoded == raw else [encoded, raw]


def expected_signature(context: Any, secret: str, credential: list[str], signed_headers: list[str], path: str) -> tuple[str, str, str]:
    """(signature, canonical request, string to sign) of the request as received (botocore's SigV4 for S3, over the
    headers the client named in SignedHeaders)."""
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = context.request
    received: dict[str, list[str]] = {}
    for name, value in request.headers.items():  # one pass: each getlist() walked the whole WSGI environ (~6 % of a HEAD)
        received.setdefault(name.lower(), []).append(value)
    signed = SignedHeaders({name: received.get(name.lower(), [""]) for name in signed_headers})
    query = request.query_string.decode()
    aws_request = AWSRequest(method=request.method, url=f"http://{request.headers.get('Host', '')}{path}" + (f"?{query}" if query else ""),
                             headers={name: ",".join(values) for name, values in signed.items()})
    aws_request.context["timestamp"] = request.headers.get("X-Amz-Date", "")
    signer = received_request_signer()(Credentials(credential[0], secret), credential[3], credential[2], signed)
    canonical_request = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical_request)
    return signer.signature(string_to_sign, aws_request), canonical_request, string_to_sign


class SignedHeaders(dict):
    """The headers a client signed, name (lower case) -> the values received, read as botocore reads its HTTPHeaders."""

    def get_all(self, name: str) -> list[str]:
        return self[name]


@functools.cache
def received_request_signer() -> type:
    """botocore's S3SigV4Auth for a request as received: its headers to sign are the ones the client signed (botocore
    leaves out some it never signs itself, such as user-agent, which another client may sign), and its signing key is
    made once per secret, day, region and service (four HMACs of every request)."""
    from botocore.auth import S3SigV4Auth

    class ReceivedRequestSigner(S3SigV4Auth):
        def __init__(self, credentials: Any, service_name: str, region_name: str, signed: SignedHeaders) -> None:
            super().__init__(credentials, service_name, region_name)
            self._signed = signed

        def headers_to_sign(self, request: Any) -> SignedHeaders:
            return self._signed

        def signature(self, string_to_sign: str, request: Any) -> str:
            key = signing_key(self.credentials.secret_key, request.context["timestamp"][0:8], self._region_name, self._service_name)
            return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()

    return ReceivedRequestSigner


@functools.lru_cache(maxsize=256)
def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    """SigV4's signing key, derived as botocore's SigV4Auth.signature derives it."""
    key = f"AWS4{secret}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


@hooks.on_infra_start()
def authenticate_s3_requests_like_aws() -> None:
    from localstack.aws.handlers import serve_custom_service_request_handlers

    serve_custom_service_request_handlers.append(authenticate_s3_request)

"""S3 request authentication rules (harness/s3_request_authentication.py), without a server: which anonymous requests
a bucket makes public, and the SigV4 header signature recomputed exactly as the SDK computed it."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from localstack.http import Request

from harness.localstack_plugins.s3_request_authentication import SIGV4_AUTHORIZATION, expected_signature, grants_all_users, public_policy_effect

BUCKET = "arn:aws:s3:::assets.cruddur.com"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize("statement, action, resource, effect", [
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}, "s3:GetObject", f"{BUCKET}/a.jpg", "Allow"),
    ({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:Get*"], "Resource": [f"{BUCKET}/*"]}, "s3:GetObject", f"{BUCKET}/a", "Allow"),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}, "s3:PutObject", f"{BUCKET}/a", None),
    ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*", "Resource": "*"}, "s3:GetObject", f"{BUCKET}/a", None),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, "s3:GetObject", f"{BUCKET}/a", None),  # not evaluated: not public
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*"}, "s3:GetObject", f"{BUCKET}/a", "Deny"),
])
def test_a_bucket_policy_makes_a_request_public_only_when_it_allows_everyone_that_action(statement, action, resource, effect):
    assert public_policy_effect(policy(statement), action, resource) == effect


def test_no_or_a_broken_policy_is_not_public():
    assert public_policy_effect(None, "s3:GetObject", BUCKET) is None
    assert public_policy_effect("not json", "s3:GetObject", BUCKET) is None


def test_only_an_all_users_grant_of_the_permission_is_public():
    all_users = {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}
    assert grants_all_users({"Grants": [{"Grantee": all_users, "Permission": "READ"}]}, "READ")
    assert not grants_all_users({"Grants": [{"Grantee": all_users, "Permission": "READ"}]}, "WRITE")
    assert not grants_all_users({"Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "x"}, "Permission": "FULL_CONTROL"}]}, "READ")


@pytest.mark.parametrize("key", ["a.jpg", "my avatar+1.jpg", "folder/ünïcode (1).png"])
def test_the_signature_recomputed_from_the_request_as_received_equals_the_sdks(key):
    from urllib.parse import quote

    signed = AWSRequest("PUT", f"http://127.0.0.1:4566/uploads/{quote(key)}?x-id=PutObject",
                        headers={"Content-Type": "image/jpeg", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, data=b"body")
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(signed)
    authorization = signed.headers["Authorization"]
    received = Request("PUT", f"/uploads/{quote(key)}", query_string="x-id=PutObject", body=b"body",
                       headers={**{k: v for k, v in signed.headers.items()}, "Host": "127.0.0.1:4566"})
    parsed = SIGV4_AUTHORIZATION.match(authorization)
    signature, _, _ = expected_signature(SimpleNamespace(request=received), "test", parsed["credential"].split("/"),
                                         parsed["signed"].split(";"), f"/uploads/{quote(key)}")
    assert signature == parsed["signature"]
    forged, _, _ = expected_signature(SimpleNamespace(request=received), "not-the-secret", parsed["credential"].split("/"),
                                      parsed["signed"].split(";"), f"/uploads/{quote(key)}")
    assert forged != parsed["signature"]


def test_a_header_botocore_never_signs_is_verified_when_another_client_signed_it():
    """S3 checks the headers SignedHeaders names, whichever they are: a client that signs user-agent (botocore leaves
    it out of its own signatures) is not refused."""
    from botocore.compat import HTTPHeaders

    class SignsEveryHeader(S3SigV4Auth):
        def headers_to_sign(self, request):
            headers = HTTPHeaders()
            for name, value in request.headers.items():
                headers[name.lower()] = value
            return headers

    headers = {"Host": "127.0.0.1:4566", "User-Agent": "aws-sdk-other/1.0  (two  spaces)", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    signed = AWSRequest("GET", "http://127.0.0.1:4566/uploads/a.jpg", headers=headers)
    SignsEveryHeader(Credentials("test", "test"), "s3", "us-east-1").add_auth(signed)
    parsed = SIGV4_AUTHORIZATION.match(signed.headers["Authorization"])
    assert "user-agent" in parsed["signed"].split(";")
    received = Request("GET", "/uploads/a.jpg", headers=dict(signed.headers.items()))
    signature, _, _ = expected_signature(SimpleNamespace(request=received), "test", parsed["credential"].split("/"),
                                         parsed["signed"].split(";"), "/uploads/a.jpg")
    assert signature == parsed["signature"]

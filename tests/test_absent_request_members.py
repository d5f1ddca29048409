"""LocalStack's request parsers answer an absent header or query member with None at once
(harness.localstack_plugins.absent_request_members), and parse every request as they did: S3 (rest-xml, its own
`_parse_shape` for object keys) and Lambda (rest-json)."""

from __future__ import annotations

import pytest
from localstack.aws.protocol import parser as parsers
from localstack.aws.spec import load_service
from localstack.http import Request

from harness.localstack_plugins.absent_request_members import answer_absent_members_at_once, member_lookup

SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261204/us-east-1/s3/aws4_request, "
                           "SignedHeaders=host;x-amz-date, Signature=abc",
          "x-amz-date": "20261204T000000Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
S3_REQUESTS = {
    "HeadObject": ("HEAD", "/harness-bucket/a/key.jpg", {}, b""),
    "GetObject, a range and a version": ("GET", "/harness-bucket/key.jpg?versionId=v1&partNumber=2",
                                         {"Range": "bytes=0-9", "If-None-Match": "\"e\""}, b""),
    "GetObject, a key ending in slashes": ("GET", "/harness-bucket/folder//", {}, b""),
    "PutObject with metadata": ("PUT", "/harness-bucket/key.jpg", {
        "Content-Type": "image/jpeg", "x-amz-meta-owner": "u1", "Content-Length": "4", "x-amz-tagging": "a=b",
        "Cache-Control": ""}, b"abcd"),
    "CopyObject": ("PUT", "/harness-assets/avatars/k.jpg", {"x-amz-copy-source": "harness-bucket/k.jpg",
                                                          "x-amz-metadata-directive": "REPLACE"}, b""),
    "ListObjectsV2, an empty max-keys": ("GET", "/harness-bucket?list-type=2&prefix=a%20b&max-keys=", {}, b""),
    "GetObjectAttributes, a list header": ("GET", "/harness-bucket/key.jpg?attributes",
                                           {"x-amz-object-attributes": "ETag, ObjectSize"}, b""),
    "PutObjectTagging, an XML body": ("PUT", "/harness-bucket/key.jpg?tagging", {"Content-MD5": "x"},
                                      b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"),
    "a virtual-hosted DeleteObject": ("DELETE", "/key.jpg", {"Host": "harness-bucket.s3.localhost.localstack.cloud"},
                                      b""),
}
LAMBDA_REQUESTS = {
    "Invoke, async": ("POST", "/2015-03-31/functions/f/invocations?Qualifier=live",
                      {"X-Amz-Invocation-Type": "Event", "X-Amz-Log-Type": "Tail"}, b"{}"),
    "Invoke, no headers": ("POST", "/2015-03-31/functions/f/invocations", {}, b"{}"),
    "ListFunctions": ("GET", "/2015-03-31/functions/?MaxItems=5", {}, b""),
}


def parsed(parser: parsers.RequestParser, method: str, path: str, headers: dict[str, str], body: bytes):
    target, _, query = path.partition("?")
    request = Request(method, target, query_string=query, body=body,
                      headers={"Host": "s3.localhost.localstack.cloud", **SIGNED, **headers})
    operation, params = parser.parse(request)
    return operation.name, {name: value.read() if hasattr(value, "read") else value  # a body stream: its bytes
                            for name, value in params.items()}


def patched(parser_class: type) -> type:
    subclass = type(parser_class.__name__, (parser_class,), {})
    answer_absent_members_at_once(subclass)
    return subclass


@pytest.mark.parametrize(("service", "parser_class", "requests"), [
    ("s3", parsers.S3RequestParser, S3_REQUESTS), ("lambda", parsers.RestJSONRequestParser, LAMBDA_REQUESTS)])
def test_every_request_is_parsed_as_localstack_parses_it(service, parser_class, requests):
    model = load_service(service)
    ours, localstacks = patched(parser_class)(model), parser_class(model)
    for label, request in requests.items():
        assert parsed(ours, *request) == parsed(localstacks, *request), label


def test_an_absent_header_member_is_not_parsed_through_the_whole_shape_parse():
    parses: list[str] = []

    class Counted(parsers.S3RequestParser):
        def _parse_shape(self, request, shape, node, uri_params=None):
            parses.append(getattr(shape, "name", None))
            return super()._parse_shape(request, shape, node, uri_params)

    model = load_service("s3")
    parsed(Counted(model), *S3_REQUESTS["CopyObject"])
    theirs = len(parses)
    parses.clear()
    parsed(patched(Counted)(model), *S3_REQUESTS["CopyObject"])
    assert theirs > 40 and len(parses) < 10, (theirs, parses)


def test_a_members_lookup_is_read_from_its_shape_once():
    members = load_service("s3").operation_model("CopyObject").input_shape.members
    assert member_lookup(members["CopySource"]) == ("headers", "x-amz-copy-source")
    assert member_lookup(members["Bucket"]) is None  # a uri member: the parser's own
    assert member_lookup(members["Metadata"]) is None  # a header map
    attributes = load_service("s3").operation_model("GetObjectAttributes").input_shape.members["ObjectAttributes"]
    assert member_lookup(attributes) is None  # a list header: joined from repeated values by the parser
    assert members["CopySource"].__dict__["_harness_absent_member_lookup"] == ("headers", "x-amz-copy-source")

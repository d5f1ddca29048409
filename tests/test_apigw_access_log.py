"""Access-log lines from a stage's format (behaviour.md "HTTP API access logging"), without a server."""

from __future__ import annotations

import json
import re

import pytest

from harness.localstack_plugins.apigw.access_log import (
    REQUEST_ID_HEADER, AccessLogSettingsError, RequestRecord, destination, new_request_id, render, validate_settings,
)
from harness.localstack_plugins.apigw.payload_v2 import HttpRequest, HttpResponse

JSON_FORMAT = json.dumps({"requestId": "$context.requestId", "routeKey": "$context.routeKey", "status": "$context.status",
                          "authorizerError": "$context.authorizer.error", "integrationError": "$context.integrationErrorMessage",
                          "sub": "$context.authorizer.sub", "claimSub": "$context.authorizer.claims.sub"})
CLF_FORMAT = ('$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" '
              '$context.status $context.responseLength $context.requestId $context.integrationErrorMessage')


def record(**fields) -> RequestRecord:
    request = HttpRequest("POST", "/avatars/key_upload", "", [("User-Agent", "curl/8")], b"{}", source_ip="127.0.0.1")
    made = RequestRecord.begin(request, api_id="abc", stage="$default", account_id="000000000000",
                               domain_name="abc.execute-api.localhost.localstack.cloud", now=1_800_000_000.25)
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def test_json_format_is_filled_and_stays_json_with_a_quoted_error():
    line = render(JSON_FORMAT, record(route_key="POST /avatars/key_upload", status=500,
                                      integration_error='The Lambda function returned the following error: KeyError: "UPLOADS"'))
    parsed = json.loads(line)
    assert parsed["routeKey"] == "POST /avatars/key_upload" and parsed["status"] == "500"
    assert parsed["integrationError"] == 'The Lambda function returned the following error: KeyError: "UPLOADS"'


def test_known_variables_without_a_value_are_a_dash_unknown_ones_stay_as_written():
    parsed = json.loads(render(JSON_FORMAT, record()))
    assert parsed["authorizerError"] == "-" and parsed["routeKey"] == "-" and parsed["sub"] == "-" and parsed["claimSub"] == "-"
    assert render("$context.noSuchThing $context.status.", record(status=204)) == "$context.noSuchThing 204."


def test_clf_format_has_the_request_time_and_method():
    line = render(CLF_FORMAT, record(route_key="POST /avatars/key_upload", status=200, response_length=12))
    assert re.fullmatch(r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "POST POST /avatars/key_upload HTTP/1\.1" '
                        r'200 12 \S+ -', line), line


def test_authorizer_context_claims_and_error_message_variables():
    made = record(authorizer_context={"sub": "s-1", "admin": True, "n": 1}, authorizer_claims={"sub": "c-1"},
                  error_message="Forbidden", error_response_type="ACCESS_DENIED")
    line = render("$context.authorizer.sub $context.authorizer.admin $context.authorizer.n $context.authorizer.claims.sub "
                  "$context.error.message $context.error.messageString $context.error.responseType $context.authorizer.claims", made)
    assert line == 's-1 true 1 c-1 Forbidden "Forbidden" ACCESS_DENIED -'
    assert render("$context.error.messageString", record()) == '"-"'


def test_finish_adds_apigw_requestid_equal_to_context_request_id():
    made = record()
    response = made.finish(HttpResponse(200, {"content-type": "text/plain"}, [], b"hello"), now=1_800_000_000.75)
    assert response.headers[REQUEST_ID_HEADER] == made.request_id == render("$context.requestId", made)
    assert render("$context.status $context.responseLength $context.responseLatency $context.extendedRequestId", made) == \
        f"200 5 500 {made.request_id}"


def test_request_ids_are_shaped_like_api_gateways():
    ids = {new_request_id() for _ in range(50)}
    assert len(ids) == 50 and all(len(i) == 16 and i.endswith("=") for i in ids)


def test_path_names_a_named_stage():
    request = HttpRequest("GET", "/a")
    made = RequestRecord.begin(request, api_id="abc", stage="dev", account_id="0", domain_name="d", now=0)
    assert render("$context.path $context.stage", made) == "/dev/a dev"


@pytest.mark.parametrize("arn", ["arn:aws:logs:us-east-1:000000000000:log-group:/aws/apigateway/x",
                                 "arn:aws:logs:us-east-1:000000000000:log-group:/aws/apigateway/x:*"])
def test_destination_is_the_log_group_of_the_arn(arn):
    assert destination({"DestinationArn": arn}).log_group == "/aws/apigateway/x"


@pytest.mark.aws_unverified
@pytest.mark.parametrize("settings, complaint", [
    ({"DestinationArn": "arn:aws:s3:::bucket", "Format": "$context.requestId"}, "Invalid destination ARN"),
    ({"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g", "Format": ""}, "must not be empty"),
    ({"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g", "Format": "$context.status"}, "$context.requestId"),
])
def test_settings_aws_would_refuse(settings, complaint):
    with pytest.raises(AccessLogSettingsError, match=re.escape(complaint)):
        validate_settings(settings)

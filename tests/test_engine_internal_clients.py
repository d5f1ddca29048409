"""What LocalStack answers through its internal S3 clients, unchanged by the hooks that make those clients once
(harness.localstack_plugins.lambda_code_location, s3_website_client; issue 13): GetFunction's Code.Location still
is signed by the same client and names the function's archive, every time; a website endpoint still serves the
index document. (LocalStack 4.13.1's Code.Location itself is refused by its own S3 with SignatureDoesNotMatch, with
or without the hook: noted in issue 13, not changed here.)"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from harness.library.http import http
from harness.library.packaging import zip_files

pytestmark = pytest.mark.emulator_only("LocalStack's internal S3 clients")


def test_each_code_location_is_a_presigned_url_of_the_archive(lambda_function_factory, aws_client):
    """GetFunction answers Code.Location, a presigned URL of the deployment package (LocalStack's form)."""
    archive = zip_files({"app.py": "def handler(event, context):\n    return 1\n"})
    name = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": archive})["FunctionName"]
    locations = [aws_client.lambda_.get_function(FunctionName=name)["Code"]["Location"] for _ in range(2)]
    for location in locations:
        parts = urlsplit(location)
        assert parts.path.startswith("/awslambda-us-east-1-tasks/snapshots/000000000000/" + name)
        assert {"AWSAccessKeyId", "Signature", "Expires"} <= {pair.split("=")[0] for pair in parts.query.split("&")}


def test_a_website_endpoint_serves_the_index_document(localstack_engine, s3_bucket_factory, aws_client):
    bucket = s3_bucket_factory("website")
    aws_client.s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>avatar</h1>", ContentType="text/html")
    aws_client.s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    endpoint = urlsplit(localstack_engine.endpoint_url)
    answer = http("GET", f"{localstack_engine.endpoint_url}/", {"Host": f"{bucket}.s3-website.localhost.localstack.cloud:{endpoint.port}"})
    assert (answer.status, answer.body) == (200, b"<h1>avatar</h1>")

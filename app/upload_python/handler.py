"""Upload Lambda (Cruddur "CruddurAvatarUpload"; Ruby on AWS, Python here): POST {"extension": "jpg"}
-> {"url": <presigned PUT for <cognito sub>.<extension> in UPLOADS_BUCKET_NAME, 300 s>}.

CORS "in the Lambda" style (system.md): when FRONTEND_URL is set, the function answers the
`OPTIONS /{proxy+}` route itself and adds CORS headers to its answers; with CORS in the API's
configuration, those headers are dropped by API Gateway anyway (bug 4).

The extension is checked against a short allow-list (system.md bug 17: the seed's code put any text after
`<sub>.`, so `{"extension": "x/<victim sub>"}` made the key `<sub>.x/<victim sub>`, whose thumbnail, named after the
key's base name, replaced the victim's avatar); anything else is a 400.
"""

from __future__ import annotations

import json
import os

import boto3
from botocore.config import Config

URL_LIFETIME_SECONDS = 300
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")  # what the thumbnail Lambda reads (system.md "Thumbnail rule")
# Regional virtual-hosted URLs on AWS, as the JS SDK v3 makes them (the global host may 307 a new bucket); path-style
# when the SDK is pointed at an emulator (AWS_ENDPOINT_URL), whose address cannot carry a bucket name.
ADDRESSING_STYLE = "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"
s3 = boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": ADDRESSING_STYLE}))


def cors_headers() -> dict[str, str]:
    origin = os.environ.get("FRONTEND_URL")
    if not origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "OPTIONS,GET,POST",
        "Access-Control-Allow-Headers": "*, Authorization",
    }


def caller_sub(authorizer: dict) -> str:
    """The Cognito sub: from the Lambda authorizer's context, or from a JWT authorizer's claims."""
    return authorizer["lambda"]["sub"] if "lambda" in authorizer else authorizer["jwt"]["claims"]["sub"]


def handler(event: dict, context: object) -> dict:
    if event["routeKey"] == "OPTIONS /{proxy+}":
        return {"statusCode": 200, "headers": cors_headers(), "body": json.dumps({})}
    sub = caller_sub(event["requestContext"]["authorizer"])
    extension = json.loads(event["body"])["extension"]
    if not isinstance(extension, str) or extension.lower() not in IMAGE_EXTENSIONS:
        return {"statusCode": 400, "headers": cors_headers(),
                "body": json.dumps({"message": f"extension must be one of {', '.join(IMAGE_EXTENSIONS)}"})}
    return presigned_upload(sub, extension.lower())


def presigned_upload(sub: str, extension: str) -> dict:
    """200 {"url": <presigned PUT of <sub>.<extension>, 300 s>}: only `host` is signed, any Content-Type works."""
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": os.environ["UPLOADS_BUCKET_NAME"], "Key": f"{sub}.{extension}"},
        ExpiresIn=URL_LIFETIME_SECONDS,
    )
    return {"statusCode": 200, "headers": cors_headers(), "body": json.dumps({"url": url})}

"""The upload Lambda with system.md bug 17 put back: the seed presigns `<sub>.<extension>` whatever the extension is."""

import json

import handler as fixed


def handler(event, context):
    if event["routeKey"] == "OPTIONS /{proxy+}":
        return fixed.handler(event, context)
    sub = fixed.caller_sub(event["requestContext"]["authorizer"])
    return fixed.presigned_upload(sub, json.loads(event["body"])["extension"])

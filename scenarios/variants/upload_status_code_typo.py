"""The upload Lambda with system.md bug 7 put back: `status_code` instead of `statusCode`."""

import handler as fixed


def handler(event, context):
    answer = fixed.handler(event, context)
    answer["status_code"] = answer.pop("statusCode")
    return answer

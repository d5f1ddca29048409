"""What API Gateway gets back when it invokes a Lambda function (an authorizer or a proxy integration).

`Invocation` is the data plane's answer to the gateway: the payload and whether the function failed, Lambda's own
status and request id (the function's log lines carry it), or why Lambda could not be invoked at all: the function's
resource policy does not let API Gateway invoke it (`lambda_permission.py`), or Invoke itself failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Invocation:
    payload: bytes = b""
    function_error: bool = False
    status: int | None = 200  # Lambda's status (`$context.integrationStatus`); None when Lambda was not reached
    request_id: str = ""  # Lambda's request id (`$context.integration.requestId`)
    not_permitted: bool = False  # the resource policy does not allow apigateway.amazonaws.com
    failure: str = ""  # why Invoke failed (no such function, throttled, ...), "" when it answered

    @property
    def answered(self) -> bool:
        return not self.not_permitted and not self.failure


def function_error_text(payload: bytes | object) -> str:
    """`<errorType>: <errorMessage>` of a function error payload (as the Lambda runtime reports it), else the payload."""
    answer = payload
    if isinstance(payload, (bytes, str)):
        try:
            answer = json.loads(payload)
        except ValueError:
            return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    if isinstance(answer, dict) and ("errorType" in answer or "errorMessage" in answer):
        return ": ".join(str(answer[key]) for key in ("errorType", "errorMessage") if answer.get(key) not in (None, ""))
    return json.dumps(answer)

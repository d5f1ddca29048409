"""HTTP API requests reach the gateway as the client sent them (LocalStack 4.13.1 handled them first).

- `Content-Encoding` is the client's business: HTTP APIs pass the body through to the integration, header and all.
  LocalStack's request chain gunzips any body that claims `gzip` (`localstack.aws.handlers.codec.ContentDecoder`), so a
  plain body with that header ended in a 500 `BadGzipFile` before the gateway saw it; execute-api requests skip it.
- An empty `Host` cannot be routed to any API: 400 (`gateway_responses.BAD_REQUEST`, status unverified), where
  LocalStack's router took the request for an S3 call and answered 200 with an empty body.

Registered under `localstack.hooks.on_infra_start`, like the other LocalStack corrections.
"""

from __future__ import annotations

from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.apigw.gateway_responses import BAD_REQUEST
from harness.localstack_plugins.apigw.localstack_data_plane import EXECUTE_API_PATH

EXECUTE_API_HOST = ".execute-api."


def is_execute_api(request: Any) -> bool:
    return request.path.startswith(f"{EXECUTE_API_PATH}/") or EXECUTE_API_HOST in (request.headers.get("Host") or "")


def refuse_an_empty_host(chain: Any, context: Any, response: Any) -> None:
    if not context.is_internal_call and context.request.headers.get("Host") == "":
        chain.respond(BAD_REQUEST.status, BAD_REQUEST.body, BAD_REQUEST.all_headers())


@hooks.on_infra_start()
def hand_execute_api_requests_over_as_sent() -> None:
    from localstack.aws.handlers import preprocess_request
    from localstack.aws.handlers.codec import ContentDecoder

    decode = ContentDecoder.__call__

    def decode_unless_execute_api(self: ContentDecoder, chain: Any, context: Any, response: Any) -> None:
        if not is_execute_api(context.request):
            decode(self, chain, context, response)

    ContentDecoder.__call__ = decode_unless_execute_api
    preprocess_request.append(refuse_an_empty_host)

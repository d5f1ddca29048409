"""HTTP API behaviour that AWS documentation does not settle, in one place (behaviour.md: "Where AWS
behaviour is unknown, pick the most plausible, say so in one place"). Each choice is used by the
gateway core, and the scenarios exercising it carry the `aws_unverified` marker, so that a run
against real AWS can settle it and this file is the only one to correct.
"""

# CORS (cors.py). Observed on AWS: the automatic preflight answers 204.
AUTOMATIC_PREFLIGHT_STATUS = 204
# Unverified: a preflight whose origin, method or a header is not allowed also gets 204, with no CORS
# headers at all, so that the browser blocks it (the safe choice).
DISALLOWED_PREFLIGHT_STATUS = 204
# Unverified: with allowHeaders ["*"], the preflight answer's Access-Control-Allow-Headers is "*" as configured
# (a browser does not let "*" cover Authorization, whatever the gateway sends).
ECHO_CONFIGURED_ALLOW_HEADERS = True

# Routing (routing.py). Unverified: for one request, a method-specific route with a path variable and an
# ANY route with more literal segments both match; the more specific path wins over the specific method.
PATH_SPECIFICITY_BEFORE_METHOD = True

# Quotas (gateway_responses.py, quotas.py; behaviour.md "HTTP API quotas and headers": the limits are documented,
# the answers past them are not, for HTTP APIs). Each is (status, body, content-type).
# Observed on a REST API (github.com/koki-develop/lgtm-generator/issues/10): a body over 10485760 bytes -> 413,
# `content-type: text; charset=utf-8`, this text.
PAYLOAD_TOO_LARGE = (413, b"HTTP content length exceeded 10485760 bytes.", "text; charset=utf-8")
# Observed there too: a request past Lambda's 6 MB synchronous payload -> 413 with this JSON (note the space: the
# integration's error, not one of the gateway's compact bodies).
LAMBDA_PAYLOAD_TOO_LARGE = (413, b'{"message": "Request Too Long"}', "application/json")
# Unverified: a function response over Lambda's 6 MB fails the invocation; the gateway answers its 500, as for any failure.
LAMBDA_RESPONSE_TOO_LARGE = (500, b'{"message":"Internal Server Error"}', "application/json")
# Unverified: request line plus headers over 10240 bytes -> 431, the HTTP status for it (RFC 6585).
HEADERS_TOO_LARGE = (431, b'{"message":"Request Header Fields Too Large"}', "application/json")
# Unverified: a request AWS's front door cannot route (an empty Host) -> 400.
BAD_REQUEST = (400, b'{"message":"Bad Request"}', "application/json")

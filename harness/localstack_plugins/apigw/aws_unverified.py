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
# Unverified: `$context.error.responseType` for an answer past a quota (REST APIs call it REQUEST_TOO_LARGE).
QUOTA_RESPONSE_TYPE = "REQUEST_TOO_LARGE"
# Unverified: a request AWS's front door cannot route (an empty Host) -> 400.
BAD_REQUEST = (400, b'{"message":"Bad Request"}', "application/json")
# Access logs (access_log.py). Unverified: what API Gateway writes in the failure variables, except the two texts
# observed on AWS (dev.classmethod.jp, 2023-10: an authorizer without invoke permission, a simple response without
# isAuthorized) and the integration's missing-permission text (the AWS troubleshooting page's screenshot).
AUTHORIZER_NOT_PERMITTED = ("The IAM role configured on the authorizer or API Gateway doesn't have permissions to call the "
                            "authorizer. Check the permissions and try again.")  # observed
INTEGRATION_NOT_PERMITTED = ("The IAM role configured on the integration or API Gateway doesn't have permissions to call the "
                             "integration. Check the permissions and try again.")  # documented (screenshot)
AUTHORIZER_BAD_RESPONSE = "The response from the Lambda Authorizer function doesn't match the format that API Gateway expects. "  # observed
SIMPLE_RESPONSE_WITHOUT_IS_AUTHORIZED = "Simple response did not include 'isAuthorized'"  # observed
AUTHORIZER_FUNCTION_ERROR = "The Lambda Authorizer function returned an error: "  # + "<errorType>: <errorMessage>"
INTEGRATION_FUNCTION_ERROR = "The Lambda function returned the following error: "  # + "<errorType>: <errorMessage>"
INTEGRATION_BAD_RESPONSE = "The response from the Lambda function doesn't match the format that API Gateway expects. "
# Unverified: `$context.error.responseType` of the gateway's own answers (HTTP APIs have no gateway responses to configure).
RESPONSE_TYPES = {404: "RESOURCE_NOT_FOUND", 401: "UNAUTHORIZED", 403: "ACCESS_DENIED"}
AUTHORIZER_ERROR_RESPONSE_TYPE = "AUTHORIZER_CONFIGURATION_ERROR"
INTEGRATION_ERROR_RESPONSE_TYPE = "INTEGRATION_FAILURE"
# Unverified: a value with `"`, `\` or control characters is written JSON-escaped (a JSON format stays parseable);
# a `$context.<name>` API Gateway does not know is left in the line as written; a known one without a value is "-" (observed).
ESCAPE_VALUES_AS_JSON = True
# Unverified: CreateStage/UpdateStage refuse an access log format without $context.requestId or $context.extendedRequestId
# (as REST APIs do), and the log stream API Gateway writes to is named by a 32-hex id.
FORMAT_MUST_NAME_REQUEST_ID = True
# Unverified: the SourceArn API Gateway invokes an integration with: `<api>/<stage>/<route method><route path>`,
# `<api>/<stage>/$default` for the $default route (documented: the authorizer's `<api>/authorizers/<id>`, and `$default/$default`).

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

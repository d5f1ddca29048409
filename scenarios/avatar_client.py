"""What the Cruddur profile form does over HTTP, for scenarios: the API preflight and POST /avatars/key_upload.
With `expect=<status>`, another status fails with the API's reason (access-log line, function logs: harness.library.access_logs)."""

from __future__ import annotations

from harness.library.avatar_api import FRONTEND_ORIGIN
from harness.library.cors_explainer import CorsRequest, Verdict, verdict
from harness.library.http import HttpResult, http
from harness.library.layout import CHECKOUT_ROOT

PHOTO = (CHECKOUT_ROOT / "fixtures" / "images" / "photo.jpg").read_bytes()


def api_preflight(api_url: str, origin: str = FRONTEND_ORIGIN, expect: int | None = None) -> HttpResult:
    return http("OPTIONS", f"{api_url}/avatars/key_upload", {
        "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"},
        expect=expect)


def key_upload(api_url: str, token: str | None, origin: str = FRONTEND_ORIGIN, extension: str = "jpg",
               expect: int | None = None) -> HttpResult:
    headers = {"Content-Type": "application/json", "Origin": origin}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return http("POST", f"{api_url}/avatars/key_upload", headers, f'{{"extension": "{extension}"}}'.encode(), expect=expect)


def browser_verdict(preflight: HttpResult | None, answer: HttpResult | None, origin: str = FRONTEND_ORIGIN) -> Verdict:
    """What a browser would decide for the profile form's POST, with the reasons (harness.library.cors_explainer)."""
    request = CorsRequest(origin, "POST", ("authorization", "content-type"), content_type="application/json")
    return verdict(request, (preflight.status, preflight.headers) if preflight else None,
                   (answer.status, answer.headers) if answer else None)

"""Sends what a browser would send for a cross-origin request (the preflight when one is needed, and the request
itself when asked) and returns the explainer's verdict. Used by `harness cors` and the `cors_probe` fixture."""

from __future__ import annotations

from dataclasses import dataclass

from harness.library.cors_explainer import SAFE_METHODS, CorsRequest, Verdict, verdict
from harness.library.http import HttpResult, http


@dataclass(frozen=True)
class CorsProbe:
    url: str
    request: CorsRequest
    preflight: HttpResult | None
    actual: HttpResult | None
    verdict: Verdict

    @property
    def allowed(self) -> bool:
        return self.verdict.allowed

    def explain(self) -> str:
        lines = [f"preflight OPTIONS {self.url} -> {self.preflight.status}"] if self.preflight else []
        lines += [f"{self.request.method} {self.url} -> {self.actual.status}"] if self.actual else []
        return "\n".join([*lines, self.verdict.explain()])


def probe(url: str, request: CorsRequest, *, send: bool = False, body: bytes | None = None) -> CorsProbe:
    """The actual request is sent when asked, or unasked when it needs no preflight and its method is safe (GET, HEAD):
    for such a request only the actual response decides."""
    send = send or (not request.needs_preflight() and request.method.upper() in SAFE_METHODS)
    preflight = actual = None
    if request.needs_preflight():
        asked = {"Origin": request.origin, "Access-Control-Request-Method": request.method}
        if request.non_safelisted_headers():
            asked["Access-Control-Request-Headers"] = ",".join(request.non_safelisted_headers())
        preflight = http("OPTIONS", url, asked)
    if send:
        sent = {"Origin": request.origin, **({"Content-Type": request.content_type} if request.content_type else {})}
        actual = http(request.method, url, sent, body)
    as_seen = (lambda answer: (answer.status, answer.headers) if answer else None)
    return CorsProbe(url, request, preflight, actual, verdict(request, as_seen(preflight), as_seen(actual)))

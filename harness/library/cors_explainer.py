"""Explains a CORS verdict the way a browser decides it (Fetch standard; behaviour.md "Browser rules").

Pure functions over what was asked and what the server answered: each rule becomes a `Check` with a
sentence a developer understands. Used by `harness cors` and by scenario assertions, so a failing
test says why the browser would block, not just that it would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Headers a page may send without asking (CORS-safelisted), so they need no Allow-Headers entry.
SAFELISTED_HEADERS = {"accept", "accept-language", "content-language", "content-type"}
SAFELISTED_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
SIMPLE_METHODS = {"GET", "HEAD", "POST"}
SAFE_METHODS = {"GET", "HEAD"}  # RFC 9110 9.2.1: sending one changes nothing, so the explainer may send it unasked


@dataclass(frozen=True)
class CorsRequest:
    origin: str
    method: str
    headers: tuple[str, ...] = ()  # names the page sets (lower case)
    content_type: str = ""
    credentials: bool = False

    def needs_preflight(self) -> bool:
        return self.method.upper() not in SIMPLE_METHODS or bool(self.non_safelisted_headers())

    def non_safelisted_headers(self) -> list[str]:
        names = [h.lower() for h in self.headers]
        unsafe = [h for h in names if h not in SAFELISTED_HEADERS]
        if "content-type" in names and self.content_type.split(";")[0].strip().lower() not in SAFELISTED_CONTENT_TYPES:
            unsafe.append("content-type")
        return sorted(set(unsafe))


@dataclass(frozen=True)
class Check:
    ok: bool
    rule: str
    detail: str


@dataclass
class Verdict:
    allowed: bool
    checks: list[Check] = field(default_factory=list)
    undecided_because: str = ""  # no evidence either way: never ALLOWED without it

    def explain(self) -> str:
        if self.undecided_because:
            lines = [f"UNDECIDED by the browser's CORS rules: {self.undecided_because}"]
        else:
            lines = [f"{'ALLOWED' if self.allowed else 'BLOCKED'} by the browser's CORS rules:"]
        lines += [f"  [{'ok' if c.ok else 'FAIL'}] {c.rule}: {c.detail}" for c in self.checks]
        return "\n".join(lines)


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def check_allow_origin(request: CorsRequest, status: int, headers: dict[str, str], step: str) -> list[Check]:
    """The rules every CORS response (preflight or actual) must pass."""
    checks: list[Check] = []
    allow_origin = headers.get("access-control-allow-origin")
    if allow_origin is None:
        hint = " (an error response without CORS headers looks like a CORS failure in the console)" if status >= 400 else ""
        return [Check(False, f"{step}: Access-Control-Allow-Origin", f"missing on a {status} response{hint}")]
    if allow_origin == "*":
        if request.credentials:
            checks.append(Check(False, f"{step}: Access-Control-Allow-Origin", "'*' is not allowed when credentials are included"))
        else:
            checks.append(Check(True, f"{step}: Access-Control-Allow-Origin", "'*' allows any origin without credentials"))
    elif allow_origin == request.origin:
        checks.append(Check(True, f"{step}: Access-Control-Allow-Origin", f"{allow_origin!r} equals the page origin"))
    else:
        why = "a trailing slash is not part of an origin" if allow_origin.rstrip("/") == request.origin else "it must equal it exactly"
        checks.append(Check(False, f"{step}: Access-Control-Allow-Origin", f"{allow_origin!r} is not the page origin {request.origin!r}: {why}"))
    if request.credentials:
        ok = headers.get("access-control-allow-credentials") == "true"
        checks.append(Check(ok, f"{step}: Access-Control-Allow-Credentials", "'true'" if ok else "must be 'true' when credentials are included"))
    return checks


def check_preflight(request: CorsRequest, status: int, headers: dict[str, str]) -> list[Check]:
    checks = [Check(200 <= status < 300, "preflight: status", f"{status}" + ("" if 200 <= status < 300 else " — it does not have HTTP ok status"))]
    checks += check_allow_origin(request, status, headers, "preflight")
    methods = [m.upper() for m in _split(headers.get("access-control-allow-methods"))]
    method = request.method.upper()
    if method in SIMPLE_METHODS or method in methods or ("*" in methods and not request.credentials):
        checks.append(Check(True, "preflight: Access-Control-Allow-Methods", f"{method} is allowed"))
    else:
        checks.append(Check(False, "preflight: Access-Control-Allow-Methods", f"{method} is not in {methods or 'an empty list'}"))
    allowed = [h.lower() for h in _split(headers.get("access-control-allow-headers"))]
    for header in request.non_safelisted_headers():
        if header in allowed:
            checks.append(Check(True, "preflight: Access-Control-Allow-Headers", f"{header!r} is listed"))
        elif "*" in allowed and header != "authorization" and not request.credentials:
            checks.append(Check(True, "preflight: Access-Control-Allow-Headers", f"{header!r} is covered by '*'"))
        elif "*" in allowed and header == "authorization":
            checks.append(Check(False, "preflight: Access-Control-Allow-Headers", "'*' never covers Authorization: list it by name"))
        else:
            checks.append(Check(False, "preflight: Access-Control-Allow-Headers", f"{header!r} is not in {allowed or 'an empty list'}"))
    return checks


def verdict(request: CorsRequest, preflight: tuple[int, dict[str, str]] | None, actual: tuple[int, dict[str, str]] | None) -> Verdict:
    """The browser's verdict from the preflight answer (when one is needed) and the actual answer (when sent)."""
    checks: list[Check] = []
    if request.needs_preflight():
        if preflight is None:
            checks.append(Check(False, "preflight", "needed (non-simple method or headers) but no answer was given"))
        else:
            checks += check_preflight(request, *preflight)
    if actual is not None and all(c.ok for c in checks):
        checks += check_allow_origin(request, actual[0], actual[1], "response")
    if actual is None and not request.needs_preflight():
        # The browser sends a simple request without asking, then lets the page read the answer only if that answer
        # allows the origin: without the answer there is no evidence either way.
        return Verdict(False, checks, undecided_because=(
            f"{request.method} with only CORS-safelisted headers needs no preflight; the browser sends it and blocks "
            "reading the response unless the actual response allows the origin, so the verdict depends on that response "
            "(send it: --send)"))
    return Verdict(all(c.ok for c in checks), checks)

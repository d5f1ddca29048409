"""`harness demo`: the whole avatar flow a user reproduces (system.md "The avatar flow, end to end"), each step with its
status and time, then the functions' CloudWatch lines; then one step broken on purpose (system.md bug 2, an expired
token) with its symptom and the log line that explains it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from harness.library.avatar_api import AvatarApi
from harness.library.cdn import CdnDistribution
from harness.library.http import HttpResult, http
from harness.library.identity import FakeCognitoUserPool
from harness.library.lambda_functions import function_logs, log_group
from harness.library.thumbnail_pipeline import ThumbnailPipeline
from harness.shared.errors import HarnessError

# What explains a refused expired token, in each authorizer's own words (aws-jwt-verify's, the python stand-in's).
EXPIRED_TOKEN_SAYS = ("JwtExpiredError: Token expired at", "ExpiredSignatureError")
LOG_MARKERS = ("START RequestId", "END RequestId", "INIT_START")  # the runtime's frame lines, left out of the summary


@dataclass(frozen=True)
class Step:
    name: str
    status: str
    ms: float
    detail: str = ""
    ok: bool = True

    def line(self) -> str:
        return f"  {'ok ' if self.ok else 'BAD'} {self.name:<48} {self.status:>5} {self.ms:>7.0f} ms  {self.detail}".rstrip()


def _timed(name: str, action: Callable[[], tuple[str, str, bool]]) -> Step:
    started = time.perf_counter()
    try:
        status, detail, ok = action()
    except (HarnessError, OSError) as error:  # a timeout's evidence, a refused connection: the step failed, say how
        status, detail, ok = "error", str(error).splitlines()[0], False
    return Step(name, status, (time.perf_counter() - started) * 1000, detail, ok)


def _answer(result: HttpResult, expected: int, detail: str = "") -> tuple[str, str, bool]:
    body = "" if result.status == expected else result.body[:120].decode(errors="replace")
    return str(result.status), detail or body, result.status == expected


def avatar_flow(api: AvatarApi, pipeline: ThumbnailPipeline, pool: FakeCognitoUserPool, image: bytes, cdn: CdnDistribution) -> list[Step]:
    """The steps of the profile form's upload, in order; a failing step ends the flow (what follows needs it)."""
    sub = str(uuid.uuid4())
    origin = api.spec.frontend_origin
    endpoint = f"{api.api_url}/avatars/key_upload"
    found: dict[str, str] = {}

    def mint() -> tuple[str, str, bool]:
        found["token"] = pool.access_token(sub=sub)
        return "-", f"Cognito access token for sub {sub}", True

    def preflight() -> tuple[str, str, bool]:
        result = http("OPTIONS", endpoint, {"Origin": origin, "Access-Control-Request-Method": "POST",
                                            "Access-Control-Request-Headers": "authorization,content-type"})
        allowed = result.headers.get("access-control-allow-origin", "")
        return str(result.status), f"access-control-allow-origin: {allowed or '(none)'}", result.status in (200, 204) and allowed == origin

    def key_upload() -> tuple[str, str, bool]:
        result = http("POST", endpoint, {"Authorization": f"Bearer {found['token']}", "Content-Type": "application/json",
                                         "Origin": origin}, b'{"extension": "jpg"}')
        if result.status == 200:
            found["url"] = result.json().get("url", "")
        return _answer(result, 200, f"presigned PUT for {sub}.jpg" if found.get("url") else "")

    def put() -> tuple[str, str, bool]:
        return _answer(http("PUT", found["url"], {"Content-Type": "image/jpeg"}, image), 200, f"{len(image)} bytes")

    def thumbnail() -> tuple[str, str, bool]:
        data = pipeline.wait_for_thumbnail(f"{sub}.jpg", timeout=60)
        return "-", f"s3://{pipeline.spec.assets_bucket}/{pipeline.spec.output_key(sub + '.jpg')} ({len(data)} bytes)", True

    def avatar() -> tuple[str, str, bool]:
        result = http("GET", f"{cdn.url}/avatars/{sub}.jpg")
        return _answer(result, 200, f"{result.headers.get('content-type', '')}, {len(result.body)} bytes")

    steps: list[Step] = []
    for name, action in (("mint a token", mint), ("preflight OPTIONS /avatars/key_upload", preflight),
                         ("POST /avatars/key_upload (through the authorizer)", key_upload),
                         ("PUT the avatar to the presigned URL", put), ("thumbnail in the assets bucket", thumbnail),
                         (f"GET /avatars/{sub[:8]}....jpg from the CDN", avatar)):
        steps.append(_timed(name, action))
        if not steps[-1].ok:
            break
    return steps


def function_lines(api: AvatarApi, pipeline: ThumbnailPipeline) -> list[str]:
    """The functions' CloudWatch Logs lines (authorizer, upload, thumbnail), each with its log group."""
    lines = []
    for name in (api.spec.authorizer_function, api.spec.upload_function, pipeline.spec.function_name):
        for line in function_logs(api.clients.logs, name).splitlines():
            if line.strip() and not line.startswith(LOG_MARKERS):
                lines.append(f"  {log_group(name)}  {line[:200]}")
    return lines


def broken_step(api: AvatarApi, pool: FakeCognitoUserPool) -> tuple[Step, str]:
    """system.md bug 2: an expired access token. The symptom (403 Forbidden) and the authorizer's line saying why."""
    expired = pool.bad_tokens()["expired"]
    started = time.perf_counter()
    result = http("POST", f"{api.api_url}/avatars/key_upload", {"Authorization": f"Bearer {expired}",
                                                                "Content-Type": "application/json"}, b'{"extension": "jpg"}')
    step = Step("POST /avatars/key_upload with an expired token", str(result.status), (time.perf_counter() - started) * 1000,
                result.body[:120].decode(errors="replace"), ok=result.status == 403)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        why = [line for line in function_logs(api.clients.logs, api.spec.authorizer_function).splitlines()
               if any(words in line for words in EXPIRED_TOKEN_SAYS)]
        if why:
            return step, f"{log_group(api.spec.authorizer_function)}  {why[-1][:300]}"
        time.sleep(0.5)
    return step, f"(no line of {log_group(api.spec.authorizer_function)} says why within 30 s)"

"""`pytest --engine aws --dry-run`: what a run against a real account would create, run, skip and record,
printed without touching AWS (no call is made; credentials are only looked up)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.library.avatar_api import AvatarApiSpec
from harness.library.thumbnail_pipeline import ThumbnailPipelineSpec


@dataclass(frozen=True)
class PlannedTest:
    test_id: str
    skip_reason: str | None  # emulator-only: why it does not run on AWS
    records_answers: bool  # aws_unverified: what AWS answers is written down


def session_resources(prefix: str) -> list[tuple[str, str]]:
    """(kind, name) of what the session creates first; per-test resources get the same prefix."""
    pipeline = ThumbnailPipelineSpec().with_unique_names(prefix)
    api = AvatarApiSpec(uploads_bucket=pipeline.uploads_bucket).with_unique_names(prefix)
    return [
        ("s3 bucket", f"{pipeline.uploads_bucket}  (uploads: CORS, event notification -> thumbnail function)"),
        ("s3 bucket", f"{pipeline.assets_bucket}  (assets: thumbnails under {pipeline.folder_output}/)"),
        ("iam role", pipeline.role_name),
        ("lambda function", f"{pipeline.function_name}  ({pipeline.runtime}, thumbnail)"),
        ("s3 bucket", f"{api.jwks_bucket}  (the fake user pool's JWKS, read by the authorizer with its role)"),
        ("iam role", api.upload_role),
        ("iam role", api.authorizer_role),
        ("lambda function", f"{api.upload_function}  (presigned upload URL)"),
        ("lambda function", f"{api.authorizer_function}  (Lambda authorizer)"),
        ("http api", f"{api.api_name}  (POST /avatars/key_upload, OPTIONS /{{proxy+}}, stage $default)"),
    ]


def plan_text(*, region: str, prefix: str, credentials: str | None, opted_in: bool, tests: list[PlannedTest]) -> str:
    runs = [t for t in tests if t.skip_reason is None]
    skipped = [t for t in tests if t.skip_reason is not None]
    lines = [
        "--engine aws dry run: nothing is created, no AWS call is made",
        f"  region:       {region}",
        f"  credentials:  {credentials or 'NONE FOUND: a real run would refuse to start'}",
        f"  confirmation: {'--aws-opt-in given' if opted_in else '--aws-opt-in missing: a real run would refuse to start'}",
        f"  name prefix:  {prefix}  (a real run draws its own; every resource it creates starts with it)",
        "",
        "session resources, created at the start:",
        *(f"  {kind:<16} {name}" for kind, name in session_resources(prefix)),
        "per-test resources: uniquely named under the same prefix, deleted after each test",
        f"teardown: at the end, even after a failure or Ctrl-C, every resource named {prefix}* is deleted",
        "",
        f"tests: {len(runs)} run, {len(skipped)} skipped as emulator-only, "
        f"{sum(t.records_answers for t in runs)} record what AWS answers (aws_unverified)",
        *(f"  run   {t.test_id}{'  [records answers]' if t.records_answers else ''}" for t in runs),
        *(f"  skip  {t.test_id}  ({t.skip_reason})" for t in skipped),
    ]
    return "\n".join(lines)

"""The CloudFront-like distribution in front of the assets bucket."""

from __future__ import annotations

import uuid

from harness.library.http import http
from harness.library.layout import CHECKOUT_ROOT

PHOTO = (CHECKOUT_ROOT / "fixtures" / "images" / "photo.jpg").read_bytes()


def test_avatar_is_served_with_cache_headers_and_304(thumbnail_pipeline, assets_cdn):
    sub = str(uuid.uuid4())
    thumbnail_pipeline.upload(f"{sub}.jpg", PHOTO)
    thumbnail = thumbnail_pipeline.wait_for_thumbnail(f"{sub}.jpg")
    answer = http("GET", f"{assets_cdn.url}/avatars/{sub}.jpg")
    assert answer.status == 200 and answer.body == thumbnail
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "public, max-age=86400"
    assert answer.headers["etag"].startswith('"') and answer.headers["last-modified"].endswith("GMT")
    again = http("GET", f"{assets_cdn.url}/avatars/{sub}.jpg", {"If-None-Match": answer.headers["etag"]})
    assert again.status == 304 and again.body == b""
    assert http("HEAD", f"{assets_cdn.url}/avatars/{sub}.jpg").status == 200


def test_missing_avatar_is_404_and_other_methods_are_403(assets_cdn):
    missing = http("GET", f"{assets_cdn.url}/avatars/{uuid.uuid4()}.jpg")
    assert missing.status == 404 and b"NoSuchKey" in missing.body
    assert http("POST", f"{assets_cdn.url}/avatars/x.jpg", body=b"x").status == 403

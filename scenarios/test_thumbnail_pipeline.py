"""Upload -> S3 event -> thumbnail Lambda -> assets bucket, as deployed (system.md "Thumbnail rule").

Each bug scenario reads like its report: the wrong config, the symptom AWS shows, the fix, success.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image

from harness.library.cdn import CdnDistribution
from harness.library.cleanup import Cleanup
from harness.library.http import http
from harness.library.imaging import GOLDEN_MIN_PSNR_DB, psnr, sharp_min_psnr_db
from harness.library.s3 import head_object, list_keys
from harness.library.layout import CHECKOUT_ROOT
from harness.library.thumbnail_pipeline import ThumbnailPipeline, ThumbnailPipelineSpec, provision_thumbnail_pipeline
from harness.library.waiting import wait_until

IMAGES = CHECKOUT_ROOT / "fixtures" / "images"
GOLDEN = CHECKOUT_ROOT / "fixtures" / "golden"
BAD = CHECKOUT_ROOT / "fixtures" / "bad"
PHOTO = IMAGES / "photo.jpg"
VARIANTS = Path(__file__).with_name("variants")  # the SUT with one seed bug put back


def unique_key(name: str) -> str:
    return f"{uuid.uuid4().hex[:8]}-{name}"


def assert_is_avatar(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size, image.mode) == ("JPEG", (512, 512), "RGB")
    return image


def golden_for(source: Path) -> Image.Image:
    return Image.open(GOLDEN / f"{source.stem}.jpg")


@pytest.fixture(scope="module")
def fixed_pipeline(aws_client, name_prefix, sut):
    """`get(**spec_fields)`: a pipeline with the right configuration, as a bug scenario's fix ends with it; one per
    distinct configuration in this module (each scenario uploads under keys of its own and counts nothing on it),
    deleted at the module's end."""
    made: dict[str, ThumbnailPipeline] = {}

    def get(**overrides) -> ThumbnailPipeline:
        spec = ThumbnailPipelineSpec(**{"implementation": sut, **overrides})
        if repr(spec) not in made:
            made[repr(spec)] = provision_thumbnail_pipeline(aws_client, spec.with_unique_names(name_prefix))
        return made[repr(spec)]

    yield get
    cleanup = Cleanup("the fixed pipelines of test_thumbnail_pipeline")
    for pipeline in made.values():
        cleanup.run(pipeline.description, pipeline.teardown)
    cleanup.raise_if_failed()


@pytest.mark.parametrize("source", sorted(IMAGES.iterdir()), ids=lambda p: p.name)
def test_upload_produces_thumbnail_matching_golden(thumbnail_pipeline, source):
    key = unique_key(source.name)
    thumbnail_pipeline.upload(key, source.read_bytes())
    thumbnail = assert_is_avatar(thumbnail_pipeline.wait_for_thumbnail(key))
    head = thumbnail_pipeline.clients.s3.head_object(Bucket=thumbnail_pipeline.spec.assets_bucket,
                                                     Key=thumbnail_pipeline.spec.output_key(key))
    assert head["ContentType"] == "image/jpeg"
    # The goldens are Pillow's; sharp (the seed's thumbnailer, the default --sut) agrees within its own bound.
    least = sharp_min_psnr_db(source.name) if thumbnail_pipeline.spec.is_node else GOLDEN_MIN_PSNR_DB
    assert psnr(thumbnail, golden_for(source)) >= least


def test_sharp_implementation_agrees_with_pillow(fixed_pipeline):
    """The seed's Node + sharp Lambda, running under nodejs20.x, produces the same avatars."""
    pipeline = fixed_pipeline(runtime="nodejs20.x")
    keys = {source: unique_key(source.name) for source in sorted(IMAGES.iterdir())}
    for source, key in keys.items():
        pipeline.upload(key, source.read_bytes())
    for source, key in keys.items():
        thumbnail = assert_is_avatar(pipeline.wait_for_thumbnail(key))
        assert psnr(thumbnail, golden_for(source)) >= sharp_min_psnr_db(source.name), source.name


def test_source_folder_is_dropped_from_output_key(thumbnail_pipeline):
    key = f"some/folder/{unique_key('photo.jpg')}"
    thumbnail_pipeline.upload(key, PHOTO.read_bytes())
    thumbnail_pipeline.wait_for_thumbnail(key)
    assert thumbnail_pipeline.spec.output_key(key) == f"avatars/{Path(key).stem}.jpg"


# -- seed bugs (system.md "Bugs people actually hit") -------------------------------------------------

@pytest.mark.parametrize("runtime, library, message", [
    ("nodejs20.x", "sharp", "Runtime.ImportModuleError"),
    ("python3.12", "PIL", "Runtime.ImportModuleError"),
])
def test_bug_09_package_without_image_library_gives_no_thumbnail(thumbnail_pipeline_factory, fixed_pipeline, runtime, library,
                                                                 message):
    broken = thumbnail_pipeline_factory(runtime=runtime, package_without=(library,))
    key = unique_key("photo.jpg")
    broken.upload(key, PHOTO.read_bytes())
    logs = broken.wait_for_logs(message)
    assert f"'{library}'" in logs  # "Cannot find module 'sharp'" / "No module named 'PIL'"
    assert head_object(broken.clients.s3, broken.spec.assets_bucket, broken.spec.output_key(key)) is None

    fixed = fixed_pipeline(runtime=runtime)
    fixed.upload(key, PHOTO.read_bytes())
    assert_is_avatar(fixed.wait_for_thumbnail(key))


@pytest.mark.parametrize("runtime", ["python3.12", "nodejs20.x"])
@pytest.mark.parametrize("width", ["NaN", "512px", ""])
def test_bug_10_width_not_an_integer_gives_no_thumbnail(thumbnail_pipeline_factory, fixed_pipeline, runtime, width):
    broken = thumbnail_pipeline_factory(runtime=runtime, process_width=width)
    key = unique_key("photo.jpg")
    broken.upload(key, PHOTO.read_bytes())
    broken.wait_for_logs("PROCESS_WIDTH must be a positive integer")
    assert list_keys(broken.clients.s3, broken.spec.assets_bucket) == []

    fixed = fixed_pipeline(runtime=runtime, process_width="512")
    fixed.upload(key, PHOTO.read_bytes())
    assert_is_avatar(fixed.wait_for_thumbnail(key))


def test_bug_11_key_with_spaces_arrives_plus_encoded(thumbnail_pipeline_factory, thumbnail_pipeline):
    """The event carries `my+avatar.jpg`; code that skips URL-decoding gets NoSuchKey."""
    key = f"{uuid.uuid4().hex[:6]} my avatar.jpg"
    broken = thumbnail_pipeline_factory(handler="buggy_no_key_decoding.handler", extra_files=(VARIANTS / "buggy_no_key_decoding.py",),
                                        implementation="python")  # the variant is the Pillow stand-in's
    broken.upload(key, PHOTO.read_bytes())
    logs = broken.wait_for_logs("NoSuchKey")
    assert f"GetObject key={key.replace(' ', '+')}" in logs  # what the event carried
    assert list_keys(broken.clients.s3, broken.spec.assets_bucket) == []

    fixed = thumbnail_pipeline  # as deployed: the seed's thumbnailer decodes the key
    fixed.upload(key, PHOTO.read_bytes())
    assert_is_avatar(fixed.wait_for_thumbnail(key))
    assert fixed.spec.output_key(key).endswith(" my avatar.jpg")


def test_bug_12_output_folder_mismatch_is_a_cdn_404(thumbnail_pipeline_factory, fixed_pipeline):
    """FOLDER_OUTPUT="avatars/processed" while the site loads /avatars/<sub>.jpg from the CDN: 404."""
    sub = str(uuid.uuid4())
    broken = thumbnail_pipeline_factory(folder_output="avatars/processed")
    broken.upload(f"{sub}.jpg", PHOTO.read_bytes())
    broken.wait_for_thumbnail(f"{sub}.jpg")  # it lands, but under avatars/processed/
    with CdnDistribution(broken.clients.s3, broken.spec.assets_bucket) as cdn:
        assert http("GET", f"{cdn.url}/avatars/{sub}.jpg").status == 404
        assert http("GET", f"{cdn.url}/avatars/processed/{sub}.jpg").status == 200

    fixed = fixed_pipeline(folder_output="avatars")
    fixed.upload(f"{sub}.jpg", PHOTO.read_bytes())
    fixed.wait_for_thumbnail(f"{sub}.jpg")
    with CdnDistribution(fixed.clients.s3, fixed.spec.assets_bucket) as cdn:
        answer = http("GET", f"{cdn.url}/avatars/{sub}.jpg")
        assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"


@pytest.mark.emulator_only("on AWS this is a real recursive S3 -> Lambda loop, billed until loop detection stops it")
def test_bug_16_single_bucket_without_prefix_filter_retriggers_on_its_own_output(thumbnail_pipeline_factory):
    broken = thumbnail_pipeline_factory(assets_bucket="cruddur-uploaded-avatars", folder_input="uploads")
    key = f"uploads/{uuid.uuid4()}.jpg"
    broken.upload(key, PHOTO.read_bytes())
    # Each thumbnail written under avatars/ is itself an ObjectCreated:Put that runs the function again.
    wait_until(lambda: broken.invocations() >= 3, timeout=30, what="the function to re-trigger on its output",
               evidence=broken.logs)
    broken.teardown()  # ends the loop: notification removed first

    fixed = thumbnail_pipeline_factory(assets_bucket="cruddur-uploaded-avatars", folder_input="uploads",
                                       notification_prefix="uploads/")
    fixed.upload(key, PHOTO.read_bytes())
    fixed.wait_for_thumbnail(key)
    fixed.wait_for_logs("END RequestId")
    assert fixed.invocations() == 1


# -- bad input: a clear error, 3 attempts, nothing written, the next upload still works ---------------

@pytest.mark.slow
@pytest.mark.emulator_only("AWS retries a failed S3 event after ~1 and ~2 minutes; the emulator shortens that to 1 and 2 s")
@pytest.mark.parametrize("bad", sorted(BAD.iterdir()), ids=lambda p: p.name)
def test_bad_upload_fails_cleanly_and_loses_nothing(thumbnail_pipeline_factory, bad):
    pipeline = thumbnail_pipeline_factory()
    key = unique_key(bad.name)
    pipeline.upload(key, bad.read_bytes())
    # behaviour.md "S3": asynchronous invocation, retried twice more -> 3 attempts, then dropped.
    wait_until(lambda: pipeline.invocations() >= 3 and pipeline.logs().count("END RequestId") >= 3, timeout=30,
               what="3 failed attempts", evidence=pipeline.logs)
    logs = pipeline.logs()
    assert "cannot" in logs.lower() or "decompression" in logs.lower(), logs
    assert list_keys(pipeline.clients.s3, pipeline.spec.assets_bucket) == []

    good = unique_key("photo.jpg")
    pipeline.upload(good, PHOTO.read_bytes())
    assert_is_avatar(pipeline.wait_for_thumbnail(good))
    # The thumbnail is written during the 4th invocation; its log lines arrive after it ends (on AWS too).
    wait_until(lambda: pipeline.logs().count("END RequestId") >= 4, timeout=30, what="the 4th invocation's END line",
               evidence=pipeline.logs)
    assert pipeline.invocations() == 4


def test_provisioning_is_idempotent(aws_client, thumbnail_pipeline):
    """Running the same provisioning again changes nothing and the pipeline still works."""
    again = provision_thumbnail_pipeline(aws_client, thumbnail_pipeline.spec)
    assert again.function_arn == thumbnail_pipeline.function_arn
    notification = aws_client.s3.get_bucket_notification_configuration(Bucket=again.spec.uploads_bucket)
    assert len(notification["LambdaFunctionConfigurations"]) == 1
    assert "Filter" not in notification["LambdaFunctionConfigurations"][0]  # no prefix filter, as deployed
    key = unique_key("photo.jpg")
    again.upload(key, PHOTO.read_bytes())
    assert_is_avatar(again.wait_for_thumbnail(key))

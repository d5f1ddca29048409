"""The thumbnail stack as a SAM template (`Transform: AWS::Serverless-2016-10-31`), which LocalStack 4.13.1's
CloudFormation engine expands with samtranslator: an AWS::Serverless::Function with an S3 event on the uploads
bucket, its environment as system.md gives it, and a policy template for the assets bucket. An upload gives the
thumbnail (SAM puts the notification on the bucket itself: no custom resource)."""

from __future__ import annotations

import uuid

from harness.library.layout import APP_DIR
from harness.library.packaging import python_function_zip
from harness.library.s3 import delete_bucket, ensure_bucket, wait_for_object
from scenarios.avatar_client import PHOTO


def sam_template(code_bucket: str, code_key: str) -> dict:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Parameters": {"UploadsBucketName": {"Type": "String"}, "AssetsBucketName": {"Type": "String"}},
        "Resources": {
            "UploadsBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "UploadsBucketName"}}},
            "ThumbLambda": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "handler.handler", "Timeout": 30, "MemorySize": 512,
                "CodeUri": {"Bucket": code_bucket, "Key": code_key},
                "Environment": {"Variables": {
                    "DEST_BUCKET_NAME": {"Ref": "AssetsBucketName"}, "FOLDER_INPUT": "", "FOLDER_OUTPUT": "avatars",
                    "PROCESS_WIDTH": "512", "PROCESS_HEIGHT": "512"}},
                "Policies": [{"S3CrudPolicy": {"BucketName": {"Ref": "AssetsBucketName"}}},
                             {"S3ReadPolicy": {"BucketName": {"Ref": "UploadsBucketName"}}}],
                "Events": {"Upload": {"Type": "S3", "Properties": {
                    "Bucket": {"Ref": "UploadsBucket"}, "Events": "s3:ObjectCreated:Put"}}},
            }},
        },
    }


def test_sam_template_of_the_thumbnail_stack_deploys_and_makes_thumbnails(cloudformation_stack, aws_client, name_prefix):
    suffix = uuid.uuid4().hex[:8]
    code_bucket, assets, uploads = (f"{name_prefix}sam-{part}-{suffix}" for part in ("code", "assets", "uploads"))
    for bucket in (code_bucket, assets):
        ensure_bucket(aws_client.s3, bucket)
    aws_client.s3.put_object(Bucket=code_bucket, Key="thumb.zip", Body=python_function_zip(APP_DIR / "thumbnail_python", "3.12"))
    try:
        stack = cloudformation_stack(sam_template(code_bucket, "thumb.zip"),
                                     {"UploadsBucketName": uploads, "AssetsBucketName": assets})
        assert {r["ResourceType"] for r in stack.resources.values()} >= {"AWS::Lambda::Function", "AWS::Lambda::Permission"}
        aws_client.s3.put_object(Bucket=uploads, Key="sam-me.jpg", Body=PHOTO)
        wait_for_object(aws_client.s3, assets, "avatars/sam-me.jpg", timeout=60)
        aws_client.s3.delete_object(Bucket=uploads, Key="sam-me.jpg")
    finally:
        for bucket in (code_bucket, assets):
            delete_bucket(aws_client.s3, bucket)

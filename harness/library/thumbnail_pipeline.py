"""The Cruddur thumbnail pipeline (system.md), provisioned with boto3 calls that run unchanged on AWS.

uploads bucket --s3:ObjectCreated:Put--> thumbnail Lambda --> assets bucket under FOLDER_OUTPUT.
`ThumbnailPipelineSpec` holds the deployed values (names, env, no prefix filter); scenarios change
one field to reproduce a bug. `provision_thumbnail_pipeline` is idempotent. `implementation` picks the thumbnailer:
"seed" (the default) is the seed's Node 18 + sharp (`app/thumbnail_node`, `new S3Client()` with no options), "python"
the Pillow stand-in (`app/thumbnail_python`, python3.12); `runtime` names another version of either.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from harness.library.aws import AwsClients
from harness.library.cleanup import Cleanup
from harness.library.lambda_functions import (
    allow_s3_invoke, delete_function, delete_role, deploy_function, ensure_role, function_logs, invocation_count,
    wait_for_function_logs,
)
from harness.library.packaging import node_function_zip, python_function_zip
from harness.library.layout import APP_DIR, IMPLEMENTATIONS
from harness.library.s3 import delete_bucket, ensure_bucket, wait_for_object


DEPLOYED_UPLOAD_ORIGINS = ("https://*.gitpod.io",)


def uploads_bucket_cors(origins: tuple[str, ...] = DEPLOYED_UPLOAD_ORIGINS) -> dict:
    """system.md "Components": the deployed uploads-bucket CORS, for the given origins."""
    return {"CORSRules": [{
        "AllowedHeaders": ["*"],
        "AllowedMethods": ["PUT"],
        "AllowedOrigins": list(origins),
        "ExposeHeaders": ["x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2"],
        "MaxAgeSeconds": 3000,
    }]}


UPLOADS_BUCKET_CORS = uploads_bucket_cors()


@dataclass(frozen=True)
class ThumbnailPipelineSpec:
    """What to deploy; defaults are the real Cruddur values (system.md)."""

    uploads_bucket: str = "cruddur-uploaded-avatars"
    assets_bucket: str = "assets.cruddur.com"
    function_name: str = "cruddur-process-images"
    role_name: str = "cruddur-thumbnail-lambda-role"
    implementation: str = "seed"  # "seed": nodejs18.x + sharp; "python": python3.12 + Pillow (module docstring)
    runtime: str = ""  # default: the implementation's; "nodejs20.x", "python3.13", ... choose one
    node_app: str = "thumbnail_node"  # its node_modules; "thumbnail_node_sdk2023": the lock's AWS SDK of spring 2023
    folder_input: str = ""  # the upload Lambda writes `<sub>.<ext>` at the bucket root
    folder_output: str = "avatars"
    process_width: str = "512"
    process_height: str = "512"
    notification_prefix: str = ""  # "" = no filter, as the final stack is deployed (system.md)
    package_without: tuple[str, ...] = ()  # e.g. ("sharp",) or ("PIL",): system.md bug 9
    handler: str = ""  # default: the implementation's own
    extra_files: tuple[Path, ...] = ()  # added at the package root (a bug variant of the handler)
    upload_cors_origins: tuple[str, ...] = DEPLOYED_UPLOAD_ORIGINS  # () = a bucket without CORS (bug 13)
    memory_size: int = 512
    timeout: int = 30
    extra_environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.implementation not in IMPLEMENTATIONS:
            raise ValueError(f"implementation {self.implementation!r}: one of {', '.join(IMPLEMENTATIONS)}")
        object.__setattr__(self, "runtime", self.runtime or ("nodejs18.x" if self.implementation == "seed" else "python3.12"))

    def with_unique_names(self, prefix: str = "") -> "ThumbnailPipelineSpec":
        """Every name made unique (`<prefix><name>-<random>`); the AWS target passes its run's prefix."""
        suffix = uuid.uuid4().hex[:8]
        uploads = f"{prefix}{self.uploads_bucket}-{suffix}"
        single_bucket = self.assets_bucket == self.uploads_bucket  # system.md bug 16's design
        assets = uploads if single_bucket else f"{prefix}{self.assets_bucket.split('.')[0]}-{suffix}.cruddur.com"
        return dataclasses.replace(
            self, uploads_bucket=uploads, assets_bucket=assets, function_name=f"{prefix}{self.function_name}-{suffix}",
            role_name=f"{prefix}{self.role_name}-{suffix}",
        )

    @property
    def is_node(self) -> bool:
        return self.runtime.startswith("nodejs")

    def environment(self) -> dict[str, str]:
        env = {
            "DEST_BUCKET_NAME": self.assets_bucket,
            "FOLDER_INPUT": self.folder_input,
            "FOLDER_OUTPUT": self.folder_output,
            "PROCESS_WIDTH": self.process_width,
            "PROCESS_HEIGHT": self.process_height,
        }
        return env | self.extra_environment

    def output_key(self, source_key: str) -> str:
        """system.md "Thumbnail rule": `<FOLDER_OUTPUT>/<basename without extension>.jpg`."""
        return f"{self.folder_output}/{PurePosixPath(source_key).stem}.jpg"

    def code_zip(self) -> bytes:
        if self.is_node:
            code = () if self.node_app == "thumbnail_node" else (APP_DIR / "thumbnail_node" / "index.js",)
            return node_function_zip(APP_DIR / self.node_app, without=self.package_without, extra=code + self.extra_files)
        return python_function_zip(
            APP_DIR / "thumbnail_python", self.runtime.removeprefix("python"), without=self.package_without, extra=self.extra_files
        )


@dataclass
class ThumbnailPipeline:
    """A provisioned pipeline and the operations scenarios perform on it."""

    spec: ThumbnailPipelineSpec
    clients: AwsClients
    function_arn: str

    def upload(self, key: str, body: bytes, content_type: str = "image/jpeg") -> None:
        self.clients.s3.put_object(Bucket=self.spec.uploads_bucket, Key=key, Body=body, ContentType=content_type)

    def logs(self) -> str:
        return function_logs(self.clients.logs, self.spec.function_name)

    def wait_for_logs(self, text: str, timeout: float = 30.0) -> str:
        return wait_for_function_logs(self.clients.logs, self.spec.function_name, text, timeout)

    def invocations(self) -> int:
        return invocation_count(self.logs())

    def wait_for_thumbnail(self, source_key: str, timeout: float = 30.0) -> bytes:
        """The thumbnail's bytes once it exists; on timeout the error lists the bucket and the logs."""
        key = self.spec.output_key(source_key)
        wait_for_object(
            self.clients.s3, self.spec.assets_bucket, key, timeout=timeout,
            more_evidence=lambda: f"logs of {self.spec.function_name}:\n{self.logs()[-4000:] or '(none yet)'}",
        )
        return self.clients.s3.get_object(Bucket=self.spec.assets_bucket, Key=key)["Body"].read()

    @property
    def description(self) -> str:
        return f"thumbnail pipeline {self.spec.uploads_bucket} -> {self.spec.function_name} -> {self.spec.assets_bucket}"

    def teardown(self) -> None:
        """Stop events first (a re-triggering loop must end), then remove what was created; every step runs,
        and what could not be deleted is reported together (CleanupError)."""
        s3 = self.clients.s3
        cleanup = Cleanup(self.description)
        for bucket in dict.fromkeys((self.spec.uploads_bucket, self.spec.assets_bucket)):
            cleanup.run(f"notification of s3 bucket {bucket}", lambda bucket=bucket: _stop_notifications(s3, bucket))
        cleanup.run(f"lambda function {self.spec.function_name}",
                    lambda: delete_function(self.clients.lambda_, self.clients.logs, self.spec.function_name))
        cleanup.run(f"iam role {self.spec.role_name}", lambda: delete_role(self.clients.iam, self.spec.role_name))
        for bucket in dict.fromkeys((self.spec.uploads_bucket, self.spec.assets_bucket)):
            cleanup.run(f"s3 bucket {bucket}", lambda bucket=bucket: delete_bucket(s3, bucket))
        cleanup.raise_if_failed()


def _stop_notifications(s3: Any, bucket: str) -> None:
    try:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    except s3.exceptions.NoSuchBucket:
        pass


def _thumbnail_role_statements(spec: ThumbnailPipelineSpec) -> list[dict]:
    return [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{spec.uploads_bucket}/*"},
        # Without ListBucket, S3 answers a missing key with 403 AccessDenied instead of NoSuchKey (bug 11's symptom).
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{spec.uploads_bucket}"},
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{spec.assets_bucket}/*"},
    ]


def _notification(spec: ThumbnailPipelineSpec, function_arn: str) -> dict[str, Any]:
    config: dict[str, Any] = {"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:Put"]}
    if spec.notification_prefix:
        config["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": spec.notification_prefix}]}}
    return {"LambdaFunctionConfigurations": [config]}


def provision_thumbnail_pipeline(clients: AwsClients, spec: ThumbnailPipelineSpec = ThumbnailPipelineSpec()) -> ThumbnailPipeline:
    """Buckets, role, function, permission, notification, CORS: create or bring up to date. The package is built
    first: a missing one is a ProvisioningError before anything is created."""
    code = spec.code_zip()
    for bucket in (spec.uploads_bucket, spec.assets_bucket):
        ensure_bucket(clients.s3, bucket)
    if spec.upload_cors_origins:
        clients.s3.put_bucket_cors(Bucket=spec.uploads_bucket, CORSConfiguration=uploads_bucket_cors(spec.upload_cors_origins))
    else:
        clients.s3.delete_bucket_cors(Bucket=spec.uploads_bucket)
    role_arn = ensure_role(clients.iam, spec.role_name, *_thumbnail_role_statements(spec))
    function_arn = deploy_function(
        clients.lambda_,
        FunctionName=spec.function_name,
        Runtime=spec.runtime,
        Role=role_arn,
        Handler=spec.handler or ("index.handler" if spec.is_node else "handler.handler"),
        Code={"ZipFile": code},
        Timeout=spec.timeout,
        MemorySize=spec.memory_size,
        Architectures=["x86_64"],
        Environment={"Variables": spec.environment()},
    )
    account_id = clients.sts.get_caller_identity()["Account"]
    allow_s3_invoke(clients.lambda_, spec.function_name, spec.uploads_bucket, account_id)
    clients.s3.put_bucket_notification_configuration(
        Bucket=spec.uploads_bucket, NotificationConfiguration=_notification(spec, function_arn)
    )
    return ThumbnailPipeline(spec=spec, clients=clients, function_arn=function_arn)


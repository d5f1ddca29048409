"""What `harness up` and `harness demo` do once LocalStack is up: provision the avatar stack of `--sut`, describe it
for stack.json, run the avatar flow. Imported while LocalStack boots (harness.cli.main, issue 13): this module's
imports (the AWS library) and `prepare_while_booting` then overlap the engine's boot instead of following it."""

from __future__ import annotations

import argparse
from typing import NamedTuple

from harness.cli import avatar_demo
from harness.library.avatar_api import AvatarApi, AvatarApiSpec, provision_avatar_api
from harness.library.aws import AwsClients, load_sdk
from harness.library.aws_endpoints import AwsEndpoints, activate
from harness.library.cdn import CdnDistribution
from harness.library.identity import FakeCognitoUserPool
from harness.library.lambda_functions import log_group
from harness.library.progress import steps_at_once
from harness.library.targets.localstack_host import LocalStackEngine
from harness.library.thumbnail_pipeline import ThumbnailPipeline, ThumbnailPipelineSpec, provision_thumbnail_pipeline


PROVISIONING_CLIENTS = ("s3", "iam", "lambda", "sts", "apigatewayv2", "logs")  # the clients provision_stack calls


class Prepared(NamedTuple):
    """What `prepare_while_booting` made: the fake user pool, and clients for the port the engine booted on."""

    pool: FakeCognitoUserPool
    clients: AwsClients

    def clients_of(self, engine: LocalStackEngine) -> AwsClients:
        """The clients made during the boot, or new ones if a second boot attempt took another port."""
        return self.clients if self.clients.endpoint_url == engine.endpoint_url else engine.clients()


def prepare_while_booting(engine: LocalStackEngine) -> Prepared:
    """What provisioning needs and LocalStack does not, made on this process's core while the engine boots on the
    other: boto3 loaded (~0.16 s; AwsClients would import it on first use, after the boot), the fake user pool's
    signing key (~0.05 s; made on first use, and its JWKS is the first thing provisioning publishes) and the clients
    provisioning uses (~0.09 s, S3's ~0.05 s of it), for the port the engine is booting on."""
    load_sdk()
    pool = FakeCognitoUserPool(region=engine.region)
    pool.jwks()
    clients = engine.clients()
    for service in PROVISIONING_CLIENTS:
        clients.client(service)
    return Prepared(pool, clients)


def provision_stack(clients: AwsClients, pool: FakeCognitoUserPool, args: argparse.Namespace) -> tuple[ThumbnailPipeline, AvatarApi]:
    """The thumbnail pipeline and the avatar API of `--sut` (the thumbnailer on `--runtime` if given) trusting `pool`,
    provisioned at the same time: neither uses what the other creates (the API only names the uploads bucket)."""
    spec = ThumbnailPipelineSpec(implementation=args.sut, runtime=args.runtime or "")
    api_spec = AvatarApiSpec(uploads_bucket=spec.uploads_bucket, implementation=args.sut)
    pipeline_step = f"provisioning the thumbnail pipeline ({spec.runtime})"
    api_step = f"provisioning the avatar upload API (upload {api_spec.upload_runtime}, authorizer {api_spec.authorizer_runtime})"
    made = steps_at_once({pipeline_step: lambda: provision_thumbnail_pipeline(clients, spec),
                          api_step: lambda: provision_avatar_api(clients, pool, api_spec)})
    return made[pipeline_step], made[api_step]


def describe_sut(api: AvatarApi, pipeline: ThumbnailPipeline) -> str:
    return (f"{api.spec.implementation}: upload {api.spec.upload_runtime}, authorizer {api.spec.authorizer_runtime}, "
            f"thumbnailer {pipeline.spec.runtime}")


def stack_facts(engine: LocalStackEngine, pipeline: ThumbnailPipeline, api: AvatarApi, pool: FakeCognitoUserPool) -> dict[str, str]:
    spec = pipeline.spec
    return {
        "endpoint_url": engine.endpoint_url,
        "region": engine.region,
        "uploads_bucket": spec.uploads_bucket,
        "assets_bucket": spec.assets_bucket,
        "thumbnail_function": spec.function_name,
        "thumbnail_runtime": spec.runtime,
        "system_under_test": describe_sut(api, pipeline),
        "output_folder": spec.folder_output,
        "api_url": api.api_url,
        "issuer": pool.issuer,
        "jwks_url": engine.emulator.jwks_url(pool),
        "user_pool_id": pool.user_pool_id,
        "client_id": pool.client_id,
        "frontend_origin": api.spec.frontend_origin,
        "log": str(engine.log_path),
        "log_groups": [api.spec.access_log_group, *(log_group(name) for name in (
            api.spec.authorizer_function, api.spec.upload_function, spec.function_name))],  # for `harness logs`
    } | _aws_hostname_facts(engine)


def _aws_hostname_facts(engine: LocalStackEngine) -> dict[str, str]:
    """Where `https://*.amazonaws.com` URLs (the presigned PUT) are answered: `curl --connect-to ::<aws_https> --cacert <ca_certificate>`."""
    endpoints = AwsEndpoints.of_engine(engine.endpoint_url)
    return {"aws_https": endpoints.https, "ca_certificate": str(endpoints.ca.certificate)} if endpoints else {}


def avatar_flow_report(engine: LocalStackEngine, prepared: Prepared, args: argparse.Namespace, image: bytes) -> int:
    """`harness demo` on a booted engine: provision (trusting the prepared pool), run the avatar flow with `image` step
    by step, then one step broken on purpose."""
    pool, clients = prepared.pool, prepared.clients_of(engine)
    pipeline, api = provision_stack(clients, pool, args)
    activate(AwsEndpoints.of_engine(engine.endpoint_url))  # the presigned PUT on S3's host reaches the engine
    with CdnDistribution(clients.s3, pipeline.spec.assets_bucket) as cdn:
        steps = avatar_demo.avatar_flow(api, pipeline, pool, image, cdn)
    print(f"\nThe avatar flow ({describe_sut(api, pipeline)}):")
    print("\n".join(step.line() for step in steps))
    print("\nThe functions' CloudWatch Logs lines:")
    print("\n".join(avatar_demo.function_lines(api, pipeline)))
    broken, why = avatar_demo.broken_step(api, pool)
    print("\nOne step broken on purpose (system.md bug 2: an expired access token):")
    print(broken.line())
    print(f"  why: {why}")
    return 0 if all(step.ok for step in steps) and len(steps) == 6 and broken.ok else 1

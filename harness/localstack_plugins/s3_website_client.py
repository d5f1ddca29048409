"""S3 website hosting's internal S3 client, made when a website request first needs it (inside LocalStack; issue 13).

LocalStack 4.13.1's S3 provider registers its website-endpoint routes when it starts, and the handler it registers
makes an internal S3 client right then (`connect_to().s3`): ~0.3 s of CPU on the first S3 call of every engine,
website or not (py-spy). This hook, registered under `localstack.hooks.on_infra_start`, lets the handler make that
same client (LocalStack's cached `connect_to().s3`) on first use instead; website answers do not change.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from localstack.runtime import hooks

from harness.localstack_plugins.on_import import when_imported


def make_the_client_on_first_use(website_hosting: ModuleType) -> None:
    handler = website_hosting.S3WebsiteHostingHandler

    def s3_client(self: Any) -> Any:
        return website_hosting.connect_to().s3  # LocalStack caches internal clients: made once, then the same one

    handler.__init__ = lambda self: None
    handler.s3_client = property(s3_client)


@hooks.on_infra_start()
def make_the_website_client_when_needed() -> None:
    when_imported("localstack.services.s3.website_hosting", make_the_client_on_first_use)

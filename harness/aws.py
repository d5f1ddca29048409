"""`AwsClients`: one boto3 client per service we use, pointed at the engine (or at AWS)."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"
# LocalStack accepts any credentials; these are LocalStack's conventional test keys (account 000000000000).
TEST_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class AwsClients:
    """`clients.s3`, `clients.lambda_`, `clients.logs`, `clients.iam`, ... created on first use."""

    def __init__(self, endpoint_url: str | None, region: str = DEFAULT_REGION, credentials: dict[str, str] | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._session = boto3.session.Session(region_name=region, **(credentials if credentials is not None else TEST_CREDENTIALS))
        self._config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=65)

    @functools.cache
    def client(self, service: str) -> Any:
        config = self._config
        if service == "s3":  # presigned URLs with SigV4, as the Cruddur upload Lambda makes them
            config = config.merge(Config(signature_version="s3v4"))
        return self._session.client(service, endpoint_url=self.endpoint_url, config=config)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.client(name.rstrip("_").replace("_", "-"))

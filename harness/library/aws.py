"""`AwsClients`: one boto3 client per service we use, pointed at the engine (or at AWS).

boto3 and botocore (~0.4 s to import) are imported when the first `AwsClients` or S3 config is made, not with this
module: `harness up` starts LocalStack before it has loaded them (harness.cli.main, issue 13)."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config

    from harness.library.targets.emulator_control import EmulatorControl

DEFAULT_REGION = "us-east-1"
# LocalStack accepts any credentials; these are LocalStack's conventional test keys (account 000000000000).
TEST_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def load_sdk() -> None:
    """Import boto3 and botocore now, as the first `AwsClients` would: `harness up` does it while LocalStack boots."""
    import boto3  # noqa: F401
    from botocore.config import Config  # noqa: F401


def s3_config(*, emulated: bool) -> Config:
    """SigV4; on AWS virtual-hosted and regional (`<bucket>.s3.<region>.amazonaws.com`), as the JS SDK v3 signs: the global
    host can answer a new bucket outside us-east-1 with a 307 that neither a PUT nor a preflight follows. An emulator
    (an endpoint URL, given or in AWS_ENDPOINT_URL) on an IP address can only be reached path-style."""
    from botocore.config import Config

    return Config(signature_version="s3v4", s3={"addressing_style": "path" if emulated else "virtual"})


class AwsClients:
    """`clients.s3`, `clients.lambda_`, `clients.logs`, `clients.iam`, ... created on first use."""

    def __init__(self, endpoint_url: str | None, region: str = DEFAULT_REGION, credentials: dict[str, str] | None = None,
                 emulator: EmulatorControl | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self.emulator = emulator  # the target's (harness.library.targets.target.Target.emulator): None on AWS
        import boto3
        from botocore.config import Config

        from harness.shared import botocore_data_cache

        botocore_data_cache.install_file_cache()
        self._session = boto3.session.Session(region_name=region, **(credentials if credentials is not None else TEST_CREDENTIALS))
        # On AWS polling meets request quotas (FilterLogEvents: 5/s): adaptive mode slows down on throttling.
        retries = {"max_attempts": 10, "mode": "adaptive"} if emulator is None else {"max_attempts": 2, "mode": "standard"}
        self._config = Config(retries=retries, connect_timeout=5, read_timeout=65)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()  # a boto3 session may not make clients from two threads at once

    def client(self, service: str) -> Any:
        """The client of `service`, made on first use (from any thread; a client itself is thread-safe)."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._make_client(service)
            return self._clients[service]

    def _make_client(self, service: str) -> Any:
        config = self._config
        if service == "s3":  # presigned URLs as the Cruddur upload Lambda makes them
            config = config.merge(s3_config(emulated=self.endpoint_url is not None or "AWS_ENDPOINT_URL" in os.environ))
        return self._session.client(service, endpoint_url=self.endpoint_url, config=config)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.client(name.rstrip("_").replace("_", "-"))

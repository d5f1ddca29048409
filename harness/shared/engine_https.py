"""The engine's HTTPS endpoint on port 443, which CloudFormation custom resources answer to: the contract between the
host engine (`harness.library.targets.engine_https`, which sets it up) and the plugins inside it.

AWS gives a custom resource's Lambda an `https://` ResponseURL on port 443, and CDK's Node provider framework
(autoDeleteObjects, `custom_resources.Provider`, `AwsCustomResource`) PUTs to the URL's hostname with Node's `https`
module and no port, so any other port is unreachable for it. The host engine therefore also listens, with TLS, on
port 443 of a loopback address of its own (`127.<hi>.<lo>.1`, from its port: engines on one machine never collide),
with a certificate naming that address, which the functions it runs trust (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE).
"""

from __future__ import annotations

RESPONSE_ENDPOINT_ENV = "HARNESS_CFN_RESPONSE_ENDPOINT"  # https://<address>, in the engine's environment
CA_BUNDLE_ENV = "HARNESS_ENGINE_CA_BUNDLE"  # the system's CAs plus the engine's certificate, for the functions
HTTPS_PORT = 443


def response_address(port: int) -> str:
    """The engine's own loopback address for port 443, derived from its main port (>= 256: never 127.0.0.1)."""
    return f"127.{(port >> 8) & 255}.{port & 255}.1"

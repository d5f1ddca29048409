"""The LD_PRELOAD library that sends a Lambda's AWS hostnames to the engine, and the environment that injects it.

Built once by the project's setup (`python -m harness.endpoints`) with the host's C compiler into the harness cache,
named by its source's hash (an edited source builds anew). `lambda_environment` is what the host executor adds to
every Lambda process, whatever its runtime family (python, node, ruby): the library, where it sends AWS's ports 443
and 80, and trust in the harness CA through each runtime's standard settings.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from harness.endpoints.ca import HarnessCa, endpoints_dir
from harness.shared.errors import HarnessError

SOURCE = Path(__file__).with_name("aws_hosts_preload.c")
# The loopback address AWS hostnames resolve to inside a Lambda ("AWS" in ASCII); nothing listens on it.
AWS_ADDRESS = "127.65.87.83"


class PreloadBuildError(HarnessError):
    """The LD_PRELOAD library could not be compiled."""


def library_path() -> Path:
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    return endpoints_dir() / f"libharness-aws-hosts-{digest}.so"


def ensure_library() -> Path:
    """The compiled library, built on first use (cc -shared -fPIC)."""
    target = library_path()
    if target.is_file():
        return target
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        raise PreloadBuildError("no C compiler to build the AWS-hostname library for Lambda processes",
                                hint="install gcc (`apt-get install -y gcc`), then run `make setup`")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    result = subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-Wall", "-o", str(partial), str(SOURCE), "-ldl"],
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise PreloadBuildError(f"{compiler} could not build {SOURCE.name}", evidence=result.stderr[-3000:],
                                hint="check the compiler works: `cc --version`")
    partial.replace(target)
    return target


def lambda_environment(library: Path, ca: HarnessCa, https_front: str, http_gateway: str, existing_preload: str = "") -> dict[str, str]:
    """What a Lambda process needs so that its `*.amazonaws.com` requests reach the engine, trusted:
    LD_PRELOAD (ahead of one the function sets itself), the redirect targets, and the CA for
    OpenSSL-based runtimes (python's ssl, ruby's openssl, curl), botocore, requests, and Node."""
    bundle = str(ca.trust_bundle)
    return {
        "LD_PRELOAD": " ".join(filter(None, [str(library), existing_preload])),
        "HARNESS_AWS_ADDRESS": AWS_ADDRESS,
        "HARNESS_AWS_HTTPS": https_front,
        "HARNESS_AWS_HTTP": http_gateway,
        "SSL_CERT_FILE": bundle,  # OpenSSL's default file: python ssl/urllib, ruby Net::HTTP and aws-sdk, curl
        # botocore (boto3) and the other SDKs that read it: their requests go to AWS hostnames only, so the harness CA
        # alone (urllib3 loads the file on every new connection, and LocalStack closes each one: 36 ms for the bundle)
        "AWS_CA_BUNDLE": str(ca.certificate),
        "REQUESTS_CA_BUNDLE": bundle,  # requests (it uses certifi's bundle, not OpenSSL's)
        "CURL_CA_BUNDLE": bundle,
        "NODE_EXTRA_CA_CERTS": str(ca.certificate),  # Node adds it to its built-in roots (https, fetch, SDK v3)
    }

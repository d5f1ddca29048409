"""Archives unpacked once per content (harness/localstack_plugins/lambda_code_cache.py): the second version with the same
archive downloads and unpacks nothing, two engines racing on one archive both get it whole, a deployed function
runs from the shared copy of its own bytes, and the archive is read from LocalStack's bucket without awscrt."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
import uuid
import zipfile
from pathlib import Path

import pytest

from harness.library.packaging import zip_files
from harness.library.targets.localstack_host import LocalStackEngine
from harness.localstack_plugins import lambda_code_cache
from harness.localstack_plugins.lambda_code_cache import prepare_for_execution, shared_location


def archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, text in files.items():
            zipped.writestr(name, text)
    return buffer.getvalue()


class FakeCode:
    """What prepare_for_execution uses of LocalStack's S3Code."""

    def __init__(self, data: bytes, location: Path) -> None:
        self.data, self.location, self.downloads = data, location, 0
        self.code_sha256 = base64.b64encode(hashlib.sha256(data).digest()).decode()
        self._disk_lock = threading.Lock()

    def get_unzipped_code_location(self) -> Path:
        return self.location

    def download(self, target) -> None:
        self.downloads += 1
        target.write(self.data)
        target.flush()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """The harness cache in tmp_path; an archive is read from its FakeCode (in an engine: from LocalStack's bucket)."""
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lambda_code_cache, "download_archive", lambda code, target: code.download(target))
    return tmp_path / "cache"


def test_a_second_version_of_the_same_archive_links_to_the_first_unpacking(cache, tmp_path):
    data = archive({"app.py": "X = 1\n", "pkg/mod.py": "Y = 2\n"})
    first, second = FakeCode(data, tmp_path / "a" / "code"), FakeCode(data, tmp_path / "b" / "code")
    prepare_for_execution(first)
    prepare_for_execution(second)
    assert (first.downloads, second.downloads) == (1, 0)
    shared = shared_location(first.code_sha256)
    assert shared == cache / "lambda-code" / hashlib.sha256(data).hexdigest()
    assert first.location.resolve() == second.location.resolve() == shared
    assert (second.location / "pkg" / "mod.py").read_text() == "Y = 2\n"
    assert (shared / "app.py").stat().st_mode & 0o777 == 0o755  # as LocalStack's own unpacking


def test_engines_racing_on_one_archive_each_get_it_whole(cache, tmp_path):
    data = archive({f"f{n}.txt": str(n) * 1000 for n in range(200)})
    codes = [FakeCode(data, tmp_path / str(n) / "code") for n in range(6)]
    threads = [threading.Thread(target=prepare_for_execution, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for code in codes:
        assert sorted(p.name for p in code.location.iterdir()) == sorted(f"f{n}.txt" for n in range(200))
    assert not [p for p in (cache / "lambda-code").iterdir() if p.name.startswith(".unpacking-")]  # nothing half-done left


REPORTS_ITS_CODE = """
import os
def handler(event, context):
    return {"root": os.path.realpath(os.environ["LAMBDA_TASK_ROOT"]), "marker": open("marker.txt").read()}
"""


@pytest.mark.emulator_only("the shared unpacking is the emulator's")
def test_functions_deployed_from_one_archive_run_from_its_single_unpacking(aws_client, lambda_function_factory):
    import json

    marker = uuid.uuid4().hex
    code = zip_files({"app.py": REPORTS_ITS_CODE, "marker.txt": marker})
    answers = []
    for _ in range(2):
        name = lambda_function_factory(Runtime="python3.12", Handler="app.handler", Code={"ZipFile": code})["FunctionName"]
        answers.append(json.loads(aws_client.lambda_.invoke(FunctionName=name)["Payload"].read()))
    expected = str(shared_location(base64.b64encode(hashlib.sha256(code).digest()).decode()))
    assert answers == [{"root": expected, "marker": marker}] * 2


@pytest.mark.emulator_only("the shared unpacking is the emulator's")
def test_an_archive_is_read_from_localstacks_code_bucket_without_loading_awscrt(tmp_path):
    """download_archive (issue 13): one GetObject, not boto3's download_fileobj, whose choice of transfer manager
    loads awscrt's native library; a fresh engine's first function of new content runs with it unloaded."""
    import json

    marker = uuid.uuid4().hex
    with LocalStackEngine(state_dir=tmp_path / "engine") as engine:
        clients = engine.clients()
        role = clients.iam.create_role(RoleName="code-reader", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]
        clients.lambda_.create_function(FunctionName="code-reader", Runtime="python3.12", Role=role["Arn"],
                                        Handler="app.handler",
                                        Code={"ZipFile": zip_files({"app.py": REPORTS_ITS_CODE, "marker.txt": marker})})
        clients.lambda_.get_waiter("function_active_v2").wait(FunctionName="code-reader",
                                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
        answer = json.loads(clients.lambda_.invoke(FunctionName="code-reader")["Payload"].read())
        assert answer["marker"] == marker
        assert "_awscrt" not in open(f"/proc/{engine.pid}/maps").read()

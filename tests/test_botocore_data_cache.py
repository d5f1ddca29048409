"""botocore's data files read through the harness's cache (harness/shared/botocore_data_cache.py, issue 13): the same
data botocore parses, fresh for each caller, made again from the JSON when the cache is bad."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import pytest
from botocore import loaders

from harness.shared import botocore_data_cache

MODEL = "sqs/2012-11-05/service-2"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    botocore_data_cache.install()
    loaders.create_loader.made.clear()  # nothing loaded yet by the sessions of this test
    return botocore_data_cache.data_cache_dir()


def botocore_file(name: str) -> str:
    return str(Path(loaders.__file__).parent / "data" / name)


def parsed_by_botocore(name: str) -> OrderedDict:
    """What botocore's own loader parses (its JSON, its OrderedDicts), without the cache."""
    found = botocore_data_cache._data_file(botocore_file(name))
    opener = loaders._JSON_OPEN_METHODS["".join(found.suffixes[-2:]) if found.suffix == ".gz" else ".json"]
    with opener(found, "rb") as data:
        return json.loads(data.read().decode(), object_pairs_hook=OrderedDict)


def test_a_data_file_is_parsed_once_then_read_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = loaders.JSONFileLoader().load_file(botocore_file(MODEL))
    assert first == parsed_by_botocore(MODEL) and type(first) is OrderedDict
    assert len(list(cache.glob("*.pickle"))) == 1
    monkeypatch.setattr(loaders.json, "loads", lambda *_, **__: pytest.fail("parsed again instead of read from the cache"))
    again = loaders.JSONFileLoader().load_file(botocore_file(MODEL))
    assert again == first and type(again["shapes"]) is OrderedDict


def test_each_caller_gets_its_own_copy(cache: Path) -> None:
    first = loaders.JSONFileLoader().load_file(botocore_file(MODEL))
    first["metadata"]["protocol"] = "changed by one caller"
    assert loaders.JSONFileLoader().load_file(botocore_file(MODEL))["metadata"]["protocol"] != "changed by one caller"


def test_a_new_session_loads_the_same_service_model_and_endpoints(cache: Path) -> None:
    import boto3

    client = boto3.session.Session(region_name="eu-west-1").client("sqs", aws_access_key_id="a", aws_secret_access_key="b")
    assert client.meta.service_model.api_version == parsed_by_botocore(MODEL)["metadata"]["apiVersion"]
    assert "eu-west-1" in boto3.session.Session().get_available_regions("sqs")
    assert len(list(cache.glob("*.pickle"))) >= 3  # the model, its endpoint rule set, endpoints.json


def test_sessions_share_one_loader_so_a_file_is_loaded_once_per_process(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    first, second = boto3.session.Session(), boto3.session.Session()
    assert first._session.get_component("data_loader") is second._session.get_component("data_loader")
    first.client("sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    monkeypatch.setattr(loaders.JSONFileLoader, "load_file", lambda *_: pytest.fail("loaded again by a second session"))
    second.client("sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")


def test_a_corrupt_cache_file_is_made_again_from_the_json(cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    loaders.JSONFileLoader().load_file(botocore_file(MODEL))
    (cached,) = cache.glob("*.pickle")
    cached.write_bytes(cached.read_bytes()[:100])
    assert loaders.JSONFileLoader().load_file(botocore_file(MODEL)) == parsed_by_botocore(MODEL)
    assert "ignoring the botocore data cache file" in caplog.text
    assert loaders.JSONFileLoader().load_file(botocore_file(MODEL)) == parsed_by_botocore(MODEL)
    assert not list(cache.glob("*.partial"))


def test_a_cache_that_cannot_be_written_costs_only_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "not-a-directory").write_text("")
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "not-a-directory"))
    botocore_data_cache.install()
    assert loaders.JSONFileLoader().load_file(botocore_file(MODEL)) == parsed_by_botocore(MODEL)


def test_a_missing_data_file_is_none_as_botocore_says(cache: Path) -> None:
    assert loaders.JSONFileLoader().load_file(botocore_file("no-such-service/2020-01-01/service-2")) is None
    assert not cache.exists()

"""botocore's data files and data folder listings read through the harness's cache
(harness/shared/botocore_data_cache.py, issue 13): the same data botocore parses, fresh for each caller, made again
from the JSON when the cache is bad; an installed folder listed once per mtime, any other each time."""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path

import pytest
from botocore import loaders, session

from harness.shared import botocore_data_cache

MODEL = "sqs/2012-11-05/service-2"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path))
    botocore_data_cache.install_file_cache()
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


def test_each_load_of_a_data_file_is_a_copy_of_its_own(cache: Path) -> None:
    first = loaders.JSONFileLoader().load_file(botocore_file(MODEL))
    first["metadata"]["protocol"] = "changed by one caller"
    assert loaders.JSONFileLoader().load_file(botocore_file(MODEL))["metadata"]["protocol"] != "changed by one caller"


def test_a_new_session_loads_the_same_service_model_and_endpoints(cache: Path) -> None:
    import boto3

    client = boto3.session.Session(region_name="eu-west-1").client("sqs", aws_access_key_id="a", aws_secret_access_key="b")
    assert client.meta.service_model.api_version == parsed_by_botocore(MODEL)["metadata"]["apiVersion"]
    assert "eu-west-1" in boto3.session.Session().get_available_regions("sqs")
    assert len(list(cache.glob("*.pickle"))) >= 3  # the model, its endpoint rule set, endpoints.json


@pytest.fixture
def shared_loaders(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """share_loaders() as the engine installs it, undone afterwards (the test process keeps a loader per session)."""
    monkeypatch.setattr(loaders, "create_loader", loaders.create_loader)
    monkeypatch.setattr(session, "create_loader", session.create_loader)


def test_in_the_test_process_each_session_keeps_a_loader_of_its_own(cache: Path) -> None:
    import boto3

    assert boto3.session.Session()._session.get_component("data_loader") is not \
        boto3.session.Session()._session.get_component("data_loader")


def test_shared_loaders_put_the_given_paths_first_before_anything_is_listed(shared_loaders: None, tmp_path: Path) -> None:
    (tmp_path / "data" / "made-up-service" / "2020-01-01").mkdir(parents=True)
    (tmp_path / "data" / "made-up-service" / "2020-01-01" / "service-2.json").write_text('{"metadata": {}}')
    loader = botocore_data_cache.share_loaders(first_search_paths=[str(tmp_path / "data")])
    assert loader.search_paths[0] == str(tmp_path / "data")
    assert "made-up-service" in loader.list_available_services("service-2")


def test_sessions_share_one_loader_so_a_file_is_loaded_once_per_process(shared_loaders: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    botocore_data_cache.share_loaders()
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
    botocore_data_cache.install_file_cache()
    assert loaders.JSONFileLoader().load_file(botocore_file(MODEL)) == parsed_by_botocore(MODEL)


def test_a_missing_data_file_is_none_as_botocore_says(cache: Path) -> None:
    assert loaders.JSONFileLoader().load_file(botocore_file("no-such-service/2020-01-01/service-2")) is None
    assert not cache.exists()


def service_folder(root: Path, service: str) -> None:
    (root / service / "2020-01-01").mkdir(parents=True)
    (root / service / "2020-01-01" / "service-2.json").write_text('{"metadata": {}}')


def test_an_installed_data_folders_listing_is_botocores_read_from_the_cache_until_the_folder_changes(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder under sys.prefix (botocore's own, LocalStack's) is listed once per mtime; a new mtime (installing the
    package again rewrites the folder; set here, as two changes within a clock tick may share one) lists it again."""
    installed = tmp_path / "prefix" / "data"
    service_folder(installed, "alpha")
    monkeypatch.setattr(botocore_data_cache.sys, "prefix", str(tmp_path / "prefix"))
    listed = loaders.Loader(extra_search_paths=[str(installed)]).list_available_services("service-2")
    assert "alpha" in listed and "sqs" in listed  # and botocore's own services, from its folder
    service_folder(installed, "beta")
    os.utime(installed, ns=(1, 1))
    assert "beta" in loaders.Loader(extra_search_paths=[str(installed)]).list_available_services("service-2")
    service_folder(installed, "gamma")
    os.utime(installed, ns=(1, 1))  # the mtime the listing above was kept with
    assert "gamma" not in loaders.Loader(extra_search_paths=[str(installed)]).list_available_services("service-2")


def test_a_data_folder_outside_the_installation_is_listed_each_time_as_botocore_does(
        cache: Path, tmp_path: Path) -> None:
    """~/.aws/models or an AWS_DATA_PATH folder: its listing is never kept."""
    models = tmp_path / "models"
    service_folder(models, "alpha")
    assert "alpha" in loaders.Loader(extra_search_paths=[str(models)]).list_available_services("service-2")
    service_folder(models, "beta")
    os.utime(models, ns=(1, 1))
    loader = loaders.Loader(extra_search_paths=[str(models)])
    assert {"alpha", "beta"} <= set(loader.list_available_services("service-2"))
    assert loader.list_available_services("service-2") == sorted(
        set(loaders.Loader().list_available_services("service-2")) | {"alpha", "beta"})

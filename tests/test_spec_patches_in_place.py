"""LocalStack's spec patches applied in place (harness.localstack_plugins.spec_patches_in_place): the loader answers
the same patched specs as LocalStack's own, without deep-copying a spec."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from localstack.aws import spec

from harness.localstack_plugins.spec_patches_in_place import apply_spec_patches_in_place

DEEPCOPY = copy.deepcopy


def no_spec_copied(value, *args):
    assert not (isinstance(value, dict) and "operations" in value), "a spec was deep-copied"
    return DEEPCOPY(value, *args)  # the values in jsonpatch's operations are copied, as by LocalStack's loader


@pytest.mark.parametrize("service", ["s3", "apigatewayv2", "lambda"])  # two with patches (spec-patches.json), one without
def test_the_loader_answers_the_spec_localstack_patches_without_copying_it(service, monkeypatch):
    patches = spec.load_spec_patches()
    expected = spec.CustomLoader(patches).load_service_model(service, "service-2")  # LocalStack's own loader
    monkeypatch.setattr(spec.PatchingLoader, "load_data", spec.PatchingLoader.load_data)  # put back afterwards
    apply_spec_patches_in_place(spec)
    monkeypatch.setattr(copy, "deepcopy", no_spec_copied)
    loader = spec.CustomLoader(patches)
    loaded = loader.load_service_model(service, "service-2")
    assert loaded == expected
    assert loader.load_service_model(service, "service-2") is loaded  # kept, patched, as LocalStack's loader keeps it


def test_the_engine_process_has_it():
    probe = ("from harness.localstack_plugins import engine_main; engine_main.prepare_process(); "
             "from localstack.aws import spec; print(spec.PatchingLoader.load_data.patches_in_place)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr[-2000:]

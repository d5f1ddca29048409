"""LocalStack's patches of botocore's service specs applied to the spec just loaded, in place
(harness.localstack_plugins.spec_patches): the same specs as LocalStack's own loader gives, without copying them."""

from __future__ import annotations


import pytest

from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("LocalStack's own spec loader")

PROBE = """
import copy
from localstack.aws import spec
names = sorted(spec.load_spec_patches())
localstacks = [spec.CustomLoader(spec.load_spec_patches()).load_data(name) for name in names]
from harness.localstack_plugins import engine_main
engine_main.prepare_process()
deep_copies = []
deepcopy = copy.deepcopy
def counting_deepcopy(value, *rest):
    deep_copies.append(isinstance(value, dict) and "operations" in value)  # a whole spec
    return deepcopy(value, *rest)
copy.deepcopy = counting_deepcopy
loader = spec.CustomLoader(spec.load_spec_patches())
patched = [loader.load_data(name) for name in names]
print(names, patched == localstacks, sum(deep_copies), loader.load_data(names[0]) is patched[0])
"""


def test_the_engines_specs_are_localstacks_patched_specs_made_without_a_deep_copy():
    assert run_probe(PROBE).stdout.strip() == (
        "['apigatewayv2/2018-11-29/service-2', 's3/2006-03-01/service-2'] True 0 True")

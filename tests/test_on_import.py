"""`when_imported` (harness/localstack_plugins/on_import.py): a hook's patch waits for LocalStack's own import of the module,
runs right after the module's code (before anyone uses it), and at once for a module already imported."""

from __future__ import annotations

import importlib
import inspect
import sys
import uuid

import pytest

from harness.localstack_plugins.on_import import when_imported


@pytest.fixture
def module_name(tmp_path, monkeypatch):
    name = f"patched_later_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("IMPORTS = []\nIMPORTS.append('module code ran')\n\ndef greet():\n    return 'original'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_the_patch_runs_on_first_import_right_after_the_module_code(module_name):
    seen = []

    def patch(module):
        seen.append(list(module.IMPORTS))
        module.greet = lambda: "patched"

    when_imported(module_name, patch)
    assert seen == [] and module_name not in sys.modules  # nothing imported to patch it
    module = importlib.import_module(module_name)
    assert seen == [["module code ran"]] and module.greet() == "patched"
    assert "def greet" in inspect.getsource(module)  # the real loader still answers for the module
    importlib.reload(module)
    assert len(seen) == 1  # once


def test_a_module_imported_already_is_patched_at_once(module_name):
    module = importlib.import_module(module_name)
    when_imported(module_name, lambda m: setattr(m, "greet", lambda: "patched"))
    assert module.greet() == "patched"

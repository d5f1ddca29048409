"""The README's "In your own project" example runs as written, through the pytest11 plugin, in a fresh pytest."""

from __future__ import annotations

import re

from harness.lambda_runtime.runtimes import runtimes_dir
from harness.stack import PROJECT_ROOT

pytest_plugins = ["pytester"]
CACHE_DIR = runtimes_dir().parent  # read at import: pytester points HOME at a temporary directory


def readme_example() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("### In your own project", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_passes_in_another_project(pytester, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(CACHE_DIR))
    pytester.makepyfile(test_my_function=readme_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", timeout=600)
    result.assert_outcomes(passed=2)

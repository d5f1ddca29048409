"""The README's "In your own project" example runs as written, through the pytest11 plugin, in a fresh pytest."""

from __future__ import annotations

import re

from harness.lambda_runtime.runtimes import runtimes_dir
from harness.library.layout import CHECKOUT_ROOT

pytest_plugins = ["pytester"]
CACHE_DIR = runtimes_dir().parent  # read at import: pytester points HOME at a temporary directory


def readme_example() -> str:
    readme = (CHECKOUT_ROOT / "README.md").read_text()
    section = readme.split("### In your own project", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_passes_in_another_project(pytester, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(CACHE_DIR))
    pytester.makepyfile(test_my_function=readme_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=600)
    result.assert_outcomes(passed=readme_example().count("\ndef test_"))  # every test of the example
    # the slow session steps say what they do and how long they took
    result.stdout.fnmatch_lines(["harness: booting LocalStack (host mode) on 127.0.0.1 ... * ms",
                                 "harness: provisioning the thumbnail pipeline (cruddur-uploaded-avatars -> *) ... * ms",
                                 "harness: provisioning the avatar upload API (cruddur-avatar-api, *) ... * ms",
                                 "harness: stopping LocalStack ... * ms"])

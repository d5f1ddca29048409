"""A file LocalStack's own code makes for the harness's cache (harness.library.targets.localstack_builds): a build that
fails, writes nothing or hangs is a HarnessError showing why, never a half-written file taken for a good one."""

from __future__ import annotations

import pytest

from harness.library.targets.localstack_builds import run_localstack_build
from harness.shared.errors import HarnessError

MODULE = "harness.library.targets.localstack_certificate"


def test_a_build_writes_its_output(tmp_path):
    output = tmp_path / "made"
    run_localstack_build("import sys; open(sys.argv[1], 'w').write('ok')", output, "a file", MODULE, timeout=30)
    assert output.read_text() == "ok"


@pytest.mark.parametrize(("code", "evidence"), [
    ("raise SystemExit('no localstack here')", "no localstack here"),
    ("pass", ""),
])
def test_a_build_that_fails_or_writes_nothing_says_so_with_its_error(tmp_path, code, evidence):
    with pytest.raises(HarnessError, match="could not make a file") as failure:
        run_localstack_build(code, tmp_path / "made", "a file", MODULE, timeout=30)
    assert evidence in failure.value.evidence and "make setup" in failure.value.hint


def test_a_build_that_hangs_is_stopped_at_its_timeout(tmp_path):
    with pytest.raises(HarnessError, match="making a file did not finish") as failure:
        run_localstack_build("import time; time.sleep(30)", tmp_path / "made", "a file", MODULE, timeout=0.5)
    assert f"python -m {MODULE}" in failure.value.hint

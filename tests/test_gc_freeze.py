"""Boot's objects left out of later garbage collections (harness.localstack_plugins.gc_freeze): no collection
while LocalStack boots; frozen once it is ready, not before, and collection on again."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

from harness.localstack_plugins.gc_freeze import freeze_once_ready


def test_the_generations_are_frozen_when_ready_is_set_not_before_and_nothing_is_collected_until_then():
    ready = threading.Event()
    before = gc.get_freeze_count()
    try:
        thread = freeze_once_ready(ready)
        thread.join(0.2)
        assert thread.is_alive() and gc.get_freeze_count() == before  # still waiting for LocalStack
        assert not gc.isenabled()  # LocalStack is booting
        ready.set()
        thread.join(5)
        assert not thread.is_alive() and gc.get_freeze_count() > before and gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_engine_process_freezes_once_localstack_is_ready():
    probe = ("import gc, time; from harness.localstack_plugins import engine_main; engine_main.prepare_process(); "
             "from localstack.runtime import events; frozen = gc.get_freeze_count(); booting = gc.isenabled(); "
             "events.infra_ready.set(); deadline = time.monotonic() + 10\n"
             "while not gc.isenabled() and time.monotonic() < deadline: time.sleep(0.01)\n"  # on again after the freeze
             "print(frozen, booting, gc.get_freeze_count() > frozen, gc.isenabled())")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "0 False True True"), result.stderr[-2000:]

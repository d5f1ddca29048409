"""Boot's objects left out of later garbage collections (harness.localstack_plugins.gc_freeze): no collection
while LocalStack boots; frozen once it is ready, not before, and collection on again; and what a service's start made,
once it has started."""

from __future__ import annotations

import gc
import threading
import types

import pytest

from harness.localstack_plugins.gc_freeze import freeze_after_service_starts, freeze_once_ready
from tests.python_probe import run_probe


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
    assert run_probe(probe).stdout.strip() == "0 False True True"


@pytest.mark.parametrize("started", [True, False])
def test_what_a_service_start_made_is_frozen_once_it_has_started(started):
    made: list[list] = []

    class ServiceContainer:
        def start(self) -> bool:
            cycle: list = []
            cycle.append(cycle)  # tracked by the collector, as a provider's objects are
            made.append(cycle)
            assert gc.get_freeze_count() == before  # not while it starts
            if not started:
                raise RuntimeError("the service failed to start")
            return True

    freeze_after_service_starts(types.SimpleNamespace(ServiceContainer=ServiceContainer))
    before = gc.get_freeze_count()
    try:
        if started:
            assert ServiceContainer().start() is True
        else:
            with pytest.raises(RuntimeError):
                ServiceContainer().start()
        assert gc.get_freeze_count() > before and gc.is_tracked(made[0])
    finally:
        gc.unfreeze()


def test_the_engine_process_freezes_after_each_service_start():
    probe = ("from harness.localstack_plugins import engine_main; engine_main.prepare_process(); "
             "from localstack.services import plugins; print(plugins.ServiceContainer.start.__name__)")
    assert run_probe(probe).stdout.strip() == "start_then_freeze"

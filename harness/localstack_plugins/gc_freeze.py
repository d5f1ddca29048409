"""The objects LocalStack made while it booted are left out of later garbage collections (inside LocalStack; issue 13).

A full collection walks every tracked object, and nearly all of an engine's are long-lived: modules, service specs,
routers, moto's backends. Measured with `gc.callbacks`: boot and provisioning the Cruddur stack ran 5 full collections
of ~85 ms each that freed next to nothing. `gc.freeze()` once LocalStack is ready (`localstack.runtime.events.
infra_ready`) moves everything alive then into the permanent generation, which collections skip. Interleaved A/B, median
of 4: provisioning the Cruddur stack 2.13 -> 1.89 s of engine CPU, the engine's memory afterwards the same (180-182 MB).
What was frozen and later becomes cyclic garbage is not freed (a boot-time router map that a later route replaces):
once, and bounded by what boot made.

Collection is off while LocalStack boots, too. Measured with `gc.callbacks` up to ready: 265 young, 24 middle and 2 full
collections took 100-120 ms of a ~0.8 s boot and freed ~4,600 objects, 48 of them in the full ones. Interleaved A/B, 6
each: boot to ready, median 815 -> 725 ms; the idle engine 97 -> 98 MB. The boot's cyclic garbage is frozen with the
rest, so it is never freed. Collecting it at ready would walk all boot's objects (~60 ms) just before the first request.

LocalStack loads a service when it is first called, and what that makes (the provider, the modules it imports, its
specs and stores) is as long-lived as boot's objects. After a freeze the collector counts no long-lived objects, so a
full collection came every tenth middle one and walked everything loaded since ready: 2 full collections of 45-113 ms
while `harness up` provisioned the Cruddur stack. Each service's start is now followed by a freeze too. Interleaved
A/B, 6 each: `harness up`'s engine CPU, median ~2.16 -> ~2.06 s (lower in 5 of 6); the engine afterwards 170.8 ->
171.7 MB (the cyclic garbage alive at those moments is not freed).
"""

from __future__ import annotations

import gc
import threading
from types import ModuleType
from typing import Any


def freeze_once_ready(ready: threading.Event) -> threading.Thread:
    """Collection off from now; a daemon thread that, when `ready` is set, freezes the collector's generations and
    turns collection on again."""
    gc.disable()

    def freeze() -> None:
        ready.wait()
        gc.freeze()
        gc.enable()

    thread = threading.Thread(target=freeze, name="harness-gc-freeze", daemon=True)
    thread.start()
    return thread


def freeze_after_service_starts(plugins: ModuleType) -> None:
    """`ServiceContainer.start` (LocalStack's `localstack.services.plugins`): once a service has started, what loading it
    made (its provider, the modules it imported, its specs and stores) joins boot's objects in the permanent generation."""
    container = plugins.ServiceContainer
    start = container.start

    def start_then_freeze(self: Any) -> bool:
        try:
            return start(self)
        finally:
            gc.freeze()

    container.start = start_then_freeze

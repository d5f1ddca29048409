"""rolo's request dispatcher without pydantic until pydantic's code has run (inside LocalStack; issue 13).

rolo's `handler_dispatcher()` returns its `PydanticHandlerDispatcher` whenever pydantic is installed, and LocalStack
makes its routers' dispatchers at boot: rolo's pydantic module, pydantic and pydantic_core's native library loaded in
every engine (~10 ms of boot, ~4 MB). That dispatcher differs from rolo's plain `HandlerDispatcher` only for an
endpoint annotated with a pydantic model class (the request's JSON body parsed into it) and for a value that is a
pydantic model (dumped before it is serialised): neither can exist before pydantic's code has run, which
`modules_on_first_use` defers until a name is first read from it. The dispatcher here is rolo's plain one until then,
and rolo's pydantic one from then on.
"""

from __future__ import annotations

import json
import types
from typing import Any

from harness.localstack_plugins import modules_on_first_use

PYDANTIC = "pydantic"


def dispatch_without_pydantic_until_it_runs(handler_module: types.ModuleType) -> None:
    """Patch `rolo.routing.handler` (its `handler_dispatcher`, which LocalStack calls at boot)."""
    if not handler_module.ENABLE_PYDANTIC:
        return  # pydantic is not installed: rolo's own choice is the plain dispatcher already
    plain_dispatcher: type = handler_module.HandlerDispatcher

    class PydanticOnceItRuns(plain_dispatcher):
        """rolo's `PydanticHandlerDispatcher` once pydantic has run, its plain `HandlerDispatcher` before."""

        def __init__(self, json_encoder: type[json.JSONEncoder] | None = None) -> None:
            super().__init__(json_encoder)
            self._with_pydantic: Any = None

        def __call__(self, request: Any, endpoint: Any, request_args: Any) -> Any:
            if not modules_on_first_use.has_run(PYDANTIC):
                return super().__call__(request, endpoint, request_args)
            if self._with_pydantic is None:
                from rolo.routing.pydantic import PydanticHandlerDispatcher

                self._with_pydantic = PydanticHandlerDispatcher(self.json_encoder)
            return self._with_pydantic(request, endpoint, request_args)

    def handler_dispatcher(json_encoder: type[json.JSONEncoder] | None = None) -> PydanticOnceItRuns:
        return PydanticOnceItRuns(json_encoder)

    handler_dispatcher.__doc__ = handler_module.handler_dispatcher.__doc__
    handler_module.handler_dispatcher = handler_dispatcher

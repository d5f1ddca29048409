"""rolo's request dispatcher in the engine (harness.localstack_plugins.rolo_pydantic_dispatch, issue 13): rolo's plain
dispatcher while pydantic has not run, so making LocalStack's routers does not load it; rolo's pydantic one once it has,
a model-annotated endpoint then given its parsed body (and a bad body answered 400) as rolo does."""

from __future__ import annotations

import pytest

from tests.python_probe import run_probe

pytestmark = pytest.mark.emulator_only("the engine's request dispatch")


def test_routers_dispatch_without_pydantic_until_it_runs_and_with_rolos_pydantic_dispatcher_after():
    lines = run_probe("""
        from harness.localstack_plugins import engine_main
        from harness.localstack_plugins.modules_on_first_use import has_run
        engine_main.prepare_process()
        from rolo import Request, Router
        from rolo.routing import handler_dispatcher
        router = Router(dispatcher=handler_dispatcher())
        router.add("/plain", lambda request: {"plain": True})
        print(router.dispatch(Request("GET", "/plain")).json, has_run("pydantic"))
        import pydantic
        class Item(pydantic.BaseModel):
            name: str
        def create(request: Request, item: Item) -> Item:
            return item
        router.add("/items", create, methods=["POST"])
        made = router.dispatch(Request("POST", "/items", body=b'{"name": "avatar"}'))
        bad = router.dispatch(Request("POST", "/items", body=b'{}'))
        print(has_run("pydantic"), made.status_code, made.json, bad.status_code, bad.json[0]["type"])
        """).stdout.splitlines()
    assert lines == ["{'plain': True} False", "True 200 {'name': 'avatar'} 400 missing"]

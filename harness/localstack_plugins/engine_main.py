"""The engine's entry point: LocalStack's own `localstack.runtime.main`, with botocore's data files read through the
harness's cache (`harness.shared.botocore_data_cache`), werkzeug's URL builders made on first use
(`werkzeug_url_builders`), a request's absent headers looked up without an exception (`werkzeug_headers`),
plain HTTP header blocks read without the email package (`http_header_parsing`), LocalStack's resources and edge
routers asked only about requests they can match (`route_prechecks`), its gateway made without the steps of its
test-metric collection unless that is on (`localstack_test_metrics`), a request's absent header and query
members parsed as None at once (`absent_request_members`), boot's and each started service's objects left
out of later garbage collections (`gc_freeze`), what LocalStack imports or makes at boot or at a service's first call
without needing it then made when first used (`deferred_imports`: its OpenAPI validation, message forwarding and
service catalog; `spec_patches`: its patches of botocore's specs; `moto_on_first_use`: moto; `iam_managed_policies`:
an account's AWS managed policies; `modules_on_first_use`: docker-py, dnspython, asn1crypto, pyOpenSSL, PyYAML,
pydantic; `rolo_pydantic_dispatch`: rolo's dispatcher without pydantic until it runs; `awscrt_on_first_use`:
awscrt's native library), and ending without the interpreter's teardown once LocalStack has
shut down (inside LocalStack; issue 13); it stops itself if the process that started it ends without stopping it
(`owner_watch`).

Once LocalStack's `main` has returned (its shutdown hooks have stopped every service and Lambda runtime), its
non-daemon threads have ended and the atexit handlers have run, the process ends with `os._exit`: tearing down every
module and object of an engine that provisioned the Cruddur stack took ~0.85 s of the ~1.2 s an engine stop took.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import types

from werkzeug.datastructures import Headers
from werkzeug.routing.rules import Rule

from harness.localstack_plugins import (
    awscrt_on_first_use,
    deferred_imports,
    iam_managed_policies,
    modules_on_first_use,
    moto_on_first_use,
)
from harness.localstack_plugins.absent_request_members import answer_absent_request_members_at_once
from harness.localstack_plugins.gc_freeze import freeze_after_service_starts, freeze_once_ready
from harness.localstack_plugins.http_header_parsing import read_plain_headers_directly
from harness.localstack_plugins.localstack_test_metrics import collect_test_metrics_only_when_asked
from harness.localstack_plugins.on_import import when_imported
from harness.localstack_plugins.owner_watch import watch_owner
from harness.localstack_plugins.rolo_pydantic_dispatch import dispatch_without_pydantic_until_it_runs
from harness.localstack_plugins.route_prechecks import ask_routers_only_about_matching_requests
from harness.localstack_plugins.spec_patches import patch_loaded_specs_in_place
from harness.localstack_plugins.werkzeug_headers import look_up_absent_headers_without_exceptions
from harness.localstack_plugins.werkzeug_url_builders import compile_builders_on_first_build


def share_motos_loader(moto_core_utils: types.ModuleType) -> None:
    """moto makes a loader of its own (with its model extras) for each service model it reads: one for the process."""
    from harness.shared import botocore_data_cache

    moto_core_utils.create_loader = botocore_data_cache.one_loader_per_arguments(moto_core_utils.create_loader)


def read_botocore_data_once() -> None:
    from localstack.aws.spec import LOCALSTACK_BUILTIN_DATA_PATH

    from harness.shared import botocore_data_cache

    botocore_data_cache.install_file_cache()
    # LocalStack puts its own data folder (legacy specs such as sqs-query) first in each session's loader: the shared
    # one has it before anything is listed or loaded
    botocore_data_cache.share_loaders(first_search_paths=[LOCALSTACK_BUILTIN_DATA_PATH])
    when_imported("moto.core.utils", share_motos_loader)


def prepare_process() -> None:
    """What the engine changes before LocalStack's runtime is imported and started (only `localstack.aws.spec` and
    `localstack.runtime.events` are imported for it, for a path and an event; botocore is first imported after the
    deferred modules' finders are in place)."""
    modules_on_first_use.install()
    awscrt_on_first_use.install()
    from localstack.runtime import events

    freeze_once_ready(events.infra_ready)  # first: no collection while the rest of the boot imports and builds
    when_imported("localstack.services.plugins", freeze_after_service_starts)
    watch_owner()
    when_imported("rolo.routing.handler", dispatch_without_pydantic_until_it_runs)  # deferred_imports imports rolo
    deferred_imports.install()
    moto_on_first_use.install()
    iam_managed_policies.install()
    when_imported("localstack.aws.spec", patch_loaded_specs_in_place)
    read_botocore_data_once()
    compile_builders_on_first_build(Rule)
    look_up_absent_headers_without_exceptions(Headers)
    read_plain_headers_directly()
    ask_routers_only_about_matching_requests()
    collect_test_metrics_only_when_asked()
    answer_absent_request_members_at_once()


def main() -> None:
    prepare_process()
    from localstack.runtime import main as localstack_main

    try:
        localstack_main.main()
    except SystemExit as exit_:
        exit_without_teardown(exit_.code)
    exit_without_teardown(0)


def exit_without_teardown(code: object) -> None:
    """What the end of a program does after `sys.exit(code)`, in the interpreter's order (non-daemon threads joined
    and `threading`'s exit callbacks such as concurrent.futures' run, then the atexit handlers, then the code or its
    message), without tearing down modules and objects. Both steps are the interpreter's own private functions."""
    threading._shutdown()
    atexit._run_exitfuncs()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()

"""The ruby Lambda runtimes: interpreter resolution (unit) and the Ruby bootstrap through LocalStack's Lambda service.

behaviour.md "Lambda runtime": handlers `file.method` called as `method(event:, context:)`; AWS's error shapes
(aws_lambda_ric: `Function<RuntimeError>`, `Init<LoadError>`, stackTrace "file:line:in `method'"); layers under
`ruby/gems/<abi>` and `ruby/lib`; the AWS SDK for Ruby provided; a substitute Ruby declared, refused when strict.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from harness.library.targets.localstack_host import LocalStackEngine
from harness.library.lambda_functions import THROWAWAY_ROLE_ARN, wait_function_ready
from harness.lambda_runtime.ruby import (
    RUBY_ISEQ_CACHE, RUBY_RUNTIMES, find_ruby, iseq_cache_dir, override_variable, ruby_command, serving,
)
from harness.lambda_runtime.ruby_sdk import HOST_RUBY, ruby_sdk_dir
from harness.lambda_runtime.runtimes import RuntimeUnavailable
from harness.library.packaging import ruby_gem_layer_zip, zip_files

REPORT = """
require 'logger'
CALLS = [0]
def handler(event:, context:)
  CALLS[0] += 1
  puts "event #{event.to_json}"
  Logger.new($stdout).info('from a logger')
  {
    ruby: RUBY_VERSION, pid: Process.pid, calls: CALLS[0], event: event,
    context: {
      aws_request_id: context.aws_request_id, invoked_function_arn: context.invoked_function_arn,
      function_name: context.function_name, function_version: context.function_version,
      memory_limit_in_mb: context.memory_limit_in_mb, log_group_name: context.log_group_name,
      log_stream_name: context.log_stream_name, deadline_ms: context.deadline_ms,
      remaining_ms: context.get_remaining_time_in_millis, identity: context.identity, client_context: context.client_context,
    },
    custom: ENV['CUSTOM'], sleep: sleep(event.fetch('sleep', 0)),
  }
end
"""


def invoke(aws_client, name: str, event: dict | None = None) -> tuple[dict, object, str]:
    response = aws_client.lambda_.invoke(FunctionName=name, Payload=json.dumps(event or {}), LogType="Tail")
    payload = json.loads(response["Payload"].read() or b"null")
    return response, payload, base64.b64decode(response.get("LogResult", "")).decode()


@pytest.fixture
def ruby_function(lambda_function_factory):
    def make(files: dict | None = None, runtime: str = "ruby3.2", **kwargs) -> str:
        kwargs.setdefault("Handler", "function.handler")
        return lambda_function_factory(
            Runtime=runtime, Code={"ZipFile": zip_files(files or {"function.rb": REPORT})},
            Environment={"Variables": {"CUSTOM": "yes"}}, **kwargs,
        )["FunctionName"]

    return make


# -- interpreter resolution (no engine) --------------------------------------------------------------------
def fake_ruby(directory: Path, version: str) -> Path:
    """A program that answers the interpreter probe as a Ruby `version` would."""
    program = directory / f"ruby{version}"
    program.write_text(f"#!/bin/sh\necho {version}.1\necho {directory}/gems/{version}.0\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def test_debian_ruby_serving_a_newer_runtime_is_a_declared_substitute():
    chosen = serving("ruby3.3", {"PATH": "/usr/bin"})
    assert chosen.substitute and chosen.abi == "3.3.0"
    assert chosen.interpreter.minor_version == "3.1"
    assert "a substitute for Ruby 3.3" in chosen.describe() and "HARNESS_RUBY3_3=" in chosen.describe()


def test_strict_setting_refuses_a_substitute_with_a_hint():
    with pytest.raises(RuntimeUnavailable) as error:
        serving("ruby3.4", {"PATH": "/usr/bin", "HARNESS_STRICT_RUNTIMES": "1"})
    assert "needs Ruby 3.4; the host has Ruby 3.1" in str(error.value) and "Hint: set HARNESS_RUBY3_4" in str(error.value)


def test_an_interpreter_named_per_runtime_is_exact_and_passes_the_strict_setting(tmp_path):
    program = fake_ruby(tmp_path, "3.3")
    chosen = serving("ruby3.3", {"PATH": "/usr/bin", override_variable("ruby3.3"): str(program), "HARNESS_STRICT_RUNTIMES": "1"})
    assert not chosen.substitute and chosen.chosen_by == "HARNESS_RUBY3_3" and chosen.interpreter.path == program
    assert chosen.describe() == f"ruby3.3 is served by Ruby 3.3.1 ({program}, HARNESS_RUBY3_3)"


def test_a_versioned_ruby_on_path_is_preferred_to_plain_ruby(tmp_path):
    fake_ruby(tmp_path, "3.2")
    chosen = find_ruby("ruby3.2", {"PATH": f"{tmp_path}:/usr/bin"})
    assert (chosen.chosen_by, chosen.substitute) == ("ruby3.2 on PATH", False)


def test_a_configured_interpreter_that_is_not_ruby_is_refused(tmp_path):
    with pytest.raises(RuntimeUnavailable, match="HARNESS_RUBY3_2=/nonexistent/ruby is not a Ruby interpreter"):
        find_ruby("ruby3.2", {"PATH": "/usr/bin", "HARNESS_RUBY3_2": "/nonexistent/ruby"})


def test_no_ruby_at_all_says_how_to_install_it(tmp_path):
    with pytest.raises(RuntimeUnavailable, match="apt-get install ruby"):
        find_ruby("ruby3.2", {"PATH": str(tmp_path)})


def test_paths_follow_the_abi_of_the_runtime_named_and_note_the_substitute(tmp_path):
    layer, task = tmp_path / "layer", tmp_path / "task"
    command = ruby_command("ruby3.2", [layer], task, {"PATH": "/usr/bin"})
    assert command.env["RUBYLIB"].split(":") == [str(task), str(layer / "ruby" / "lib")]
    gem_path = command.env["GEM_PATH"].split(":")
    assert gem_path[:3] == [str(task / "vendor/bundle/ruby/3.2.0"), str(layer / "ruby/gems/3.2.0"), str(ruby_sdk_dir())]
    assert command.argv[-1].startswith("harness: ruby3.2 is served by Ruby 3.1")  # written to the log at init


# -- the bootstrap through LocalStack -----------------------------------------------------------------------
@pytest.mark.parametrize("runtime", RUBY_RUNTIMES)
def test_each_ruby_runtime_runs_the_handler_with_event_and_context(aws_client, ruby_function, runtime):
    name = ruby_function(runtime=runtime, Timeout=7, MemorySize=256)
    response, payload, logs = invoke(aws_client, name, {"hello": "world"})
    assert "FunctionError" not in response, payload
    assert payload["event"] == {"hello": "world"} and payload["custom"] == "yes"
    context = payload["context"]
    assert context["function_name"] == name and context["invoked_function_arn"].endswith(f":function:{name}")
    assert (context["function_version"], context["memory_limit_in_mb"]) == ("$LATEST", "256")
    assert context["log_group_name"] == f"/aws/lambda/{name}" and context["log_stream_name"]
    assert 0 < context["remaining_ms"] <= 7000 and context["deadline_ms"] > 0
    assert context["identity"] is None and context["client_context"] is None
    request_id = context["aws_request_id"]
    assert 'event {"hello":"world"}' in logs  # puts reaches the function's log
    assert f" INFO {request_id} -- : from a logger" in logs  # a Logger on $stdout: AWS's format with the request id
    # Debian's Ruby 3.1 serves it: declared at init in the function's log (cold start only)
    assert f"harness: {runtime} is served by Ruby {payload['ruby']}" in logs and f"a substitute for Ruby {runtime[4:]}" in logs
    second = invoke(aws_client, name)
    assert (second[1]["pid"], second[1]["calls"]) == (payload["pid"], 2) and "is served by" not in second[2]


def test_class_method_handler_form(aws_client, ruby_function):
    code = "module Cruddur\n  class Upload\n    def self.handle(event:, context:)\n      { 'got' => event['n'] }\n    end\n  end\nend\n"
    name = ruby_function({"lib/app.rb": code}, Handler="lib/app.Cruddur::Upload.handle")
    assert invoke(aws_client, name, {"n": 3})[1] == {"got": 3}


def test_handler_error_has_aws_shape_and_log_and_keeps_the_environment(aws_client, ruby_function):
    code = "def handler(event:, context:)\n  raise \"no good: #{event['x']}\" if event['x']\n  Process.pid\nend\n"
    name = ruby_function({"function.rb": code})
    response, payload, logs = invoke(aws_client, name, {"x": "42"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Function<RuntimeError>" and payload["errorMessage"] == "no good: 42"
    assert payload["stackTrace"][0].endswith("/function.rb:2:in `handler'") and len(payload["stackTrace"]) == 1
    assert "Error raised from handler method\n{\n" in logs and '"errorType": "Function<RuntimeError>"' in logs
    first_pid = invoke(aws_client, name)[1]
    assert invoke(aws_client, name)[1] == first_pid  # a StandardError leaves the environment warm


def test_no_method_error_is_critical_and_the_next_call_reinitialises(aws_client, ruby_function):
    code = "def handler(event:, context:)\n  event['missing'].upcase if event['fail']\n  Process.pid\nend\n"
    name = ruby_function({"function.rb": code})
    response, payload, logs = invoke(aws_client, name, {"fail": True})
    assert payload["errorType"] == "Function<NoMethodError>" and "undefined method `upcase' for nil" in payload["errorMessage"]
    assert "Critical exception from handler" in logs
    response, payload, logs = invoke(aws_client, name)
    assert "FunctionError" not in response and "Init Duration" in logs  # aws_lambda_ric exits after a critical error


@pytest.mark.parametrize(
    "files, handler, error_type, message",
    [
        ({"function.rb": "require 'jwt'\ndef handler(event:, context:) = 1\n"}, "function.handler", "Init<LoadError>",
         "cannot load such file -- jwt"),
        ({"other.rb": "def handler(event:, context:) = 1\n"}, "function.handler", "Init<LoadError>", "cannot load such file -- function"),
        ({"function.rb": "def handler(event:, context:)\n  {\nend\n"}, "function.handler", "Init<SyntaxError>", "syntax error"),
        ({"function.rb": "raise ArgumentError, 'bad config'\n"}, "function.handler", "Init<ArgumentError>", "bad config"),
        ({"function.rb": ""}, "function.a.b.c", "Init<ArgumentError>", "must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD"),
    ],
    ids=["missing-gem", "missing-file", "syntax-error", "raised-at-load", "malformed-handler"],
)
def test_init_errors_fail_every_call(aws_client, ruby_function, files, handler, error_type, message):
    name = ruby_function(files, Handler=handler)
    for _ in range(2):
        response, payload, logs = invoke(aws_client, name)
        assert response["FunctionError"] == "Unhandled"
        assert payload["errorType"] == error_type and message in payload["errorMessage"]
        assert f"Init error when loading handler {handler}\n" in logs and f'"errorType": "{error_type}"' in logs


def test_missing_handler_method_is_a_no_method_error_at_call_time(aws_client, ruby_function):
    """aws_lambda_ric does not look the method up at init: the call fails with NoMethodError."""
    name = ruby_function({"function.rb": "def other(event:, context:) = 1\n"})
    payload = invoke(aws_client, name)[1]
    assert payload["errorType"] == "Function<NoMethodError>" and "undefined method `handler'" in payload["errorMessage"]


def test_timeout_ends_the_invocation(aws_client, ruby_function):
    name = ruby_function(Timeout=1)
    response, payload, logs = invoke(aws_client, name, {"sleep": 30})
    assert payload["errorType"] == "Sandbox.Timedout" and "Task timed out after 1.00 seconds" in logs
    response, payload, logs = invoke(aws_client, name)
    assert "FunctionError" not in response and payload["calls"] == 1


def test_gem_and_library_from_layers_and_the_sdk_from_the_runtime(aws_client, ruby_function):
    gems = aws_client.lambda_.publish_layer_version(LayerName="jwt-gem", Content={"ZipFile": ruby_gem_layer_zip(["jwt"], "3.2.0")},
                                                    CompatibleRuntimes=["ruby3.2"])
    library = aws_client.lambda_.publish_layer_version(
        LayerName="ruby-lib", Content={"ZipFile": zip_files({"ruby/lib/greeting.rb": "GREETING = 'hi from layer'\n"})})
    code = (
        "require 'jwt'\nrequire 'greeting'\nrequire 'aws-sdk-s3'\n"
        "def handler(event:, context:)\n"
        "  { jwt: JWT.decode(JWT.encode({ 'sub' => 'abc' }, nil, 'none'), nil, false)[0]['sub'], greeting: GREETING,\n"
        "    jwt_from: $LOADED_FEATURES.grep(%r{/jwt\\.rb$}).first, sdk: Aws::S3::GEM_VERSION }\n"
        "end\n"
    )
    name = ruby_function({"function.rb": code}, Layers=[gems["LayerVersionArn"], library["LayerVersionArn"]])
    response, payload, logs = invoke(aws_client, name)
    assert "FunctionError" not in response, payload
    assert payload["jwt"] == "abc" and payload["greeting"] == "hi from layer"
    assert "/ruby/gems/3.2.0/gems/jwt-" in payload["jwt_from"]  # from the layer, not from Debian's copy
    assert payload["sdk"]


def test_the_sdk_comes_compiled_from_the_iseq_cache_and_the_function_sees_nothing_of_it(aws_client, ruby_function):
    """harness/lambda_runtime/ruby_iseq_cache.rb: the runtime's files are kept compiled, the function's own are not."""
    code = ("require 'aws-sdk-s3'\ndef handler(event:, context:)\n"
            "  { env: ENV.keys.grep(/ISEQ/), sdk: Aws::S3::GEM_VERSION }\nend\n")
    payload = invoke(aws_client, ruby_function({"function.rb": code}))[1]
    assert payload["env"] == [] and payload["sdk"]
    cached = [path.name for path in iseq_cache_dir().glob("ruby-*/*.iseq")]
    assert any("aws-sdk-s3" in name for name in cached)
    assert not [name for name in cached if "lambda-code%2F" in name]  # the function's package is left to Ruby


def test_a_cache_directory_that_cannot_be_made_leaves_ruby_to_compile_as_usual(tmp_path, monkeypatch):
    from harness.lambda_runtime import ruby

    (tmp_path / "a-file").write_text("")
    monkeypatch.setattr(ruby, "runtimes_dir", lambda: tmp_path / "a-file")
    command = ruby_command("ruby3.2", [], tmp_path / "task", {"PATH": "/usr/bin"})
    assert "HARNESS_RUBY_ISEQ_CACHE" not in command.env and command.argv[1:3] == ["-r", str(RUBY_ISEQ_CACHE)]


def run_ruby(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([HOST_RUBY, *argv], capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": os.environ["PATH"], **env})


@pytest.mark.skipif(shutil.which(HOST_RUBY) is None, reason="no host Ruby (make setup installs Debian's)")
def test_the_iseq_cache_loads_what_ruby_would_and_leaves_skipped_files_and_bad_caches_to_ruby(tmp_path):
    library, task, cache = tmp_path / "lib", tmp_path / "task", tmp_path / "cache"
    library.mkdir(), task.mkdir(), cache.mkdir()
    (library / "kept.rb").write_text("KEPT = __FILE__\n")
    (task / "broken.rb").write_text("def handler(event:, context:)\n  {\nend\n")
    env = {"HARNESS_RUBY_ISEQ_CACHE": str(cache), "HARNESS_RUBY_ISEQ_SKIP": str(task)}
    program = ["-r", str(RUBY_ISEQ_CACHE), "-I", str(library), "-e", "require 'kept'; puts KEPT"]
    assert run_ruby(program, env).stdout.strip() == str(library / "kept.rb")
    (cached,) = cache.glob("ruby-*/*%2Fkept.rb-*.iseq")
    cached.write_bytes(b"not an instruction sequence")
    assert run_ruby(program, env).stdout.strip() == str(library / "kept.rb")  # compiled again, and stored again
    assert cached.read_bytes() != b"not an instruction sequence"
    broken = ["-I", str(task), "-e", "require 'broken'"]
    with_cache, without = run_ruby(["-r", str(RUBY_ISEQ_CACHE), *broken], env), run_ruby(broken, {})
    assert with_cache.returncode == without.returncode != 0 and with_cache.stderr == without.stderr  # Ruby's own words
    assert not list(cache.glob("ruby-*/*broken*"))


def test_sdk_call_to_s3_from_a_ruby_function(aws_client, ruby_function):
    aws_client.s3.create_bucket(Bucket="seen-from-ruby")
    # Debian's aws-sdk-core 3.168 predates AWS_ENDPOINT_URL; unchanged code reaches the engine at AWS's own hostname
    # (README "AWS hostnames inside Lambda"), as it reaches S3 on AWS.
    code = (
        "require 'aws-sdk-s3'\n"
        "def handler(event:, context:)\n"
        "  s3 = Aws::S3::Client.new\n"
        "  s3.list_buckets.buckets.map(&:name)\n"
        "end\n"
    )
    try:
        assert "seen-from-ruby" in invoke(aws_client, ruby_function({"function.rb": code}))[1]
    finally:
        aws_client.s3.delete_bucket(Bucket="seen-from-ruby")


@pytest.fixture(scope="module")
def strict_engine(tmp_path_factory):
    """An engine whose Lambda executor refuses substitutes and is told of a broken ruby3.4 interpreter."""
    engine = LocalStackEngine(state_dir=tmp_path_factory.mktemp("strict"),
                              extra_env={"HARNESS_STRICT_RUNTIMES": "1", "HARNESS_RUBY3_4": "/nonexistent/ruby"}).start()
    yield engine
    engine.stop()


@pytest.mark.parametrize(
    "runtime, expected",
    [("ruby3.2", "HARNESS_STRICT_RUNTIMES refuses a substitute"), ("ruby3.4", "HARNESS_RUBY3_4=/nonexistent/ruby is not a Ruby")],
)
def test_strict_engine_refuses_substitutes_and_broken_interpreters(strict_engine, runtime, expected):
    lambda_ = strict_engine.clients().lambda_
    name = f"strict-{runtime.replace('.', '-')}"
    lambda_.create_function(FunctionName=name, Runtime=runtime, Handler="function.handler", Role=THROWAWAY_ROLE_ARN,
                            Code={"ZipFile": zip_files({"function.rb": REPORT})})
    wait_function_ready(lambda_, name, timeout=30)
    response = lambda_.invoke(FunctionName=name, Payload=b"{}")
    payload = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.Unavailable" and expected in payload["errorMessage"] and "Hint:" in payload["errorMessage"]


def test_doctor_says_what_serves_each_ruby_runtime(monkeypatch):
    from harness.cli.doctor import check_lambda_runtimes, check_ruby_sdk

    def check_ruby_runtimes():  # doctor lists the ruby runtimes among all runtimes of the table, after the SDK's check
        return [check_ruby_sdk(), *(f for f in check_lambda_runtimes() if f.what.startswith("ruby"))]

    monkeypatch.delenv("HARNESS_STRICT_RUNTIMES", raising=False)
    sdk, *runtimes = check_ruby_runtimes()
    assert sdk.ok and [f.what for f in runtimes] == [f"{r} Lambda runtime" for r in RUBY_RUNTIMES]
    assert all(f.ok and "a substitute for Ruby" in f.detail for f in runtimes)
    monkeypatch.setenv("HARNESS_STRICT_RUNTIMES", "1")
    refused = check_ruby_runtimes()[1]
    assert not refused.ok and "refuses a substitute" in refused.detail and refused.hint.startswith("set HARNESS_RUBY2_7")

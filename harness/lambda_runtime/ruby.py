"""Which host Ruby serves a Lambda ruby runtime (ruby3.2, ruby3.3, ruby3.4; ruby2.7 earlier), and with what paths.

behaviour.md "Lambda runtime": the runtime named in the function is the one that runs; Ruby handlers are
`file.method` called as `method(event:, context:)`; layers are found under `/opt/ruby/gems/<abi>` and
`/opt/ruby/lib`; the runtime ships the AWS SDK for Ruby (here Debian's, `harness.lambda_runtime.ruby_sdk`).

Debian 12 has Ruby 3.1 only, so serving `ruby3.x` with it is a substitution. It is declared, never silent:
the bootstrap writes one line to the function's log at init, `harness doctor` lists what serves each ruby
runtime, and `HARNESS_STRICT_RUNTIMES=1` refuses a substitute (Runtime.Unavailable). An exact interpreter is
named per runtime with `HARNESS_RUBY<major>_<minor>` (`HARNESS_RUBY3_3=/opt/ruby-3.3/bin/ruby`); otherwise a
`ruby<major>.<minor>` on PATH, then the `ruby` on PATH, serve it. These are read in the process that runs the
Lambda executor (LocalStack's), which inherits the environment of whoever starts the engine.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.lambda_runtime.ruby_sdk import DEBIAN_PACKAGES, ruby_sdk_dir, sdk_installed
from harness.lambda_runtime.runtimes import RuntimeCommand, RuntimeUnavailable, runtimes_dir

RUBY_BOOTSTRAP = Path(__file__).with_name("ruby_bootstrap.rb")
RUBY_ISEQ_CACHE = Path(__file__).with_name("ruby_iseq_cache.rb")  # compiled SDK and standard library kept (issue 13)
# The ruby runtimes AWS has had in use (behaviour.md); any ruby<major>.<minor> a function names is resolved the same way.
RUBY_RUNTIMES = ("ruby2.7", "ruby3.2", "ruby3.3", "ruby3.4")
STRICT_VARIABLE = "HARNESS_STRICT_RUNTIMES"
_RUBY_RUNTIME = re.compile(r"^ruby(?P<major>\d+)\.(?P<minor>\d+)$")
_PROBE = "require 'rbconfig'; print RUBY_VERSION, \"\\n\", File.join(RbConfig::CONFIG['rubylibprefix'], 'gems', RbConfig::CONFIG['ruby_version'])"


@dataclass(frozen=True)
class RubyInterpreter:
    """A Ruby on the host: its program, its version (3.1.2) and the gem directory of its bundled gems (rexml, ...)."""

    path: Path
    version: str
    gems_dir: Path

    @property
    def minor_version(self) -> str:
        return ".".join(self.version.split(".")[:2])


@dataclass(frozen=True)
class RubyServing:
    """What serves one ruby runtime: an interpreter, how it was chosen, and whether it is another version."""

    runtime: str
    interpreter: RubyInterpreter
    chosen_by: str  # "HARNESS_RUBY3_3", "ruby3.3 on PATH", "ruby on PATH"

    @property
    def version(self) -> str:
        return self.runtime.removeprefix("ruby")

    @property
    def abi(self) -> str:
        """The runtime's gem ABI directory name, as AWS lays out layers: ruby3.2 -> 3.2.0."""
        return f"{self.version}.0"

    @property
    def substitute(self) -> bool:
        return self.interpreter.minor_version != self.version

    def describe(self) -> str:
        """One line: what serves the runtime, and, for a substitute, that it is one and how to change that."""
        served = f"Ruby {self.interpreter.version} ({self.interpreter.path}, {self.chosen_by})"
        if not self.substitute:
            return f"{self.runtime} is served by {served}"
        return (
            f"{self.runtime} is served by {served}: a substitute for Ruby {self.version}."
            f" {override_variable(self.runtime)}=<ruby {self.version}> names an exact interpreter; {STRICT_VARIABLE}=1 refuses a substitute"
        )


def override_variable(runtime: str) -> str:
    """The environment variable naming the interpreter for `runtime`: ruby3.3 -> HARNESS_RUBY3_3."""
    return "HARNESS_" + runtime.upper().replace(".", "_")


def is_ruby_runtime(runtime: str | None) -> bool:
    return bool(_RUBY_RUNTIME.match(runtime or ""))


def strict(environ: Mapping[str, str]) -> bool:
    return environ.get(STRICT_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


@functools.lru_cache(maxsize=None)
def probe_ruby(path: str) -> RubyInterpreter | None:
    """The interpreter at `path`, or None when it is not a Ruby that runs."""
    try:
        out = subprocess.run([path, "--disable-gems", "-e", _PROBE], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.splitlines()
    if out.returncode != 0 or len(lines) != 2 or not re.fullmatch(r"\d+\.\d+\.\d+", lines[0]):
        return None
    return RubyInterpreter(Path(path).resolve(), lines[0], Path(lines[1]))


def find_ruby(runtime: str, environ: Mapping[str, str] = os.environ) -> RubyServing:
    """The interpreter that serves `runtime`: the configured one, else ruby<X.Y> on PATH, else ruby on PATH."""
    version = runtime.removeprefix("ruby")
    variable = override_variable(runtime)
    if configured := environ.get(variable):
        interpreter = probe_ruby(configured)
        if interpreter is None:
            raise RuntimeUnavailable(
                f"runtime {runtime}: {variable}={configured} is not a Ruby interpreter that runs."
                f" Hint: point {variable} at a Ruby {version} program, or unset it."
            )
        return RubyServing(runtime, interpreter, variable)
    search_path = environ.get("PATH", os.defpath)
    for name, chosen_by in ((f"ruby{version}", f"ruby{version} on PATH"), ("ruby", "ruby on PATH")):
        program = shutil.which(name, path=search_path)
        interpreter = probe_ruby(program) if program else None
        if interpreter is not None:
            return RubyServing(runtime, interpreter, chosen_by)
    raise RuntimeUnavailable(
        f"runtime {runtime} needs a Ruby interpreter; none is on PATH and {variable} is not set."
        f" Hint: `apt-get install {' '.join(DEBIAN_PACKAGES)}` (make setup does), or set {variable} to a Ruby {version} program."
    )


def serving(runtime: str, environ: Mapping[str, str] = os.environ) -> RubyServing:
    """`find_ruby`, refusing a substitute when HARNESS_STRICT_RUNTIMES is set."""
    if not is_ruby_runtime(runtime):
        raise RuntimeUnavailable(f"runtime {runtime!r} is not a ruby runtime (ruby<major>.<minor>, e.g. {RUBY_RUNTIMES[-1]}).")
    chosen = find_ruby(runtime, environ)
    if chosen.substitute and strict(environ):
        raise RuntimeUnavailable(
            f"runtime {runtime} needs Ruby {chosen.version}; the host has Ruby {chosen.interpreter.version}"
            f" ({chosen.interpreter.path}) and {STRICT_VARIABLE} refuses a substitute."
            f" Hint: set {override_variable(runtime)} to a Ruby {chosen.version} interpreter, or unset {STRICT_VARIABLE}"
            f" to run it with Ruby {chosen.interpreter.version} (the function's log then says so)."
        )
    return chosen


def iseq_cache_dir() -> Path:
    """Where ruby_iseq_cache.rb keeps compiled files (a directory per Ruby version and platform under it)."""
    return runtimes_dir() / "ruby-iseq"


def _iseq_cache_environment(task_root: Path, layer_roots: list[Path]) -> dict[str, str]:
    """ruby_iseq_cache.rb's settings; none (Ruby compiles as usual) where the cache directory can't be made."""
    try:
        iseq_cache_dir().mkdir(parents=True, exist_ok=True)
    except OSError:
        return {}
    return {"HARNESS_RUBY_ISEQ_CACHE": str(iseq_cache_dir()),
            "HARNESS_RUBY_ISEQ_SKIP": os.pathsep.join(str(p) for p in [task_root, *layer_roots])}


def ruby_command(runtime: str, layer_roots: list[Path], task_root: Path, environ: Mapping[str, str] = os.environ) -> RuntimeCommand:
    """The bootstrap under the interpreter that serves `runtime`, with the paths AWS's ruby runtimes set."""
    chosen = serving(runtime, environ)
    if not sdk_installed():
        raise RuntimeUnavailable(
            f"runtime {runtime}: the AWS SDK for Ruby is not linked into {ruby_sdk_dir()}."
            " Hint: run `python -m harness.lambda_runtime.ruby_sdk` (the Makefile's setup does)."
        )
    # Observed on AWS (the ruby runtimes' environment): RUBYLIB has the task root, then each layer's ruby/lib
    # (/opt/ruby/lib); GEM_PATH has the package's vendor/bundle, each layer's ruby/gems/<abi> (/opt/ruby/gems/<abi>),
    # then the runtime's own gems. <abi> is that of the runtime the function names, even when a substitute serves it.
    rubylib = [task_root] + [layer / "ruby" / "lib" for layer in layer_roots]
    gem_path = [task_root / "vendor" / "bundle" / "ruby" / chosen.abi]
    gem_path += [layer / "ruby" / "gems" / chosen.abi for layer in layer_roots]
    gem_path += [ruby_sdk_dir(), chosen.interpreter.gems_dir]
    argv = [str(chosen.interpreter.path), "-r", str(RUBY_ISEQ_CACHE), str(RUBY_BOOTSTRAP)]
    if chosen.substitute:
        argv.append(f"harness: {chosen.describe()}")  # the bootstrap writes it to the function's log at init
    return RuntimeCommand(
        argv=argv,
        env={
            "RUBYLIB": os.pathsep.join(str(p) for p in rubylib),
            "GEM_PATH": os.pathsep.join(str(p) for p in gem_path),
            "GEM_HOME": str(ruby_sdk_dir()),  # not the host's: `gem install`ed gems must not leak in
            # read and removed from ENV by ruby_iseq_cache.rb before the function's code runs
            **_iseq_cache_environment(task_root, layer_roots),
        },
    )

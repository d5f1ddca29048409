"""The AWS SDK for Ruby as the Lambda ruby runtimes provide it, made from Debian's `ruby-aws-sdk-*` packages.

behaviour.md "Lambda runtime": each managed runtime ships its AWS SDK, the AWS SDK for Ruby for ruby.
RubyGems is not reachable here, Debian 12's archive is (`make setup` installs the packages). Debian
spreads gems over its own directories, next to unrelated ones (`jwt`, `rake`: a function must not find
those unless it brings them). So setup links just the SDK (aws-sdk-s3 and its runtime dependencies)
into one gem directory of its own, which the ruby runtimes put on GEM_PATH (`harness.lambda_runtime.ruby`).

Run by the project's setup (`python -m harness.lambda_runtime.ruby_sdk`); idempotent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.lambda_runtime.runtimes import runtimes_dir

# The gems the runtime provides; their runtime dependencies (aws-sdk-core, aws-sdk-kms, aws-sigv4,
# aws-partitions, aws-eventstream, jmespath) come with them.
SDK_GEMS = ("aws-sdk-s3",)
DEBIAN_PACKAGES = ("ruby", "ruby-aws-sdk-s3", "ruby-aws-sdk-core")
HOST_RUBY = "/usr/bin/ruby"

# Prints, for the named gems (and, with --with-dependencies, their runtime dependencies), where each gem's
# specification and files are. Debian keeps some gems whole (a gem directory with `lib/`, `VERSION`, ...), and
# only the library files of others, in its vendor_ruby directory (on Ruby's load path, so found there). And every
# directory RubyGems reads specifications from (where an installed or upgraded gem appears).
_LOCATE_GEMS = r"""
require 'json'
with_dependencies = ARGV.delete('--with-dependencies')
queue = ARGV.map { |name| Gem::Specification.find_by_name(name) }
found = {}
until queue.empty?
  spec = queue.shift
  next if found.key?(spec.name)
  whole = File.directory?(File.join(spec.full_gem_path, 'lib'))
  entries = whole ? [] : spec.files.select { |f| f.start_with?('lib/') }.map { |f| f.split('/')[1] }.uniq.map do |entry|
    dir = $LOAD_PATH.find { |d| File.exist?(File.join(d, entry)) } or abort("#{spec.full_name}: lib/#{entry} not found")
    File.join(dir, entry)
  end
  found[spec.name] = { full_name: spec.full_name, spec: spec.loaded_from, dir: whole ? spec.full_gem_path : nil, lib: entries }
  queue.concat(spec.runtime_dependencies.map(&:to_spec)) if with_dependencies
end
print JSON.dump({ gems: found.values, spec_dirs: Gem::Specification.dirs })
"""


class RubyGemNotFound(Exception):
    """A gem the harness needs is not installed on the host; the message names the Debian package."""


@dataclass(frozen=True)
class HostGem:
    """One gem installed on the host: its specification file, and its gem directory or (Debian's vendor_ruby
    gems) its library entries, the files and directories that go under `lib/`."""

    full_name: str
    spec: Path
    directory: Path | None
    lib: tuple[Path, ...]


def ruby_sdk_dir() -> Path:
    """The gem directory (`specifications/`, `gems/`) holding the AWS SDK for Ruby the ruby runtimes provide."""
    return runtimes_dir() / "ruby-sdk"


def host_gems(names: tuple[str, ...], with_dependencies: bool = False, ruby: str = HOST_RUBY) -> list[HostGem]:
    """Where the host's Ruby finds the named gems (and their runtime dependencies)."""
    return _gems_from(_locate(names, with_dependencies, ruby)["gems"])


def _locate(names: tuple[str, ...], with_dependencies: bool, ruby: str) -> dict[str, Any]:
    """`_LOCATE_GEMS`'s answer: {"gems": [record...], "spec_dirs": [directory...]}."""
    argv = [ruby, "-e", _LOCATE_GEMS, *names] + (["--with-dependencies"] if with_dependencies else [])
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError as error:
        raise RubyGemNotFound(f"no Ruby at {ruby} ({error}). Hint: apt-get install {' '.join(DEBIAN_PACKAGES)} (make setup does).") from error
    if result.returncode != 0:
        raise RubyGemNotFound(
            f"the host's Ruby does not have the gems {', '.join(names)}: {result.stderr.strip()[-500:]}."
            f" Hint: apt-get install {' '.join(DEBIAN_PACKAGES)} (make setup does; Debian names gem X ruby-X)."
        )
    return json.loads(result.stdout)


def _gems_from(records: list[dict[str, Any]]) -> list[HostGem]:
    """HostGems from the records `_LOCATE_GEMS` prints (and `remembered_host_gems` keeps)."""
    return [HostGem(g["full_name"], Path(g["spec"]), Path(g["dir"]) if g["dir"] else None,
                    tuple(Path(p) for p in g["lib"])) for g in records]


def _stamps(paths: list[str]) -> list[list[Any]]:
    """[path, size, mtime_ns] of each path (None for one that is gone)."""
    stamps: list[list[Any]] = []
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            stamps.append([path, None, None])
        else:
            stamps.append([path, status.st_size, status.st_mtime_ns])
    return stamps


def remembered_host_gems(names: tuple[str, ...], ruby: str = HOST_RUBY) -> tuple[list[HostGem], str]:
    """`host_gems(names)` as last found on this machine, and a digest of what it was found from. Ruby runs again
    (~40 ms of CPU) only when one of the files it read changed: the Ruby binary, a found gem's gemspec, or a directory
    RubyGems reads specifications from (installing, upgrading or removing a gem changes it). Every avatar API's jwt
    layer asked Ruby, 30-40 times a suite and once on `harness up`'s provisioning path (issue 13)."""
    memo = runtimes_dir() / "host-gems" / f"{'-'.join(names)}.json"
    try:
        saved = json.loads(memo.read_text())
        stamps = _stamps([stamp[0] for stamp in saved["stamps"]])
        if saved["stamps"] != stamps:
            raise ValueError("the host's gems changed")
        found = saved["found"]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        found = _locate(names, False, ruby)
        watched = [ruby] + [gem["spec"] for gem in found["gems"]] + sorted(found["spec_dirs"])
        stamps = _stamps(watched)
        memo.parent.mkdir(parents=True, exist_ok=True)
        partial = memo.with_suffix(f".{os.getpid()}.tmp")  # concurrent writers (pytest-xdist workers) never share one
        partial.write_text(json.dumps({"found": found, "stamps": stamps}))
        partial.replace(memo)
    return _gems_from(found["gems"]), hashlib.sha256(json.dumps(stamps).encode()).hexdigest()


def link_gem_directory(target: Path, gems: list[HostGem]) -> None:
    """A gem directory of symbolic links to the host's files: `specifications/<gem>.gemspec`, `gems/<gem>[/lib/...]`."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "specifications").mkdir(parents=True)
    (target / "gems").mkdir()
    for gem in gems:
        (target / "specifications" / f"{gem.full_name}.gemspec").symlink_to(gem.spec)
        if gem.directory is not None:
            (target / "gems" / gem.full_name).symlink_to(gem.directory)
            continue
        lib = target / "gems" / gem.full_name / "lib"
        lib.mkdir(parents=True)
        for entry in gem.lib:
            (lib / entry.name).symlink_to(entry)


def sdk_installed() -> bool:
    return (ruby_sdk_dir() / ".complete").is_file()


def main() -> int:
    try:
        gems = host_gems(SDK_GEMS, with_dependencies=True)
    except RubyGemNotFound as error:
        print(error)
        return 1
    link_gem_directory(ruby_sdk_dir(), gems)
    (ruby_sdk_dir() / ".complete").write_text("\n".join(gem.full_name for gem in gems) + "\n")
    print(f"AWS SDK for Ruby ready in {ruby_sdk_dir()}: {', '.join(gem.full_name for gem in gems)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

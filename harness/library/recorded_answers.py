"""What AWS answered: the HTTP exchanges of `aws_unverified` scenarios, written as JSON so the emulation can be
corrected (behaviour.md: "Where AWS is unverified, say so"). Recorded by default with `--engine aws`; on an emulator
with `--record-answers DIR`, so the two can be compared file by file."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

BODY_EXCERPT_CHARS = 2000
_exchanges: ContextVar[list[dict] | None] = ContextVar("recorded_exchanges", default=None)


@contextmanager
def recorded_exchanges() -> Iterator[list[dict]]:
    """Every request `harness.library.http.http()` makes inside the block, with its answer."""
    exchanges: list[dict] = []
    token = _exchanges.set(exchanges)
    try:
        yield exchanges
    finally:
        _exchanges.reset(token)


def record(method: str, url: str, headers: dict[str, str], status: int, answer_headers: dict[str, str], body: bytes) -> None:
    """Called by `http()` for each exchange; does nothing outside `recorded_exchanges()`."""
    exchanges = _exchanges.get()
    if exchanges is None:
        return
    sent = {name: ("<redacted>" if name.lower() == "authorization" else value) for name, value in headers.items()}
    exchanges.append({"request": {"method": method, "url": url, "headers": sent},
                      "answer": {"status": status, "headers": answer_headers,
                                 "body": body[:BODY_EXCERPT_CHARS].decode("utf-8", "replace")}})


def write_answers(directory: Path, test_id: str, engine: str, outcome: str, exchanges: list[dict]) -> Path:
    """`<directory>/<test id>.json`; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id).strip("_") + ".json")
    record_ = {"test": test_id, "engine": engine, "outcome": outcome,
               "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "exchanges": exchanges}
    path.write_text(json.dumps(record_, indent=2) + "\n")
    return path


# Answer headers that carry behaviour; the rest (dates, request ids, server names) differ on every run.
COMPARED_HEADERS = ("content-type", "www-authenticate", "location", "etag", "cache-control")


def _behaviour(answer: dict) -> dict[str, object]:
    headers = answer["headers"]
    kept = {name: value for name, value in headers.items() if name.startswith("access-control-") or name in COMPARED_HEADERS}
    body: object = answer["body"]
    try:
        body = json.loads(answer["body"])
    except ValueError:
        pass
    return {"status": answer["status"], **{f"header {name}": value for name, value in sorted(kept.items())}, "body": body}


def _compare_exchanges(reference: list[dict], emulated: list[dict]) -> list[str]:
    if len(reference) != len(emulated):
        return [f"  {len(reference)} exchange(s) on AWS, {len(emulated)} on the emulator"]
    lines = []
    for number, (aws, emulator) in enumerate(zip(reference, emulated), start=1):
        expected, got = _behaviour(aws["answer"]), _behaviour(emulator["answer"])
        differing = [key for key in {**expected, **got} if expected.get(key) != got.get(key)]
        if differing:
            lines.append(f"  exchange {number}: {aws['request']['method']} {aws['request']['url']}")
            lines += [f"    {key}: AWS {expected.get(key, '(absent)')!r}, emulator {got.get(key, '(absent)')!r}" for key in sorted(differing)]
    return lines


def differences(aws_dir: Path, emulator_dir: Path) -> list[str]:
    """Where the emulator answered otherwise than AWS, test by test (only tests recorded in both)."""
    lines: list[str] = []
    for aws_file in sorted(aws_dir.glob("*.json")):
        emulator_file = emulator_dir / aws_file.name
        if not emulator_file.is_file():
            lines.append(f"{aws_file.name}: recorded on AWS only (run the emulator with --record-answers {emulator_dir})")
            continue
        aws, emulator = json.loads(aws_file.read_text()), json.loads(emulator_file.read_text())
        found = _compare_exchanges(aws["exchanges"], emulator["exchanges"])
        if found:
            lines += [f"{aws['test']}:", *found]
    return lines

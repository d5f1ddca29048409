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
    """Every request `harness.http.http()` makes inside the block, with its answer."""
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

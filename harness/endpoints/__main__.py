"""`python -m harness.endpoints`: make the harness CA and build the LD_PRELOAD library (run by `make setup`; idempotent)."""

from __future__ import annotations

from harness.endpoints.ca import ensure_ca
from harness.endpoints.preload import ensure_library


def main() -> int:
    ca = ensure_ca()
    library = ensure_library()
    print(f"AWS endpoints ready: CA {ca.certificate}, preload library {library}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

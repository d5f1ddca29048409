"""The Lambda runtimes: which host program serves a runtime a function names (`runtimes.py`), the bootstraps that
speak the Runtime API inside a function's process, and their installation (`install.py`, run by setup).
Shared by both processes: the executor inside LocalStack starts them, `harness doctor` reports them."""

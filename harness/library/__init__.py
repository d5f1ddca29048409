"""The test-side library: runs in the test process (pytest, the CLI), never inside LocalStack (.importlinter)."""

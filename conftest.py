"""Project-wide pytest configuration: the harness fixtures come from harness.pytest_plugin (entry point)."""

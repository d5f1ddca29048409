"""Imported by both processes: the test process (harness.library, .pytest_plugin, .cli) and the harness's
plugins inside LocalStack (harness.localstack_plugins). Imports nothing else of the harness (.importlinter)."""

"""The system under test's own Lambda code (system.md), one folder per function.

Shipped inside the harness's wheel as the package `cruddur_app` (pyproject.toml maps it to this folder), so
that an installed harness provisions the same functions as a checkout; `harness.library.layout.APP_DIR` finds it.
Nothing here is imported: the folders are deployment-package sources.
"""

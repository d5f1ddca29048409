"""Code that runs inside the LocalStack process, loaded through entry points (pyproject.toml): the Lambda executor,
the apigatewayv2 provider and data plane, and the `on_infra_start` hooks that correct LocalStack where it differs from
AWS. It meets the test process only through HTTP (AWS APIs and `harness.shared.emulator_api`), never through imports."""

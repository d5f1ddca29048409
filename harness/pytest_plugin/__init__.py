"""The harness's pytest plugin, registered module by module under `pytest11` (pyproject.toml):

- `targets`: `--engine` and its options, the `aws_target` session fixture (and the small fixtures that tune it),
  `localstack_engine`, `name_prefix`, the AWS dry-run plan and emulator-only skips;
- `aws_fixtures`: generic AWS fixtures for any project: `aws_client`, `lambda_function_factory`;
- `cruddur`: the system under test: the thumbnail pipeline, the avatar API, the fake user pool, the gateway clock,
  the CDN, `cors_probe`;
- `browser`: a real headless Chromium;
- `answers`: recording what the target answered in `aws_unverified` tests;
- `terminal`: progress lines past pytest's output capture;
- `cloudformation`: `cloudformation_stack(template, parameters)` and `cdk_app(path, context)`, self-cleaning.
"""

"""AWS hostnames reach the engine: code inside a Lambda (and, on request, the test process and the browser) that
talks to `https://<anything>.amazonaws.com` talks to LocalStack, over TLS it trusts, with nothing changed in the code.

- `ca.py`: the harness's certificate authority (made once, in the cache) and a certificate per AWS hostname;
- `aws_hosts_preload.c` + `preload.py`: the LD_PRELOAD library for Lambda processes and the environment that
  injects it and the trust (`lambda_environment`);
- `harness/localstack_plugins/aws_tls_front.py`: (inside LocalStack) the TLS front the redirected connections reach;
- `harness/library/aws_endpoints.py`: the same redirection for the test process (`harness.library.http`, curl, requests)
  and Chromium.
Shared by both processes (this package imports neither: .importlinter).

README "AWS hostnames inside Lambda" explains the choice.
"""

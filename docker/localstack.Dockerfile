# LocalStack's last token-free image of the version the host engine pins, plus the harness's LocalStack plugins
# (apigatewayv2 provider and data plane, S3 event-key and async-event corrections), registered by entry points.
FROM localstack/localstack:4.13.1
COPY pyproject.toml /opt/cruddur-harness/pyproject.toml
COPY harness /opt/cruddur-harness/harness
COPY app /opt/cruddur-harness/app
RUN /opt/code/localstack/.venv/bin/pip install --no-cache-dir --no-deps /opt/cruddur-harness

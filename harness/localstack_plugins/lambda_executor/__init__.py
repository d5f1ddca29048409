"""LocalStack runtime executor that runs Lambda functions as host processes, without Docker."""

"""Lambda without Docker: a LocalStack runtime executor running functions as host processes."""

"""What the harness runs against: `Target` and its three kinds (host LocalStack, Docker LocalStack, an AWS account)."""

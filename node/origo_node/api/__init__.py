"""The node's HTTP API: a thin FastAPI layer over the services; every error is problem+json."""

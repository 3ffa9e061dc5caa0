"""The contract between a node and its clients: document states, problem+json, request and answer models.

A small package that needs nothing but pydantic, so that the SDK and the CLI can ship it without the node's
dependencies (web3, FastAPI, cryptography), and the node uses the same definitions for its routes and OpenAPI.
"""

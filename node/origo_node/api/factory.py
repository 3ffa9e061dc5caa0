"""The application built from the environment, for servers that start several worker processes.

``uvicorn origo_node.api.factory:app_from_environment --factory --workers N`` with ``ORIGO_CONFIG`` naming the
node's ``node.toml``: each worker builds its own node; the first to take the data directory's background lock
runs the batcher, indexer and sender, the others serve requests (see ``origo_node.runtime``).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from origo_node.api.app import create_app
from origo_node.runtime import Node
from origo_node.settings import load_settings


def app_from_environment() -> FastAPI:
    config = os.environ.get("ORIGO_CONFIG")
    return create_app(Node(load_settings(Path(config) if config else None)))

"""The application built from the environment, for servers that start several worker processes.

``uvicorn origo_node.api.factory:app_from_environment --factory --workers N`` with ``ORIGO_CONFIG`` naming the
node's ``node.toml``: each worker builds its own node and serves requests. The batcher, indexer and sender run
in the process that holds the data directory's background lock: the background process ``origo node run``
starts beside the workers (``origo_node.serving``), or, should it die, one of the workers.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from origo_node.api.app import create_app
from origo_node.runtime import Node
from origo_node.settings import load_settings

#: How long an API worker leaves the background lock to the node's background process before taking it.
BACKGROUND_GRACE_S = 10.0


def app_from_environment() -> FastAPI:
    config = os.environ.get("ORIGO_CONFIG")
    node = Node(load_settings(Path(config) if config else None))
    node.lead_after_s = BACKGROUND_GRACE_S
    return create_app(node)

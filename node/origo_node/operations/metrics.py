"""Prometheus metrics at ``/metrics``.

Two kinds of numbers, gathered two ways because a node may run several API worker processes and a scrape
reaches only one of them:

- what the node *has* (documents accepted, anchored, pending and the oldest's age, index position and lag,
  payloads left to read, the loops' chain and store errors) is read at scrape time from the database, which
  the background process keeps (``operations.loop_health`` records its loops there);
- request latencies are observed in every worker and shared through prometheus_client's multiprocess mode (one
  directory per run of the node, under ``<data_dir>/metrics``), so any worker answers for all of them.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from origo_node.operations.loop_health import LoopSnapshot
from origo_node.operations.node_health import NodeHealth
from origo_node.settings import NodeSettings
from origo_node.store.rows import AnchoringBacklog

if TYPE_CHECKING:
    from fastapi import FastAPI


class _Backlog(Protocol):
    def anchoring_backlog(self) -> AnchoringBacklog: ...


class _Checker(Protocol):
    def backlog(self) -> int: ...


class Node(Protocol):
    """What ``/metrics`` reads of a node (``runtime.Node`` is one): this module needs nothing above it."""

    @property
    def settings(self) -> NodeSettings: ...

    @property
    def outbox(self) -> _Backlog: ...

    @property
    def checker(self) -> _Checker: ...

    def health(self) -> NodeHealth: ...

    def loop_snapshot(self) -> LoopSnapshot | None: ...


_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def install(app: FastAPI, node: Node) -> None:
    """Adds ``/metrics`` and the request-latency middleware to ``app``."""
    shared_dir = _multiprocess_dir(node) if node.settings.workers > 1 else None
    if shared_dir is not None:
        # prometheus_client chooses between in-memory and file-backed values when it is first imported.
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(shared_dir))
    from prometheus_client import CollectorRegistry, Histogram

    latency = Histogram(
        "origo_http_request_duration_seconds",
        "Time to answer an HTTP request, by route template and status class.",
        ["method", "route", "status"],
        buckets=_LATENCY_BUCKETS,
        registry=None,
    )
    own_registry = CollectorRegistry()
    if shared_dir is None:
        own_registry.register(latency)

    def metrics(_: Request) -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        registry = CollectorRegistry()
        if shared_dir is not None:
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(registry, path=str(shared_dir))  # type: ignore[no-untyped-call]
        else:
            registry = own_registry
        body = generate_latest(registry) + generate_latest(_node_registry(node))
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(_LatencyMiddleware, observe=latency)


class _LatencyMiddleware:
    """Pure ASGI (no per-request task as with BaseHTTPMiddleware): it sits on every request's path."""

    def __init__(self, app: ASGIApp, observe: Any) -> None:
        self._app = app
        self._observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            # The route's template, never the raw path: paths from the internet would make unbounded labels.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self._observe.labels(scope["method"], route, f"{status // 100}xx").observe(
                time.perf_counter() - started
            )


def _multiprocess_dir(node: Node) -> Path:
    """``<data_dir>/metrics/<pid of the process that started the workers>``; older runs' directories go."""
    root = Path(node.settings.data_dir) / "metrics"
    run = root / str(os.getppid())
    run.mkdir(parents=True, exist_ok=True)
    for other in root.iterdir():
        if other != run and other.name.isdigit() and not _alive(int(other.name)):
            shutil.rmtree(other, ignore_errors=True)
    return run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _node_registry(node: Node) -> Any:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry()
    registry.register(_NodeCollector(node))
    return registry


class _NodeCollector:
    """The node's state, read when scraped."""

    def __init__(self, node: Node) -> None:
        self._node = node

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        node = self._node
        now = time.time()
        backlog = node.outbox.anchoring_backlog()
        health = node.health()
        yield CounterMetricFamily(
            "origo_documents_accepted", "Documents this node accepted for anchoring.", backlog.accepted_total
        )
        yield CounterMetricFamily(
            "origo_documents_anchored", "Documents of this node in mined batches.", backlog.anchored_total
        )
        yield GaugeMetricFamily(
            "origo_documents_pending", "Accepted documents not anchored yet.", backlog.pending
        )
        yield GaugeMetricFamily(
            "origo_documents_pending_oldest_age_seconds",
            "How long the oldest accepted, not yet anchored document has waited (0 when none).",
            0.0 if backlog.oldest_at is None else max(0.0, now - backlog.oldest_at),
        )
        head, indexed = health.chain_head, health.indexed_block
        if head is not None:
            yield GaugeMetricFamily("origo_chain_head_block", "The chain head at the last poll.", head)
        yield GaugeMetricFamily("origo_indexed_block", "The last block fully indexed.", indexed)
        if head is not None:
            yield GaugeMetricFamily(
                "origo_index_lag_blocks",
                "Blocks between the chain head and the index.",
                max(0, head - indexed),
            )
        yield GaugeMetricFamily(
            "origo_payloads_to_read",
            "Payloads waiting to be fetched and checked.",
            node.checker.backlog(),
        )
        if health.sealers is not None:
            yield GaugeMetricFamily(
                "origo_sealers_disagreeing",
                "Addresses in which the chain's sealers (validators) and the membership's active validators"
                " differ now (0 when they agree).",
                health.sealers.disagreeing,
            )
        yield GaugeMetricFamily(
            "origo_health_degraded", "1 when /healthz says degraded.", int(health.degraded)
        )
        errors = CounterMetricFamily(
            "origo_loop_errors",
            "Failures of the background loops since the background process started, by kind.",
            labels=["loop", "kind"],
        )
        snapshot = node.loop_snapshot()
        for loop, record in sorted(snapshot.loops.items() if snapshot is not None else ()):
            counts = {
                "chain": record.chain_errors,
                "store": record.store_errors,
                "other": record.other_errors,
            }
            for kind, count in counts.items():
                errors.add_metric([loop, kind], count)
        yield errors

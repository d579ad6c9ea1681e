"""Prometheus metrics that stay right with several workers.

``xinyi-hub serve --workers N`` (N > 1) points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh directory before the workers start; each worker's metrics live in
memory-mapped files there, and every scrape — whichever worker answers, or
the separate metrics port — sums them (:func:`registry`).  Workers that died
(a ``SIGKILL``, an out-of-memory kill; uvicorn starts a new one) are marked
dead at the next scrape, so their live gauges stop counting while their
counters keep what they counted.

Gauges say how they combine across workers: ``livesum`` for amounts in use
(pool connections, open subscriptions), ``livemax`` for states and ages read
from the database (breaker state, sealer lag).  The metrics of domains that
count their own live beside them (``hub.events.metrics``).
"""

from __future__ import annotations

import glob
import hmac
import os
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
    multiprocess,
)

__all__ = [
    "ACCESS_DENIALS",
    "BREAKER_STATE",
    "CONNECTOR_REQUESTS",
    "GRAPHQL_ERRORS",
    "IMPORT_JOBS",
    "IMPORT_ROWS",
    "MAINTENANCE_CHANGES",
    "MAINTENANCE_RUNS",
    "POOL_IN_USE",
    "POOL_SIZE",
    "RATE_LIMITED",
    "SUBSCRIPTIONS",
    "UNSEALED_EVENTS",
    "UNSEALED_SECONDS",
    "authorized",
    "exposition",
    "multiprocess_dir",
    "prepare_multiprocess_dir",
    "reap_dead_workers",
    "registry",
    "serve_metrics",
    "watch_pool",
]

GRAPHQL_ERRORS = Counter(
    "hub_graphql_errors_total",
    "GraphQL errors sent, by extensions.code (they travel with HTTP 200)",
    ["code"],
)
RATE_LIMITED = Counter(
    "hub_rate_limit_refusals_total",
    "Requests refused by a rate limit, by what was limited",
    ["limit"],
)
ACCESS_DENIALS = Counter(
    "hub_access_denials_total",
    "Accesses to enterprise data the door refused (CONSENT_REQUIRED: no consent)",
    ["code"],
)
CONNECTOR_REQUESTS = Counter(
    "hub_connector_requests_total",
    "Calls to external sources, by connector and outcome",
    ["connector", "outcome"],
)
BREAKER_STATE = Gauge(
    "hub_connector_breaker_state",
    "Circuit breaker of each connector: 0 closed, 1 half-open, 2 open "
    "(the worst over workers)",
    ["connector"],
    multiprocess_mode="livemax",
)
IMPORT_ROWS = Counter(
    "hub_import_rows_total",
    "Imported rows by outcome (inserted, updated, unchanged, quarantined)",
    ["outcome"],
)
IMPORT_JOBS = Counter(
    "hub_import_jobs_total",
    "Import runs by result (clean, quarantined: some rows were, failed)",
    ["result"],
)
MAINTENANCE_RUNS = Counter(
    "hub_maintenance_runs_total",
    "Maintenance runs by result (ok, failed, dry_run)",
    ["result"],
)
MAINTENANCE_CHANGES = Counter(
    "hub_maintenance_changes_total",
    "What maintenance changed, by kind of change",
    ["kind"],
)
POOL_SIZE = Gauge(
    "hub_db_pool_size",
    "Database connections the pools may hold (summed over workers)",
    multiprocess_mode="livesum",
)
POOL_IN_USE = Gauge(
    "hub_db_pool_connections_in_use",
    "Database connections checked out of the pools (summed over workers)",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "hub_graphql_subscriptions_active",
    "GraphQL subscriptions running over WebSocket (summed over workers)",
    multiprocess_mode="livesum",
)
UNSEALED_EVENTS = Gauge(
    "hub_audit_unsealed_events",
    "Committed audit events not yet linked onto the hash chain",
    multiprocess_mode="livemax",
)
UNSEALED_SECONDS = Gauge(
    "hub_audit_unsealed_oldest_seconds",
    "Age of the oldest audit event not yet linked (sealer lag)",
    multiprocess_mode="livemax",
)

ENV = "PROMETHEUS_MULTIPROC_DIR"
_DB_FILE = re.compile(r"_(\d+)\.db$")


def multiprocess_dir() -> str | None:
    return os.environ.get(ENV) or None


def prepare_multiprocess_dir(path: str) -> None:
    """Create ``path`` empty (files of an earlier run would be summed in)."""
    os.makedirs(path, exist_ok=True)
    for name in glob.glob(os.path.join(path, "*.db")):
        os.remove(name)
    os.environ[ENV] = path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_dead_workers(path: str) -> list[int]:
    """Mark workers whose live gauge files remain but whose process is gone."""
    dead: set[int] = set()
    for name in glob.glob(os.path.join(path, "gauge_live*.db")):
        found = _DB_FILE.search(name)
        if found and not _alive(int(found.group(1))):
            dead.add(int(found.group(1)))
    for pid in dead:
        multiprocess.mark_process_dead(pid, path)
    return sorted(dead)


def registry() -> CollectorRegistry:
    """What a scrape reads: every worker's files, or this process alone."""
    path = multiprocess_dir()
    if path is None:
        return REGISTRY
    reap_dead_workers(path)
    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed, path)
    return summed


def exposition() -> tuple[bytes, str]:
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def authorized(header: str | None, token: str | None) -> bool:
    """``Authorization: Bearer <HUB_METRICS_TOKEN>`` when a token is set."""
    if not token:
        return True
    expected = f"Bearer {token}".encode()
    return hmac.compare_digest((header or "").encode(), expected)


def watch_pool(engine: Any) -> None:
    """Count connections in use from the pool's own check-out/check-in events."""
    from sqlalchemy import event

    pool = engine.sync_engine.pool
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    if callable(size):
        POOL_SIZE.inc(size() + max(overflow, 0))
    event.listen(pool, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(pool, "checkin", lambda *_: POOL_IN_USE.dec())


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # scrapes are not requests to the hub: no access line each


class _ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        threading.Thread(
            target=self._serve_one, args=(request, client_address), daemon=True
        ).start()

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def serve_metrics(host: str, port: int, token: str | None) -> WSGIServer:
    """Serve ``/metrics`` on its own port (a daemon thread of this process).

    ``xinyi-hub serve`` runs it in the process that supervises the workers,
    so one port answers for all of them.
    """

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: scrape /metrics\n"]
        if not authorized(environ.get("HTTP_AUTHORIZATION"), token):
            start(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")],
            )
            return [b"metrics need Authorization: Bearer <HUB_METRICS_TOKEN>\n"]
        body, media = exposition()
        start("200 OK", [("Content-Type", media)])
        return [body]

    server = make_server(
        host, port, app, server_class=_ThreadingServer, handler_class=_Quiet
    )
    threading.Thread(target=server.serve_forever, daemon=True, name="metrics").start()
    return server

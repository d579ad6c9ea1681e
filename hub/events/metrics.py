"""Prometheus metrics of the outbound side (served at ``/metrics``).

- ``hub_events_written_total{type}``: events committed to the outbox;
- ``hub_events_delivered_total{channel,outcome}`` (interfaces.md
  "Operations"): per channel — ``webhook``, ``subscription``, ``notice``,
  ``notifier:<name>`` — how each attempt ended: ``delivered``, ``retry``
  (a webhook attempt failed and will be retried) or ``failed`` (given up);
- ``hub_events_oldest_undelivered_seconds{stage}``: age of the oldest event
  not yet routed (``outbox``) and of the oldest webhook message neither
  delivered nor given up (``webhook``); 0 when there is none.  Read from the
  database, so every worker reports the same value.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

__all__ = ["DELIVERED", "OLDEST", "WRITTEN"]

WRITTEN = Counter(
    "hub_events_written_total", "Events committed to the outbox", ["type"]
)
DELIVERED = Counter(
    "hub_events_delivered_total",
    "Event deliveries by channel and outcome",
    ["channel", "outcome"],
)
OLDEST = Gauge(
    "hub_events_oldest_undelivered_seconds",
    "Age of the oldest event not yet routed (outbox) or delivered (webhook)",
    ["stage"],
    # Read from the database: every live worker reports the same age.
    multiprocess_mode="livemax",
)

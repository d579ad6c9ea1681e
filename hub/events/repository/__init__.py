"""All SQL of the events domain.

* :mod:`.routing` — unrouted events, recipients, what routing writes;
* :mod:`.deliveries` — webhook messages: claims, results, endpoints;
* :mod:`.inbox` — notices and the feed's payloads;
* :mod:`.locks` — holding rows on PostgreSQL and SQLite alike.
"""

from hub.events.repository.deliveries import (
    active_webhooks,
    claim_due,
    copies_of_records,
    deliveries_page,
    delivery,
    release_claims,
    renew_claims,
    rewrite_copies,
    settle_deliveries,
    stop_deliveries,
    webhook,
)
from hub.events.repository.inbox import mark_read, notices_page, recipient_payload
from hub.events.repository.routing import (
    CLIENT_KINDS,
    READ_ACTIONS,
    claim_unrouted,
    clients_by_id,
    consents_of,
    evaluated,
    insert_deliveries,
    insert_notices,
    insert_recipients,
    mark_routed,
    monitoring_holders,
    oldest_pending,
    past_readers,
    record_facts,
    webhooks_of,
)

__all__ = [
    "CLIENT_KINDS",
    "READ_ACTIONS",
    "active_webhooks",
    "claim_due",
    "claim_unrouted",
    "clients_by_id",
    "consents_of",
    "copies_of_records",
    "deliveries_page",
    "delivery",
    "evaluated",
    "insert_deliveries",
    "insert_notices",
    "insert_recipients",
    "mark_read",
    "mark_routed",
    "monitoring_holders",
    "notices_page",
    "oldest_pending",
    "past_readers",
    "recipient_payload",
    "record_facts",
    "release_claims",
    "renew_claims",
    "rewrite_copies",
    "settle_deliveries",
    "stop_deliveries",
    "webhook",
    "webhooks_of",
]

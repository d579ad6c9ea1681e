"""What a dispatcher does, one step at a time: route a batch, claim due
messages, send one, write results, renew and release claims.

:mod:`hub.events.dispatcher` runs these steps in loops (a server) or once
(:func:`hub.events.dispatcher.dispatch_pending`); see its module doc for the
guarantees.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from hub.alerts import publish_alert
from hub.clock import Clock, SystemClock
from hub.db import session_scope
from hub.events import metrics
from hub.events import repository as repo
from hub.events.delivery import Attempt, Outcome, next_wait, send
from hub.events.feed import CHANNEL
from hub.events.notifiers import NoticeOut, Notifier, load_notifiers, push
from hub.events.routing import Routed, route
from hub.events.targets import TargetPolicy
from hub.models import new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["ROUTE_BATCH", "DispatchReport", "Engine"]

log = logging.getLogger("hub.events")

ROUTE_BATCH = 200


@dataclass
class DispatchReport:
    routed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "routed": self.routed,
            "delivered": self.delivered,
            "retrying": self.retrying,
            "failed": self.failed,
        }


def _result(
    attempt: Attempt, outcome: Outcome, now: datetime
) -> tuple[dict[str, Any], str]:
    """The delivery row's new values after ``outcome``, and the metric label."""
    values: dict[str, Any] = {
        "last_status": outcome.status,
        "last_error": outcome.error,
        "updated_at": now,
    }
    if outcome.delivered:
        values.update(delivered_at=now, next_attempt_at=None, failed=False)
        return values, "delivered"
    wait = next_wait(attempt.step, attempt.message_id)
    if wait is None:
        values.update(next_attempt_at=None, failed=True)
        return values, "failed"
    values.update(next_attempt_at=now + wait, step=attempt.step + 1, failed=False)
    return values, "retry"


class Engine:
    """What both the long-running dispatcher and one-shot runs share."""

    def __init__(
        self,
        hub: Hub,
        *,
        http: httpx.AsyncClient | None = None,
        wall: Clock | None = None,
        notifiers: list[Notifier] | None = None,
    ) -> None:
        self.hub = hub
        settings = hub.settings
        self.policy = TargetPolicy.of(settings)
        self.timeout = settings.webhook_timeout
        # Renewed every third of its length while the attempt runs: it lapses
        # only when the worker holding it is gone.
        self.lease = timedelta(seconds=settings.webhook_claim_seconds)
        self.wall = wall or SystemClock()
        self.notifiers = load_notifiers() if notifiers is None else notifiers
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=settings.webhook_workers,
                max_keepalive_connections=settings.webhook_workers,
            ),
            follow_redirects=False,
        )
        self.poisoned: set[str] = set()
        self.report = DispatchReport()

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # -- routing -----------------------------------------------------------

    async def route_once(self, batch: int = ROUTE_BATCH) -> int:
        """Route one batch; how many events it held (0: nothing to do)."""
        try:
            routed = await self._route(batch)
        except Exception:
            # One bad event must not hold up the others: route one by one,
            # and set aside (logged, and visible in the oldest-event gauge)
            # whichever still fails.
            log.exception("routing a batch of events failed; retrying one by one")
            routed = await self._route(1)
            if routed is None:
                return 0
        if routed is None:
            return 0
        self.report.routed += len(routed.events)
        await self._after_commit(routed)
        return len(routed.events)

    async def _route(self, batch: int) -> Routed | None:
        hub = self.hub
        now = hub.clock.now()
        held: list[str] = []
        try:
            async with session_scope(hub.sessionmaker) as session:
                events = await repo.claim_unrouted(session, batch, skip=self.poisoned)
                if not events:
                    return None
                held = [e.id for e in events]
                return await route(session, hub, events, now)
        except Exception:
            if len(held) != 1:
                raise
            self.poisoned.add(held[0])
            metrics.DELIVERED.labels("outbox", "failed").inc()
            log.exception("event %s could not be routed; set aside", held[0])
            return None

    async def _after_commit(self, routed: Routed) -> None:
        hub = self.hub
        try:
            for e in routed.events:
                recipients = routed.recipients.get(e.id)
                if recipients:
                    await hub.pubsub.publish(
                        CHANNEL,
                        {
                            "event": e.id,
                            "type": e.type,
                            "uscc": e.uscc,
                            "recipients": recipients,
                        },
                    )
            for uscc, record_id, reason, category in routed.alerts:
                await publish_alert(hub, uscc, record_id, reason, category=category)
        except Exception:  # subscribers miss a live message; webhooks do not
            log.exception("routed events not published on the bus")
        metrics.DELIVERED.labels("notice", "delivered").inc(len(routed.notices))
        await push(
            self.notifiers,
            [
                NoticeOut(n["id"], n["uscc"], n["event_id"], n["title"], n["body"])
                for n in routed.notices
            ],
        )

    # -- delivery ----------------------------------------------------------

    async def claim(self, limit: int) -> list[Attempt]:
        hub = self.hub
        now = hub.clock.now()
        token = new_id()
        async with session_scope(hub.sessionmaker) as session:
            claimed = await repo.claim_due(
                session, now=now, until=now + self.lease, claim=token, limit=limit
            )
        return [
            Attempt(
                delivery_id=row.id,
                message_id=row.message_id,
                body=row.body,
                url=hook.url,
                secret=hook.secret,
                step=row.step,
                claim=token,
            )
            for row, hook in claimed
        ]

    async def send(self, attempt: Attempt) -> Outcome:
        """Make one attempt, bounded in total by ``HUB_WEBHOOK_TIMEOUT``."""
        try:
            return await asyncio.wait_for(
                send(
                    self.http,
                    attempt,
                    self.policy,
                    sent_at=self.wall.now(),
                    timeout=self.timeout,
                ),
                self.timeout,
            )
        except TimeoutError:
            return Outcome(False, None, f"no answer within {self.timeout:g} s")

    async def renew(self, attempts: list[Attempt]) -> None:
        """Extend the claims on messages this worker holds (one statement)."""
        if not attempts:
            return
        async with session_scope(self.hub.sessionmaker) as session:
            await repo.renew_claims(
                session,
                [(a.delivery_id, a.claim) for a in attempts],
                self.hub.clock.now() + self.lease,
            )

    async def settle(self, results: list[tuple[Attempt, Outcome]]) -> None:
        """Write the results of finished attempts, in one transaction, each
        under its own claim."""
        if not results:
            return
        now = self.hub.clock.now()
        decided = [_result(attempt, outcome, now) for attempt, outcome in results]
        async with session_scope(self.hub.sessionmaker) as session:
            written = await repo.settle_deliveries(
                session,
                [
                    (a.delivery_id, a.claim, values)
                    for (a, _), (values, _) in zip(results, decided, strict=True)
                ],
            )
        for (attempt, _), (_, label) in zip(results, decided, strict=True):
            if attempt.delivery_id not in written:
                log.warning(
                    "message %s: claim lapsed before its result was written",
                    attempt.message_id,
                )
                continue
            metrics.DELIVERED.labels("webhook", label).inc()
            if label == "delivered":
                self.report.delivered += 1
            elif label == "failed":
                self.report.failed += 1
            else:
                self.report.retrying += 1

    async def release(self, attempts: list[Attempt]) -> None:
        """Give back claims on messages not sent (shutting down)."""
        if not attempts:
            return
        async with session_scope(self.hub.sessionmaker) as session:
            await repo.release_claims(
                session, [(a.delivery_id, a.claim) for a in attempts]
            )

    async def gauge(self) -> None:
        """Refresh the oldest-undelivered gauges from the database."""
        now = self.hub.clock.now()
        async with self.hub.sessionmaker() as session:
            unrouted, pending = await repo.oldest_pending(session)
        for stage, since in (("outbox", unrouted), ("webhook", pending)):
            age = 0.0 if since is None else max(0.0, (now - since).total_seconds())
            metrics.OLDEST.labels(stage).set(age)

"""The dispatcher: route the outbox, then deliver — after commit, from any worker.

Two loops per process, started in the app's lifespan (``hub.root.app``) or by
``xinyi-hub events dispatch``:

* **routing** takes unrouted events in batches (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; SQLite's single writer takes turns) and, in one transaction per
  batch, decides who hears of each (:mod:`hub.events.routing`), writes their
  payloads, the webhook messages and the subject's notices, and marks the
  events routed.  After the commit it publishes each event on ``hub.pubsub``
  (``events`` for the ``events`` subscription, ``risk-alerts`` for
  ``riskAlerts``) and hands the notices to the notifiers.  A worker that dies
  mid-batch rolls the batch back; another routes it.
* **delivery** is a bounded pool (``HUB_WEBHOOK_WORKERS`` attempts at once):
  it claims due messages for one attempt each, commits the claim, sends, and
  writes the result under its claim.  The claim lasts
  ``HUB_WEBHOOK_CLAIM_SECONDS`` and is renewed while the attempt runs (at
  most ``HUB_WEBHOOK_TIMEOUT``), so it lapses only when its worker is gone;
  the message is then attempted again with the same ``webhook-id``
  (at-least-once).  Two workers never hold one message's claim at once.

Nothing here runs inside a request: requests only write events and wake the
loops of their own process (other processes' loops poll every
``HUB_EVENTS_POLL_SECONDS``).

Tests and one-shot jobs call :func:`dispatch_pending`, which routes
everything and makes every attempt that is due, then returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from hub.alerts import publish_alert
from hub.clock import Clock, SystemClock
from hub.db import session_scope
from hub.events import metrics
from hub.events import repository as repo
from hub.events.delivery import Attempt, Outcome, next_wait, send
from hub.events.notifiers import NoticeOut, Notifier, load_notifiers, push
from hub.events.outbox import loop_waker, on_commit
from hub.events.routing import Routed, route
from hub.events.targets import TargetPolicy
from hub.models import new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["CHANNEL", "DispatchReport", "Dispatcher", "dispatch_pending"]

log = logging.getLogger("hub.events")

#: ``hub.pubsub`` channel of routed events (the ``events`` subscription).
CHANNEL = "events"
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


class _Engine:
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

    async def attempt(self, attempt: Attempt) -> Outcome:
        keeper = asyncio.create_task(self._keep_claim(attempt))
        try:
            outcome = await asyncio.wait_for(
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
            outcome = Outcome(False, None, f"no answer within {self.timeout:g} s")
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        await self.settle(attempt, outcome)
        return outcome

    async def _keep_claim(self, attempt: Attempt) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with session_scope(self.hub.sessionmaker) as session:
                    await repo.renew_claim(
                        session,
                        attempt.delivery_id,
                        attempt.claim,
                        self.hub.clock.now() + self.lease,
                    )
            except asyncio.CancelledError:
                raise
            except Exception:  # the next renewal retries; the lease is 3x this
                log.warning("claim on %s not renewed", attempt.message_id)

    async def settle(self, attempt: Attempt, outcome: Outcome) -> None:
        now = self.hub.clock.now()
        values: dict[str, Any] = {
            "last_status": outcome.status,
            "last_error": outcome.error,
            "updated_at": now,
        }
        if outcome.delivered:
            values.update(delivered_at=now, next_attempt_at=None, failed=False)
            label = "delivered"
        else:
            wait = next_wait(attempt.step, attempt.message_id)
            if wait is None:
                values.update(next_attempt_at=None, failed=True)
                label = "failed"
            else:
                values.update(next_attempt_at=now + wait, step=attempt.step + 1)
                label = "retry"
        async with session_scope(self.hub.sessionmaker) as session:
            mine = await repo.settle_delivery(
                session, attempt.delivery_id, attempt.claim, values
            )
        if not mine:
            log.warning(
                "message %s: claim lapsed before its result was written",
                attempt.message_id,
            )
            return
        metrics.DELIVERED.labels("webhook", label).inc()
        if label == "delivered":
            self.report.delivered += 1
        elif label == "failed":
            self.report.failed += 1
        else:
            self.report.retrying += 1

    async def gauge(self) -> None:
        """Refresh the oldest-undelivered gauges from the database."""
        now = self.hub.clock.now()
        async with self.hub.sessionmaker() as session:
            unrouted, pending = await repo.oldest_pending(session)
        for stage, since in (("outbox", unrouted), ("webhook", pending)):
            age = 0.0 if since is None else max(0.0, (now - since).total_seconds())
            metrics.OLDEST.labels(stage).set(age)


async def dispatch_pending(
    hub: Hub,
    *,
    http: httpx.AsyncClient | None = None,
    wall: Clock | None = None,
    notifiers: list[Notifier] | None = None,
) -> DispatchReport:
    """Route every pending event, then make every webhook attempt now due.

    Deterministic and finite: retries scheduled for later are left for later.
    """
    engine = _Engine(hub, http=http, wall=wall, notifiers=notifiers)
    try:
        while await engine.route_once():
            pass
        workers = hub.settings.webhook_workers
        while claimed := await engine.claim(workers):
            await asyncio.gather(*(engine.attempt(a) for a in claimed))
        await engine.gauge()
        return engine.report
    finally:
        await engine.aclose()


class Dispatcher:
    """The long-running loops of one process (see the module doc).

    >>> dispatcher = Dispatcher(hub)
    >>> dispatcher.start()          # in the app's lifespan
    >>> await dispatcher.stop()
    """

    def __init__(
        self,
        hub: Hub,
        *,
        http: httpx.AsyncClient | None = None,
        wall: Clock | None = None,
        notifiers: list[Notifier] | None = None,
    ) -> None:
        self.engine = _Engine(hub, http=http, wall=wall, notifiers=notifiers)
        self.workers = hub.settings.webhook_workers
        self.poll = hub.settings.events_poll_seconds
        self._route_flag = asyncio.Event()
        self._deliver_flag = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._inflight: set[asyncio.Task[Any]] = set()
        self._unsubscribe: Any = None

    @property
    def report(self) -> DispatchReport:
        return self.engine.report

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._unsubscribe = on_commit(loop_waker(loop, self._route_flag))
        self._tasks = [
            asyncio.create_task(self._route_loop(), name="events-route"),
            asyncio.create_task(self._deliver_loop(), name="events-deliver"),
        ]

    def wake(self) -> None:
        self._route_flag.set()
        self._deliver_flag.set()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Attempts in flight finish (their claims would lapse otherwise).
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=self.engine.timeout + 1)
        await self.engine.aclose()

    async def _wait(self, flag: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(flag.wait(), timeout)
        flag.clear()

    async def _route_loop(self) -> None:
        while True:
            try:
                routed = await self.engine.route_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("routing events failed; retrying")
                routed = 0
            if routed:
                self._deliver_flag.set()
                continue
            try:
                await self.engine.gauge()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.debug("event gauges not refreshed", exc_info=True)
            await self._wait(self._route_flag, self.poll)

    async def _deliver_loop(self) -> None:
        while True:
            free = self.workers - len(self._inflight)
            claimed: list[Attempt] = []
            if free > 0:
                try:
                    claimed = await self.engine.claim(free)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("claiming webhook messages failed; retrying")
            for attempt in claimed:
                task = asyncio.create_task(self._attempt(attempt))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            if claimed and len(claimed) == free:
                continue  # maybe more are due; claim as slots free up
            await self._wait(self._deliver_flag, self.poll)

    async def _attempt(self, attempt: Attempt) -> None:
        try:
            await self.engine.attempt(attempt)
        except Exception:
            log.exception("webhook attempt %s failed unexpectedly", attempt.message_id)
        finally:
            self._deliver_flag.set()

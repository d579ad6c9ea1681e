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
from typing import TYPE_CHECKING, Any

import httpx

from hub.clock import Clock
from hub.events.delivery import Attempt, Outcome
from hub.events.engine import DispatchReport, Engine
from hub.events.feed import CHANNEL
from hub.events.notifiers import Notifier
from hub.events.outbox import loop_waker, on_commit

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["CHANNEL", "DispatchReport", "Dispatcher", "dispatch_pending"]

log = logging.getLogger("hub.events")

#: Seconds between refreshes of the oldest-undelivered gauges.
GAUGE_SECONDS = 5.0
#: Seconds the settler waits for more attempts to finish before writing.
SETTLE_GATHER = 0.005


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
    engine = Engine(hub, http=http, wall=wall, notifiers=notifiers)
    try:
        while await engine.route_once():
            pass
        workers = hub.settings.webhook_workers
        while claimed := await engine.claim(workers):
            outcomes = await asyncio.gather(*(engine.send(a) for a in claimed))
            await engine.settle(list(zip(claimed, outcomes, strict=True)))
        await engine.gauge()
        return engine.report
    finally:
        await engine.aclose()


class Dispatcher:
    """The long-running loops of one process (see the module doc).

    Delivery runs as: one claimer (takes due messages, up to
    ``PREFETCH × workers`` held at once), ``HUB_WEBHOOK_WORKERS`` senders,
    one settler (writes finished attempts in batches) and one keeper (renews
    every held claim with one statement each third of the claim's life).

    >>> dispatcher = Dispatcher(hub)
    >>> dispatcher.start()          # in the app's lifespan
    >>> await dispatcher.stop()
    """

    PREFETCH = 4

    def __init__(
        self,
        hub: Hub,
        *,
        http: httpx.AsyncClient | None = None,
        wall: Clock | None = None,
        notifiers: list[Notifier] | None = None,
    ) -> None:
        self.engine = Engine(hub, http=http, wall=wall, notifiers=notifiers)
        self.workers = hub.settings.webhook_workers
        self.poll = hub.settings.events_poll_seconds
        self._route_flag = asyncio.Event()
        self._claim_flag = asyncio.Event()
        self._settle_flag = asyncio.Event()
        self._ready: asyncio.Queue[Attempt] = asyncio.Queue()
        self._held: dict[str, Attempt] = {}
        self._done: list[tuple[Attempt, Outcome]] = []
        self._loops: list[asyncio.Task[None]] = []
        self._senders: list[asyncio.Task[None]] = []
        self._unsubscribe: Any = None
        self._gauged = 0.0

    @property
    def report(self) -> DispatchReport:
        return self.engine.report

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._unsubscribe = on_commit(loop_waker(loop, self._route_flag))
        self._loops = [
            asyncio.create_task(self._route_loop(), name="events-route"),
            asyncio.create_task(self._claim_loop(), name="events-claim"),
            asyncio.create_task(self._settle_loop(), name="events-settle"),
            asyncio.create_task(self._keep_loop(), name="events-keep"),
        ]
        self._senders = [
            asyncio.create_task(self._sender(), name=f"events-send-{i}")
            for i in range(self.workers)
        ]

    def wake(self) -> None:
        self._route_flag.set()
        self._claim_flag.set()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        loops = {t.get_name(): t for t in self._loops}
        for name in ("events-route", "events-claim"):
            await _cancel(loops[name])
        # Messages claimed but not yet sent go back at once; attempts under
        # way finish (bounded by the timeout) and are written.
        queued: list[Attempt] = []
        while not self._ready.empty():
            queued.append(self._ready.get_nowait())
        with contextlib.suppress(Exception):
            await self.engine.release(queued)
        for a in queued:
            self._held.pop(a.delivery_id, None)
        deadline = asyncio.get_running_loop().time() + self.engine.timeout + 1
        while self._held and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        for task in [*self._senders, loops["events-settle"], loops["events-keep"]]:
            await _cancel(task)
        with contextlib.suppress(Exception):
            await self.engine.settle(self._done)
        self._done = []
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
                self._claim_flag.set()
                continue
            await self._gauge()
            await self._wait(self._route_flag, self.poll)

    async def _gauge(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._gauged < GAUGE_SECONDS:
            return
        self._gauged = now
        try:
            await self.engine.gauge()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("event gauges not refreshed", exc_info=True)

    async def _claim_loop(self) -> None:
        most = self.workers * self.PREFETCH
        while True:
            room = most - len(self._held)
            claimed: list[Attempt] = []
            # Claim in batches: wait until a worker's share is free.
            if room >= self.workers or not self._held:
                try:
                    claimed = await self.engine.claim(room)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("claiming webhook messages failed; retrying")
            for attempt in claimed:
                self._held[attempt.delivery_id] = attempt
                self._ready.put_nowait(attempt)
            if claimed and len(claimed) == room:
                continue  # perhaps more are due
            await self._wait(self._claim_flag, self.poll)

    async def _sender(self) -> None:
        while True:
            attempt = await self._ready.get()
            try:
                outcome = await self.engine.send(attempt)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug here is that attempt's failure
                log.exception("webhook attempt %s failed", attempt.message_id)
                outcome = Outcome(False, None, f"internal error ({type(exc).__name__})")
            self._done.append((attempt, outcome))
            self._settle_flag.set()

    async def _settle_loop(self) -> None:
        while True:
            await self._settle_flag.wait()
            self._settle_flag.clear()
            await asyncio.sleep(SETTLE_GATHER)  # let a few finish together
            batch, self._done = self._done, []
            try:
                await self.engine.settle(batch)
            except asyncio.CancelledError:
                self._done = batch + self._done
                raise
            except Exception:
                # Not written: the claims lapse and the messages are tried
                # again (at-least-once), never lost.
                log.exception("webhook results not written; they will be retried")
            for attempt, _ in batch:
                self._held.pop(attempt.delivery_id, None)
            self._claim_flag.set()

    async def _keep_loop(self) -> None:
        every = self.engine.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self.engine.renew(list(self._held.values()))
            except asyncio.CancelledError:
                raise
            except Exception:  # the next renewal retries; the lease is 3x this
                log.warning("claims on %d messages not renewed", len(self._held))


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

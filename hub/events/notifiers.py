"""Notifiers: more ways to tell an enterprise than its inbox (SMS, WeChat …).

Every notice is stored in the enterprise's inbox (``notices``) in the
transaction that routes its event.  After that commits, each installed
notifier gets it too.  A deployment adds one without forking the hub: a
class with a ``name`` and an ``async send(notice)``, registered under the
entry-point group ``xinyi_hub.notifiers``::

    # pyproject.toml of your package
    [project.entry-points."xinyi_hub.notifiers"]
    sms = "my_package.sms:SmsNotifier"

    # my_package/sms.py
    class SmsNotifier:
        name = "sms"

        async def send(self, notice: NoticeOut) -> None:
            text = f"{notice.title}：{notice.body}"
            await my_gateway.send(phone_of(notice.uscc), text)

A notifier is built once per process (no arguments; read your settings from
the environment).  Pushes are best effort: a failure is logged and counted
(``hub_events_delivered_total{channel="notifier:<name>",outcome="failed"}``)
and never retried — the inbox holds the notice either way.  The built-in
``log`` notifier uses the same mechanism and writes each notice to the
``hub.notices`` logger at DEBUG (turn that logger up to see them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from hub.events import metrics

__all__ = [
    "GROUP",
    "LogNotifier",
    "NoticeOut",
    "Notifier",
    "load_notifiers",
    "push",
]

GROUP = "xinyi_hub.notifiers"
log = logging.getLogger("hub.events")


@dataclass(frozen=True, slots=True)
class NoticeOut:
    """A notice as notifiers get it."""

    id: str
    uscc: str
    event_id: str
    title: str
    body: str


@runtime_checkable
class Notifier(Protocol):
    name: str

    async def send(self, notice: NoticeOut) -> None: ...


class LogNotifier:
    """Writes each notice to the ``hub.notices`` logger (DEBUG)."""

    name = "log"

    def __init__(self) -> None:
        self._log = logging.getLogger("hub.notices")

    async def send(self, notice: NoticeOut) -> None:
        self._log.debug("notice %s to %s: %s", notice.id, notice.uscc, notice.title)


def load_notifiers(group: str = GROUP) -> list[Notifier]:
    """Every notifier installed under ``group``; a broken one is skipped, loudly."""
    found: list[Notifier] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            notifier = ep.load()()
        except Exception:
            log.exception("notifier %s could not be loaded; skipped", ep.name)
            continue
        if not isinstance(notifier, Notifier):
            log.error("notifier %s has no name and send(); skipped", ep.name)
            continue
        found.append(notifier)
    return found


async def push(notifiers: Iterable[Notifier], notices: Iterable[NoticeOut]) -> None:
    """Hand every notice to every notifier; failures are logged and counted."""
    items = list(notices)
    for notifier in notifiers:
        channel = f"notifier:{notifier.name}"
        for notice in items:
            try:
                await notifier.send(notice)
            except Exception:
                log.exception(
                    "notifier %s failed on notice %s", notifier.name, notice.id
                )
                metrics.DELIVERED.labels(channel, "failed").inc()
            else:
                metrics.DELIVERED.labels(channel, "delivered").inc()

"""Reading the rights queues — objections, repairs, commitments — through the door.

Nothing of a subject is loaded before the door has decided, and audited, the
access to it:

1. the repository lists *keys* (id, subject, the record's category, the
   order column) and counts them;
2. :func:`open_queue_doors` asks the door for every subject on the page —
   one audit event each, visible in its ``accessLog``: basis ADMIN_QUEUE for
   an admin working the queue (征信业管理条例 Art 25; 信用修复管理办法 2026),
   the subject's own access for the subject, a consent for anyone else;
3. the items are loaded under the grants, by loaders that admit nothing else
   (``hub.rights.repository``).

Items the door refuses are left out, so a page may hold fewer than ``first``
items; :attr:`Page.end` is the last key looked at, shown or not, so the next
page still follows on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, open_doors
from hub.auth.principal import Principal
from hub.enums import AccessBasis, DataCategory, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import CreditRecord
from hub.rights.repository import QueueKey

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "Case",
    "Page",
    "open_queue_doors",
    "queue_action",
    "show_one",
    "show_page",
    "show_queue",
]

RowT = TypeVar("RowT")
ItemT = TypeVar("ItemT")

# Loads the items among ``ids`` that the grants reach, by id.
Loader = Callable[
    [AsyncSession, Sequence[Grant], Sequence[str]], Awaitable[Mapping[str, ItemT]]
]


@dataclass(frozen=True)
class Case(Generic[RowT]):
    """An objection or repair application, with the record it is about."""

    row: RowT
    record: CreditRecord


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page; ``end`` is the (order value, id) the next page starts after."""

    items: list[ItemT]
    total: int
    more: bool
    end: tuple[str, str] | None


def queue_action(actor: Principal, queue: str) -> str:
    """``objection.review`` for the admin working the queue, else ``objection.read``."""
    return f"{queue}.review" if actor.is_admin else f"{queue}.read"


async def open_queue_doors(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    keys: Sequence[QueueKey],
    *,
    action: str,
    purpose: Purpose | None = None,
) -> dict[str, Grant | HubError]:
    """The door's answer for each subject of ``keys``, asked for exactly the
    categories of its items on this page.

    One batch per set of categories (a page usually has one), so each subject
    gets one audit event naming what it is shown.
    """
    wanted: dict[str, set[str]] = {}
    for key in keys:
        wanted.setdefault(key.uscc, set()).add(key.category)
    groups: dict[frozenset[str], list[str]] = {}
    for uscc, shown in wanted.items():
        groups.setdefault(frozenset(shown), []).append(uscc)
    decided: dict[str, Grant | HubError] = {}
    for categories, usccs in groups.items():
        decided |= await open_doors(
            session,
            hub,
            actor,
            usccs=usccs,
            purpose=purpose,
            action=action,
            categories=[DataCategory(c) for c in sorted(categories)],
            require_all=True,
            basis=AccessBasis.ADMIN_QUEUE if actor.is_admin else None,
        )
    return decided


async def show_page(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    keys: Sequence[QueueKey],
    *,
    first: int,
    total: int,
    action: str,
    load: Loader[ItemT],
    purpose: Purpose | None = None,
) -> Page[ItemT]:
    """The first ``first`` of ``keys`` (``first + 1`` were listed), through the door."""
    page, more = keys[:first], len(keys) > first
    end = (page[-1].at.isoformat(), page[-1].id) if page else None
    decided = await open_queue_doors(
        session, hub, actor, page, action=action, purpose=purpose
    )
    grants = [g for g in decided.values() if isinstance(g, Grant)]
    found = await load(session, grants, [k.id for k in page])
    return Page([found[k.id] for k in page if k.id in found], total, more, end)


class KeyLister(Protocol):
    async def __call__(
        self,
        session: AsyncSession,
        *,
        uscc: str | None,
        status: str | None,
        first: int,
        after: tuple[datetime, str] | None,
    ) -> tuple[list[QueueKey], int]: ...


async def show_queue(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    noun: str,
    keys: KeyLister,
    *,
    status: str | None,
    first: int,
    after: tuple[datetime, str] | None,
    load: Loader[ItemT],
) -> Page[ItemT]:
    """A case queue (objections, repairs, list objections): subjects see their
    own, admins all; each subject shown is audited by the door as
    ``<noun>.review`` (basis ADMIN_QUEUE) or ``<noun>.read`` (itself)."""
    listed, total = await keys(
        session,
        uscc=None if actor.is_admin else actor.uscc,
        status=status,
        first=first,
        after=after,
    )
    return await show_page(
        session,
        hub,
        actor,
        listed,
        first=first,
        total=total,
        action=queue_action(actor, noun),
        load=load,
    )


async def show_one(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    key: QueueKey,
    *,
    action: str,
    load: Loader[ItemT],
) -> ItemT:
    """One item through the door (a mutation's answer); the door's refusal raised."""
    decided = (await open_queue_doors(session, hub, actor, [key], action=action))[
        key.uscc
    ]
    if isinstance(decided, HubError):
        raise decided
    found = await load(session, [decided], [key.id])
    if key.id not in found:  # the basis does not reach the record's category
        raise HubError(
            f"The access policy does not let you see {key.category} records.",
            ErrorCode.FORBIDDEN,
        )
    return found[key.id]

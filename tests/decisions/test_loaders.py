"""Loaders of subject data take a Grant the door made, and nothing else."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import DoorBypassed, Grant, open_door
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.decisions.facts import load_facts, load_public
from hub.enums import AccessBasis, PrincipalKind
from hub.enums import DataCategory as C
from hub.resources import Hub
from tests.decisions.helpers import ADMIN, BLACK, Seeder, entity, events, lst, record

Loader = Callable[[AsyncSession, Hub, Grant], Awaitable[Any]]
LOADERS: dict[str, Loader] = {
    "load_facts": lambda s, hub, g: load_facts(s, hub, g),
    "load_public": lambda s, hub, g: load_public(s, hub, g),
}
MERCHANT = Principal(id="merchant-1", kind=PrincipalKind.MERCHANT, name="商户")


async def public_list_grant(session: AsyncSession, hub: Hub) -> Grant:
    return await open_door(
        session,
        hub,
        MERCHANT,
        uscc=BLACK,
        purpose=None,
        action="test.read",
        basis=AccessBasis.PUBLIC_LIST,
    )


def forged(grant: Grant) -> dict[str, Grant]:
    return {
        "hand-made": Grant(
            MERCHANT,
            BLACK,
            None,
            frozenset({C.BASIC, C.PENALTY}),
            None,
            grant.audit_event_id,
            AccessBasis.PUBLIC_LIST,
        ),
        "replace copy": dataclasses.replace(grant, categories=frozenset(C)),
        "same-field copy": dataclasses.replace(grant),
    }


@pytest.mark.parametrize("loader", list(LOADERS))
@pytest.mark.parametrize("forgery", ["hand-made", "replace copy", "same-field copy"])
async def test_loaders_refuse_grants_the_door_did_not_make(
    hub: Hub, seed: Seeder, loader: str, forgery: str
) -> None:
    # given a BLACK-listed entity and a real PUBLIC_LIST grant over it
    await seed.rows(entity(BLACK), lst(BLACK))
    async with session_scope(hub.sessionmaker) as s:
        grant = await public_list_grant(s, hub)
        # when a loader is given a grant the door did not make
        with pytest.raises(DoorBypassed):
            await LOADERS[loader](s, hub, forged(grant)[forgery])
        # then it refuses; the door's own grant is admitted
        assert await LOADERS[loader](s, hub, grant) is not None
    async with hub.sessionmaker() as s:
        assert await events(s, BLACK) == [("test.read", "GRANTED")]


async def test_public_lists_need_a_grant_reaching_basic(hub: Hub, seed: Seeder) -> None:
    await seed.rows(entity(BLACK), lst(BLACK))
    async with session_scope(hub.sessionmaker) as s:
        grant = await open_door(
            s,
            hub,
            ADMIN,
            uscc=BLACK,
            purpose=None,
            action="test.read",
            categories=[C.TAX],
            basis=AccessBasis.DRY_RUN,
        )
        with pytest.raises(ValueError, match="public lists come with BASIC"):
            await load_public(s, hub, grant)


async def test_facts_come_only_from_the_grant_categories(
    hub: Hub, seed: Seeder
) -> None:
    # given a grant of the door reaching BASIC only, and a SERIOUS penalty
    await seed.rows(
        entity(BLACK),
        lst(BLACK),
        record(BLACK, "P1", "PENALTY", "ADMIN_PENALTY", "SERIOUS"),
    )
    async with session_scope(hub.sessionmaker) as s:
        grant = await public_list_grant(s, hub)
        facts, data = await load_facts(s, hub, grant)
        public = await load_public(s, hub, grant)
    # then only BASIC facts are derived, for the grant's enterprise
    assert (data.uscc, public is not None and public.uscc) == (BLACK, BLACK)
    # no record outside the grant's categories is loaded, SERIOUS or not
    assert (data.records, public is not None and public.records) == ((), ())
    assert facts == {
        "black_listed": True,
        "red_listed": False,
        "serious_records": 0,
        "years_established": 11,
        "entity_kind": "ENTERPRISE",
        "disputed_records": 0,
    }

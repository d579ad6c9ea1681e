"""The door is structure: subject data loads only under grants the door made,
and every basis of access is declared in the policy and audited alike."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from hub.access.door import DoorBypassed, Grant, admit, open_door
from hub.access.policy import AccessPolicy, default_policy
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import AccessBasis, DataCategory, PrincipalKind, Purpose
from hub.errors import HubError
from hub.evaluation.service import evaluation_for
from hub.models import AuditEvent
from hub.profiles.service import (
    RecordRequest,
    list_memberships,
    record_pages,
    source_rows,
)
from hub.sources.service import pulls_due, refresh
from tests.api import Api
from tests.grants import own_grant

USCC = "91350100M000100Y43"


def forged(real: Grant) -> list[object]:
    """Objects that look like grants but were not made by the door."""
    return [
        dataclasses.replace(real),
        Grant(
            real.principal,
            real.uscc,
            real.purpose,
            real.categories,
            real.consent,
            real.audit_event_id,
        ),
        object(),
    ]


@pytest.fixture
async def world(api: Api) -> Api:
    await api.entity(USCC)
    await api.record(USCC, "p-1", category="PENALTY", kind="ADMIN_PENALTY")
    return api


def _loaders(api: Api, grant: object):  # type: ignore[no-untyped-def]
    today = api.clock.today()
    request = RecordRequest(grant, ("PENALTY",), 10, None, today)  # type: ignore[arg-type]
    return {
        "record_pages": lambda s: record_pages(s, [request]),
        "list_memberships": lambda s: list_memberships(s, [grant], today),  # type: ignore[list-item]
        "source_rows": lambda s: source_rows(s, [grant], ["henan-tax"]),  # type: ignore[list-item]
        "evaluation_for": lambda s: evaluation_for(s, api.hub, grant),  # type: ignore[arg-type]
        "refresh": lambda s: refresh(api.hub, grant),  # type: ignore[arg-type]
        "pulls_due": lambda s: pulls_due(api.hub, grant),  # type: ignore[arg-type]
    }


async def test_every_subject_data_loader_refuses_what_the_door_did_not_make(
    world: Api,
) -> None:
    async with session_scope(world.hub.sessionmaker) as s:
        real = await own_grant(s, world.hub, USCC)
        # Given a real grant, each loader runs …
        for load in _loaders(world, real).values():
            await load(s)
        # … and given anything else, none does.
        for fake in forged(real):
            for name, load in _loaders(world, fake).items():
                with pytest.raises(DoorBypassed):
                    await load(s)
                    pytest.fail(f"{name} ran without a door-made grant")


async def test_admit_takes_only_live_grants_from_the_door(world: Api) -> None:
    async with session_scope(world.hub.sessionmaker) as s:
        real = await own_grant(s, world.hub, USCC)
    admit(real)
    for fake in forged(real):
        with pytest.raises(DoorBypassed):
            admit(fake)  # type: ignore[arg-type]


def test_every_basis_is_declared_in_the_policy() -> None:
    policy = default_policy()
    assert set(policy.bases) == set(AccessBasis)
    assert policy.allows(AccessBasis.ADMIN_QUEUE, PrincipalKind.ADMIN)
    assert not policy.allows(AccessBasis.ADMIN_QUEUE, PrincipalKind.BANK)
    assert policy.bases[AccessBasis.PUBLIC_LIST].categories == {DataCategory.BASIC}


def test_a_policy_without_a_basis_is_refused_at_load() -> None:
    raw = default_policy().model_dump()
    del raw["bases"][AccessBasis.DRY_RUN]
    with pytest.raises(ValueError, match="DRY_RUN"):
        AccessPolicy.model_validate(raw)


async def test_a_basis_is_audited_like_a_consent_and_bounded_by_the_policy(
    world: Api,
) -> None:
    admin = Principal(id="admin-1", kind=PrincipalKind.ADMIN, name="平台管理员")
    bank = Principal(id="bank-1", kind=PrincipalKind.BANK, name="郑州银行")
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await open_door(
            s,
            world.hub,
            bank,
            uscc=USCC,
            purpose=Purpose.LENDING,
            action="eligibility.check",
            categories=[DataCategory.PENALTY, DataCategory.BASIC],
            basis=AccessBasis.PUBLIC_LIST,
        )
        grant.settle("RESTRICTED", scenario="credit-loan")
    # PUBLIC_LIST reaches list memberships (BASIC) only, whatever was asked.
    assert grant.categories == {DataCategory.BASIC}
    assert grant.basis is AccessBasis.PUBLIC_LIST and grant.consent is None
    with pytest.raises(HubError) as refused:
        async with session_scope(world.hub.sessionmaker) as s:
            await open_door(
                s,
                world.hub,
                bank,
                uscc=USCC,
                purpose=None,
                action="objection.review",
                basis=AccessBasis.ADMIN_QUEUE,
            )
    assert refused.value.code == "FORBIDDEN"
    async with session_scope(world.hub.sessionmaker) as s:
        await open_door(
            s,
            world.hub,
            admin,
            uscc=USCC,
            purpose=None,
            action="objection.review",
            categories=[DataCategory.PENALTY],
            basis=AccessBasis.ADMIN_QUEUE,
        )
    async with world.hub.sessionmaker() as s:
        events = (
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject == USCC)
                .order_by(AuditEvent.n)
            )
        ).all()
    seen = [
        (e.action, e.actor_id, e.outcome, (e.detail or {}).get("basis")) for e in events
    ]
    assert seen[-3:] == [
        ("eligibility.check", "bank-1", "RESTRICTED", "PUBLIC_LIST"),
        ("objection.review", "bank-1", "DENIED:FORBIDDEN", "ADMIN_QUEUE"),
        ("objection.review", "admin-1", "GRANTED", "ADMIN_QUEUE"),
    ]
    assert events[-3].detail["scenario"] == "credit-loan"
    assert events[-1].categories == ["PENALTY"]

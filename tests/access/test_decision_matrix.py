"""Every principal kind × purpose × consent state through the one door."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.access.door import open_door
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import DataCategory, PrincipalKind, Purpose
from hub.errors import HubError
from hub.models import Consent, new_id
from tests.api import Api

USCC = "91350100M000100Y43"
OTHER = "91110000100017643K"
CLIENT_KINDS = [
    k for k in PrincipalKind if k not in (PrincipalKind.SUBJECT, PrincipalKind.ADMIN)
]
ALLOWED = {
    PrincipalKind.BANK: {Purpose.LENDING, Purpose.MONITORING},
    PrincipalKind.GUARANTOR: {Purpose.GUARANTEE},
    PrincipalKind.INSURER: {Purpose.INSURANCE},
    PrincipalKind.MERCHANT: {Purpose.INCENTIVE},
    PrincipalKind.AGENCY: {Purpose.APPROVAL},
}
STATES = [
    "none",
    "active",
    "wrong_purpose",
    "wrong_grantee",
    "missing_category",
    "revoked",
    "expired",
    "paused",
    "limit_reached",
]


# The reason CONSENT_REQUIRED gives when a live consent cannot be used.
REASONS = {"paused": "PAUSED", "limit_reached": "LIMIT_REACHED"}


def expected(kind: PrincipalKind, purpose: Purpose, state: str) -> str:
    if purpose not in ALLOWED[kind]:
        return "FORBIDDEN"
    if state == "active":
        return "GRANTED"
    if state in REASONS:
        return f"CONSENT_REQUIRED/{REASONS[state]}"
    return "CONSENT_REQUIRED"


async def _consent(
    api: Api,
    grantee: str,
    purpose: Purpose,
    cats: list[str],
    *,
    revoked: bool = False,
    expired: bool = False,
    paused: bool = False,
    used_up: bool = False,
) -> None:
    now = api.clock.now()
    async with session_scope(api.hub.sessionmaker) as s:
        s.add(
            Consent(
                id=new_id(),
                subject=USCC,
                grantee_id=grantee,
                purpose=str(purpose),
                categories=cats,
                granted_at=now - timedelta(days=10),
                expires_at=now - timedelta(seconds=1)
                if expired
                else now + timedelta(days=30),
                revoked_at=now - timedelta(days=1) if revoked else None,
                end_reason="REVOKED_BY_SUBJECT" if revoked else None,
                paused_at=now - timedelta(hours=1) if paused else None,
                max_reads=5,
                reads_used=5 if used_up else 4,
                granted_by=USCC,
                receipt="x",
            )
        )


@pytest.fixture
async def world(sqlite_api: Api):  # type: ignore[no-untyped-def]
    await sqlite_api.entity(USCC)
    await sqlite_api.entity(OTHER)
    return sqlite_api


async def test_matrix(world: Api) -> None:
    api = world
    wanted = [DataCategory.BASIC, DataCategory.TAX]
    failures = []
    for kind in CLIENT_KINDS:
        for purpose in Purpose:
            for state in STATES:
                me = await api.client(kind)
                someone = await api.client(kind)
                other_purpose = next(
                    (p for p in Purpose if p != purpose and p in ALLOWED[kind]),
                    next(p for p in Purpose if p != purpose),
                )
                if state == "active":
                    await _consent(api, me.id, purpose, ["BASIC", "TAX"])
                elif state == "wrong_purpose":
                    await _consent(api, me.id, other_purpose, ["BASIC", "TAX"])
                elif state == "wrong_grantee":
                    await _consent(api, someone.id, purpose, ["BASIC", "TAX"])
                elif state == "missing_category":
                    await _consent(api, me.id, purpose, ["BASIC"])
                elif state == "revoked":
                    await _consent(api, me.id, purpose, ["BASIC", "TAX"], revoked=True)
                elif state == "expired":
                    await _consent(api, me.id, purpose, ["BASIC", "TAX"], expired=True)
                elif state == "paused":
                    await _consent(api, me.id, purpose, ["BASIC", "TAX"], paused=True)
                elif state == "limit_reached":
                    await _consent(api, me.id, purpose, ["BASIC", "TAX"], used_up=True)
                principal = Principal(id=me.id, kind=kind, name="t")
                try:
                    async with session_scope(api.hub.sessionmaker) as s:
                        grant = await open_door(
                            s,
                            api.hub,
                            principal,
                            uscc=USCC,
                            purpose=purpose,
                            action="eligibility.check",
                            categories=wanted,
                            require_all=True,
                        )
                    got = "GRANTED"
                    assert grant.categories == frozenset(wanted)
                except HubError as exc:
                    got = str(exc.code)
                    reason = exc.extra.get("reason")
                    if state in REASONS and got == "CONSENT_REQUIRED":
                        got += f"/{reason}"
                want = expected(kind, purpose, state)
                if got != want:
                    failures.append((kind, purpose, state, got, want))
    assert failures == []


async def test_missing_category_names_it(world: Api) -> None:
    bank = await world.client(PrincipalKind.BANK)
    await _consent(world, bank.id, Purpose.LENDING, ["BASIC"])
    with pytest.raises(HubError) as err:
        async with session_scope(world.hub.sessionmaker) as s:
            await open_door(
                s,
                world.hub,
                Principal(id=bank.id, kind=PrincipalKind.BANK, name="b"),
                uscc=USCC,
                purpose=Purpose.LENDING,
                action="eligibility.check",
                categories=[DataCategory.BASIC, DataCategory.TAX],
                require_all=True,
            )
    assert err.value.extra["missingCategories"] == ["TAX"]


async def test_profile_read_narrows_to_consented_categories(world: Api) -> None:
    bank = await world.client(PrincipalKind.BANK)
    await _consent(world, bank.id, Purpose.LENDING, ["BASIC"])
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await open_door(
            s,
            world.hub,
            Principal(id=bank.id, kind=PrincipalKind.BANK, name="b"),
            uscc=USCC,
            purpose=Purpose.LENDING,
            action="profile.read",
        )
    assert grant.categories == frozenset({DataCategory.BASIC})


@pytest.mark.parametrize("purpose", list(Purpose))
async def test_subject_reads_itself_not_others(world: Api, purpose: Purpose) -> None:
    me = Principal(id=USCC, kind=PrincipalKind.SUBJECT, name="s", uscc=USCC)
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await open_door(
            s, world.hub, me, uscc=USCC, purpose=purpose, action="profile.read"
        )
        assert grant.consent is None and DataCategory.PENALTY in grant.categories
    with pytest.raises(HubError) as err:
        async with session_scope(world.hub.sessionmaker) as s:
            await open_door(
                s, world.hub, me, uscc=OTHER, purpose=purpose, action="profile.read"
            )
    assert err.value.code == "FORBIDDEN"


async def test_admin_never_reads_profiles(world: Api) -> None:
    admin = await world.client(PrincipalKind.ADMIN)
    with pytest.raises(HubError) as err:
        async with session_scope(world.hub.sessionmaker) as s:
            await open_door(
                s,
                world.hub,
                Principal(id=admin.id, kind=PrincipalKind.ADMIN, name="a"),
                uscc=USCC,
                purpose=Purpose.LENDING,
                action="profile.read",
            )
    assert err.value.code == "FORBIDDEN"

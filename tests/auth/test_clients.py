"""The client registry: hashed secrets, rotation, suspension, pages, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.auth.clients import client_service
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.models import AuditEvent, Client
from tests.auth.conftest import ADMIN, create_client


async def audit_actions(hub) -> list[tuple[str, str, str]]:
    async with hub.sessionmaker() as s:
        rows = await s.scalars(select(AuditEvent).order_by(AuditEvent.n))
        return [(e.action, e.actor_id, e.detail["client"]) for e in rows]


async def test_create_stores_only_a_hash_and_audits(hub) -> None:
    # when an admin registers a bank
    creds = await create_client(hub, PrincipalKind.BANK, "  郑州银行  ")
    # then the stored row has the public id and a hash, never the secret
    async with hub.sessionmaker() as s:
        row = await s.get(Client, creds.client.id)
    assert (row.kind, row.name, row.active) == ("BANK", "郑州银行", True)
    assert row.client_id == creds.client_id != row.id
    assert row.secret_hash.startswith("scrypt$")
    assert creds.client_secret not in row.secret_hash
    # and the creation is on the audit trail, without the secret
    assert await audit_actions(hub) == [("client.create", "admin-1", row.id)]
    async with hub.sessionmaker() as s:
        event = await s.scalar(select(AuditEvent))
    assert creds.client_secret not in str(event.detail)
    assert "secret_hash" not in event.detail


async def test_authenticate_accepts_only_the_right_secret(hub, bank) -> None:
    async with hub.sessionmaker() as s:
        ok = await client_service.authenticate(s, bank.client_id, bank.client_secret)
        wrong = await client_service.authenticate(s, bank.client_id, "guess")
        unknown = await client_service.authenticate(s, "bank-000000000000", "x")
    assert (ok.id, wrong, unknown) == (bank.client.id, None, None)


async def test_rotation_refuses_the_old_secret_at_once(hub, bank) -> None:
    # when the secret is rotated
    async with session_scope(hub.sessionmaker) as s:
        new = await client_service.rotate_secret(
            s, actor=ADMIN, clock=hub.clock, id=bank.client.id
        )
    # then the old secret fails, the new one works, the client_id is unchanged
    async with hub.sessionmaker() as s:
        old_ok = await client_service.authenticate(
            s, bank.client_id, bank.client_secret
        )
        new_ok = await client_service.authenticate(s, new.client_id, new.client_secret)
    assert old_ok is None
    assert new_ok.id == bank.client.id and new.client_id == bank.client_id
    assert [a for a, _, _ in await audit_actions(hub)] == [
        "client.create",
        "client.rotate_secret",
    ]


async def test_suspended_client_cannot_authenticate_until_reactivated(
    hub, bank
) -> None:
    async with session_scope(hub.sessionmaker) as s:
        await client_service.suspend(
            s, actor=ADMIN, clock=hub.clock, id=bank.client.id, cache=hub.cache
        )
    async with hub.sessionmaker() as s:
        assert (
            await client_service.authenticate(s, bank.client_id, bank.client_secret)
            is None
        )
    async with session_scope(hub.sessionmaker) as s:
        await client_service.reactivate(
            s, actor=ADMIN, clock=hub.clock, id=bank.client.id, cache=hub.cache
        )
    async with hub.sessionmaker() as s:
        back = await client_service.authenticate(s, bank.client_id, bank.client_secret)
    assert back.id == bank.client.id
    assert [a for a, _, _ in await audit_actions(hub)] == [
        "client.create",
        "client.suspend",
        "client.reactivate",
    ]


@pytest.mark.parametrize(
    ("kind", "name"),
    [("SUBJECT", "x"), ("ROOT", "x"), ("BANK", "   "), ("BANK", "n" * 201)],
)
async def test_invalid_kind_or_name_is_a_validation_error(hub, kind, name) -> None:
    with pytest.raises(HubError) as caught:
        await create_client(hub, kind, name)
    assert caught.value.code is ErrorCode.VALIDATION_ERROR
    assert await audit_actions(hub) == []


async def test_unknown_client_is_not_found(hub) -> None:
    with pytest.raises(HubError) as caught:
        async with session_scope(hub.sessionmaker) as s:
            await client_service.suspend(
                s, actor=ADMIN, clock=hub.clock, id="nope", cache=None
            )
    assert caught.value.code is ErrorCode.NOT_FOUND


async def test_list_pages_in_creation_order(hub) -> None:
    # given five clients, two created in the same instant
    made = []
    for i in range(5):
        made.append(
            (await create_client(hub, PrincipalKind.MERCHANT, f"商户{i}")).client
        )
        if i != 1:
            hub.clock.advance(seconds=1)
    # when paging two at a time
    seen, after, pages = [], None, 0
    while True:
        async with hub.sessionmaker() as s:
            page = await client_service.list(s, first=2, after=after)
        seen += [c.id for c in page.items]
        pages += 1
        assert page.total_count == 5
        if not page.has_next_page:
            break
        after = page.end_cursor
    # then every client appears once, in (created_at, id) order
    expected = [c.id for c in sorted(made, key=lambda c: (c.created_at, c.id))]
    assert (seen, pages) == (expected, 3)


async def test_bad_cursor_and_page_size_are_validation_errors(hub) -> None:
    async with hub.sessionmaker() as s:
        for kwargs in ({"after": "not-a-cursor"}, {"first": 101}, {"first": -1}):
            with pytest.raises(HubError) as caught:
                await client_service.list(s, **kwargs)
            assert caught.value.code is ErrorCode.VALIDATION_ERROR

"""Bearer header → Principal; a suspended client is refused at its next request."""

from __future__ import annotations

import pytest

from hub.auth.authenticate import bearer_token, principal_from_request
from hub.auth.clients import client_service
from hub.auth.tokens import issue_access_token
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from tests.auth.conftest import ADMIN

USCC = "91350100M000100Y43"


def token_for(hub, *, sub: str, kind: PrincipalKind, **extra) -> str:
    token, _ = issue_access_token(
        hub.keys, hub.settings, hub.clock, sub=sub, kind=kind, scope="x", extra=extra
    )
    return token


async def unauthenticated(hub, header: str) -> HubError:
    with pytest.raises(HubError) as caught:
        await principal_from_request(header, hub)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    return caught.value


async def test_no_header_is_anonymous(hub) -> None:
    assert await principal_from_request(None, hub) is None
    assert await principal_from_request("  ", hub) is None


async def test_subject_token_gives_the_uscc_as_principal(hub) -> None:
    token = token_for(
        hub, sub=USCC, kind=PrincipalKind.SUBJECT, name="福州某某有限公司"
    )
    p = await principal_from_request(f"Bearer {token}", hub)
    assert (p.id, p.kind, p.uscc, p.name, p.scopes) == (
        USCC,
        PrincipalKind.SUBJECT,
        USCC,
        "福州某某有限公司",
        ("x",),
    )


async def test_suspended_client_is_refused_before_its_token_expires(hub, bank) -> None:
    # given a valid token of an active bank
    header = f"Bearer {token_for(hub, sub=bank.client.id, kind=PrincipalKind.BANK)}"
    assert (await principal_from_request(header, hub)).id == bank.client.id
    # when an admin suspends the bank (no time passes)
    async with session_scope(hub.sessionmaker) as s:
        await client_service.suspend(
            s, actor=ADMIN, clock=hub.clock, id=bank.client.id, cache=hub.cache
        )
    # then the very next request is refused
    await unauthenticated(hub, header)


async def test_token_kind_must_match_the_client(hub, bank) -> None:
    token = token_for(hub, sub=bank.client.id, kind=PrincipalKind.ADMIN)
    await unauthenticated(hub, f"Bearer {token}")


async def test_token_of_an_unknown_client_is_refused(hub) -> None:
    token = token_for(hub, sub="no-such-client", kind=PrincipalKind.BANK)
    await unauthenticated(hub, f"Bearer {token}")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer a b", "token"])
def test_malformed_header_is_refused(header) -> None:
    with pytest.raises(HubError) as caught:
        bearer_token(header)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    assert "Bearer" in caught.value.message


async def test_request_session_can_be_reused(hub, bank) -> None:
    header = f"Bearer {token_for(hub, sub=bank.client.id, kind=PrincipalKind.BANK)}"
    async with hub.sessionmaker() as s:
        p = await principal_from_request(header, hub, session=s)
    assert p.name == "郑州银行"

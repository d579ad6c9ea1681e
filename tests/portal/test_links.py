"""One-time login links: random, stored hashed, single use, short-lived."""

from __future__ import annotations

import asyncio
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from hub.db import session_scope
from hub.errors import ErrorCode, HubError
from hub.models import PortalLoginLink
from hub.portal.links import issue_link, redeem_link
from hub.settings import Settings
from tests.portal.conftest import OTHER_USCC, USCC
from tests.portal.helpers import add_enterprise

SETTINGS = Settings(public_url="https://hub.example.cn/")


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


async def _issue(maker, clock, uscc=USCC, settings=SETTINGS) -> str:  # type: ignore[no-untyped-def]
    async with session_scope(maker) as s:
        return await issue_link(s, settings, clock, uscc)


async def _redeem(maker, clock, token, settings=SETTINGS):  # type: ignore[no-untyped-def]
    async with session_scope(maker) as s:
        return await redeem_link(s, settings, clock, token)


async def _refusal(coro) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(HubError) as caught:
        await coro
    return str(caught.value.code)


async def test_a_link_signs_its_enterprise_in_once(sessionmaker, clock) -> None:
    # given an enterprise and a link for it
    await add_enterprise(sessionmaker, clock, USCC, "郑州示范科技有限公司")
    url = await _issue(sessionmaker, clock)
    assert url.startswith("https://hub.example.cn/portal/login?token=")
    token = _token(url)
    # then the database holds its hash, never the token itself
    async with sessionmaker() as s:
        row = (await s.scalars(select(PortalLoginLink))).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.uscc == USCC and row.used_at is None
    assert (row.expires_at - row.created_at).total_seconds() == 15 * 60
    # when it is used
    enterprise = await _redeem(sessionmaker, clock, token)
    # then it names the enterprise, as the SUBJECT principal of the API
    assert (enterprise.uscc, enterprise.name) == (USCC, "郑州示范科技有限公司")
    principal = enterprise.principal()
    assert principal.is_subject and principal.uscc == USCC and principal.id == USCC
    # and a second use is refused
    code = await _refusal(_redeem(sessionmaker, clock, token))
    assert code == ErrorCode.UNAUTHENTICATED


async def test_an_expired_or_unknown_link_is_refused(sessionmaker, clock) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    token = _token(await _issue(sessionmaker, clock))
    clock.advance(minutes=15)
    assert await _refusal(_redeem(sessionmaker, clock, token)) == "UNAUTHENTICATED"
    assert await _refusal(_redeem(sessionmaker, clock, "x" * 43)) == "UNAUTHENTICATED"
    assert await _refusal(_redeem(sessionmaker, clock, "")) == "UNAUTHENTICATED"
    # the expired link stays unused: refusing it spent nothing
    async with sessionmaker() as s:
        row = (await s.scalars(select(PortalLoginLink))).one()
    assert row.used_at is None


async def test_links_are_only_for_real_enterprises(sessionmaker, clock) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    assert await _refusal(_issue(sessionmaker, clock, OTHER_USCC)) == "NOT_FOUND"
    assert await _refusal(_issue(sessionmaker, clock, USCC[:-1] + "0")) == (
        "INVALID_USCC"
    )
    async with sessionmaker() as s:
        assert (await s.scalars(select(PortalLoginLink))).all() == []


async def test_production_refuses_links_unless_enabled(sessionmaker, clock) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    token = _token(await _issue(sessionmaker, clock))
    production = Settings(env="production")
    assert await _refusal(_issue(sessionmaker, clock, settings=production)) == (
        "FORBIDDEN"
    )
    assert await _refusal(_redeem(sessionmaker, clock, token, production)) == (
        "FORBIDDEN"
    )
    enabled = Settings(env="production", portal_links_in_production=True)
    assert (await _redeem(sessionmaker, clock, token, enabled)).uscc == USCC


async def test_two_workers_racing_for_one_link_sign_in_once(
    sessionmaker, clock
) -> None:
    # given one link, used at the same moment through two connections
    await add_enterprise(sessionmaker, clock, USCC)
    token = _token(await _issue(sessionmaker, clock))

    async def attempt() -> str:
        try:
            return (await _redeem(sessionmaker, clock, token)).uscc
        except HubError as exc:
            return str(exc.code)

    results = await asyncio.gather(*(attempt() for _ in range(6)))
    # then the database lets exactly one of them in
    assert sorted(results) == [USCC] + ["UNAUTHENTICATED"] * 5

"""OpenID Connect login against a real provider (oidc-provider on node)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from hub.db import session_scope
from hub.errors import HubError
from hub.portal.oidc import OidcLogin, PendingLogin
from hub.settings import Settings
from tests.oidc.server import OidcProvider, sign_in_with_httpx
from tests.portal.conftest import CALLBACK, OTHER_USCC, USCC
from tests.portal.helpers import add_enterprise


def _settings(provider: OidcProvider, **kw: str) -> Settings:
    return Settings(
        oidc_issuer=provider.issuer,
        oidc_client_id=provider.client_id,
        oidc_client_secret=kw.pop("secret", provider.client_secret),
        oidc_uscc_claim="uscc",
        **kw,
    )


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def _login(sessionmaker, provider: OidcProvider, login: str, settings=None):  # type: ignore[no-untyped-def]
    rp = OidcLogin(settings or _settings(provider))
    url, pending = await rp.begin(CALLBACK)
    callback = await sign_in_with_httpx(url, login, CALLBACK)
    async with session_scope(sessionmaker) as s:
        return await rp.finish(s, pending, _query(callback))


async def test_the_provider_signs_an_enterprise_in(
    sessionmaker, clock, oidc_provider: OidcProvider
) -> None:
    await add_enterprise(sessionmaker, clock, USCC, "郑州示范科技有限公司")
    rp = OidcLogin(_settings(oidc_provider))
    # when the login begins: code flow with PKCE (S256), state and nonce
    url, pending = await rp.begin(CALLBACK)
    sent = _query(url)
    assert url.startswith(oidc_provider.issuer + "/auth?")
    assert sent["response_type"] == "code"
    assert sent["code_challenge_method"] == "S256" and sent["code_challenge"]
    assert sent["state"] == pending.state and sent["nonce"] == pending.nonce
    assert sent["redirect_uri"] == CALLBACK and "openid" in sent["scope"].split()
    assert pending.code_verifier not in url
    # and the enterprise signs in at the provider
    callback = await sign_in_with_httpx(url, USCC, CALLBACK)
    async with session_scope(sessionmaker) as s:
        enterprise = await rp.finish(s, pending, _query(callback))
    # then the hub knows it by the USCC in the ID token's claim
    assert (enterprise.uscc, enterprise.name) == (USCC, "郑州示范科技有限公司")
    # and the same callback cannot be played again (the code is spent)
    async with session_scope(sessionmaker) as s:
        with pytest.raises(HubError) as caught:
            await rp.finish(s, pending, _query(callback))
    assert caught.value.code == "UNAUTHENTICATED"


async def test_a_callback_for_another_browser_is_refused(
    sessionmaker, clock, oidc_provider: OidcProvider
) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    rp = OidcLogin(_settings(oidc_provider))
    url, _mine = await rp.begin(CALLBACK)
    _, theirs = await rp.begin(CALLBACK)
    callback = await sign_in_with_httpx(url, USCC, CALLBACK)
    for pending in (theirs, None):
        async with session_scope(sessionmaker) as s:
            with pytest.raises(HubError) as caught:
                await rp.finish(s, pending, _query(callback))
        assert caught.value.code == "UNAUTHENTICATED"
    # a forged nonce (same state, different nonce) fails the ID token check
    forged = PendingLogin(_mine.state, "forged-nonce", _mine.code_verifier, CALLBACK)
    async with session_scope(sessionmaker) as s:
        with pytest.raises(HubError) as caught:
            await rp.finish(s, forged, _query(callback))
    assert caught.value.code == "UNAUTHENTICATED"


async def test_a_wrong_verifier_is_refused_by_the_provider(
    sessionmaker, clock, oidc_provider: OidcProvider
) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    rp = OidcLogin(_settings(oidc_provider))
    url, pending = await rp.begin(CALLBACK)
    callback = await sign_in_with_httpx(url, USCC, CALLBACK)
    wrong = PendingLogin(pending.state, pending.nonce, "x" * 64, CALLBACK)
    async with session_scope(sessionmaker) as s:
        with pytest.raises(HubError) as caught:
            await rp.finish(s, wrong, _query(callback))
    assert caught.value.code == "UNAUTHENTICATED"


async def test_the_uscc_claim_is_checked(
    sessionmaker, clock, oidc_provider: OidcProvider
) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    for login, code in (
        (OTHER_USCC, "NOT_FOUND"),  # valid, but no such enterprise here
        ("91350100M000100Y44", "INVALID_USCC"),  # checksum wrong
    ):
        with pytest.raises(HubError) as caught:
            await _login(sessionmaker, oidc_provider, login)
        assert caught.value.code == code, login
    # a provider that does not carry the configured claim signs nobody in
    other_claim = _settings(oidc_provider)
    other_claim.oidc_uscc_claim = "tax_id"
    with pytest.raises(HubError) as caught:
        await _login(sessionmaker, oidc_provider, USCC, other_claim)
    assert caught.value.code == "UNAUTHENTICATED"
    assert "tax_id" in caught.value.message


async def test_a_wrong_client_secret_is_refused(
    sessionmaker, clock, oidc_provider: OidcProvider
) -> None:
    await add_enterprise(sessionmaker, clock, USCC)
    with pytest.raises(HubError) as caught:
        await _login(
            sessionmaker, oidc_provider, USCC, _settings(oidc_provider, secret="no")
        )
    assert caught.value.code == "UNAUTHENTICATED"


async def test_an_unreachable_provider_is_reported(sessionmaker) -> None:
    settings = Settings(
        oidc_issuer="http://127.0.0.1:9", oidc_client_id="a", oidc_client_secret="b"
    )
    with pytest.raises(HubError) as caught:
        await OidcLogin(settings).begin(CALLBACK)
    assert caught.value.code == "SOURCE_UNAVAILABLE"


def test_oidc_needs_its_settings() -> None:
    with pytest.raises(HubError) as caught:
        OidcLogin(Settings(oidc_issuer="https://idp.example.cn"))
    assert "HUB_OIDC_CLIENT_ID" in caught.value.message

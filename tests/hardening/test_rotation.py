"""Rotating a client's secret refuses every access token issued before, at once."""

from __future__ import annotations

from typing import Any

from hub.enums import PrincipalKind
from tests.api import Api, ClientCreds, make_api

ROTATE = """mutation($id: ID!) { rotateClientSecret(id: $id) { clientSecret } }"""
ME = "{ me { id } }"


async def _token(api: Api, client_id: str, secret: str) -> str:
    r = await api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def _rotate(api: Api, admin: ClientCreds, bank: ClientCreds) -> str:
    body = await api.data(ROTATE, {"id": bank.id}, admin.token)
    return str(body["rotateClientSecret"]["clientSecret"])


async def test_tokens_issued_before_a_rotation_are_refused(api: Api) -> None:
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    old = await _token(api, bank.client_id, bank.client_secret)
    assert (await api.data(ME, token=old))["me"]["id"] == bank.id
    secret = await _rotate(api, admin, bank)
    # the very next request, with the clock standing still
    assert await api.error_code(ME, token=old) == "UNAUTHENTICATED"
    new = await _token(api, bank.client_id, secret)
    assert (await api.data(ME, token=new))["me"]["id"] == bank.id
    # a second rotation ends the second token too
    await _rotate(api, admin, bank)
    assert await api.error_code(ME, token=new) == "UNAUTHENTICATED"


async def test_every_worker_refuses_at_once(
    db_url: str, redis_url: str, clock: Any, tmp_path: Any
) -> None:
    # two workers sharing the database and Redis; one has the client's status
    # cached as it was before the rotation the other performs
    one, http_one = await make_api(db_url, clock, tmp_path, redis_url=redis_url)
    two, http_two = await make_api(db_url, clock, tmp_path, redis_url=redis_url)
    try:
        bank = await one.client(PrincipalKind.BANK)
        admin = await one.client(PrincipalKind.ADMIN)
        old = await _token(one, bank.client_id, bank.client_secret)
        assert (await one.data(ME, token=old))["me"]["id"] == bank.id
        await _rotate(two, admin, bank)
        assert await one.error_code(ME, token=old) == "UNAUTHENTICATED"
    finally:
        for api, http in ((one, http_one), (two, http_two)):
            await http.aclose()
            await api.hub.aclose()

"""GraphQL: me, clients, createClient, suspendClient, rotateClientSecret."""

from __future__ import annotations

import base64

from sqlalchemy import func, select

from hub.auth.tokens import issue_access_token
from hub.enums import PrincipalKind
from hub.models import AuditEvent, Client
from tests.auth.conftest import create_client

USCC = "91350100M000100Y43"

CREATE = """mutation($kind: PrincipalKind!, $name: String!) {
  createClient(input: {kind: $kind, name: $name}) {
    clientId clientSecret client { id kind name active createdAt }
  }
}"""


def bearer(hub, sub: str, kind: PrincipalKind) -> dict[str, str]:
    token, _ = issue_access_token(
        hub.keys, hub.settings, hub.clock, sub=sub, kind=kind, scope="x"
    )
    return {"Authorization": f"Bearer {token}"}


async def gql(http, query: str, headers=None, **variables):
    r = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert r.status_code == 200, r.text
    return r.json()


def codes(body) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def counts(hub) -> tuple[int, int]:
    async with hub.sessionmaker() as s:
        clients = await s.scalar(select(func.count()).select_from(Client))
        events = await s.scalar(select(func.count()).select_from(AuditEvent))
    return int(clients), int(events)


async def admin_headers(hub) -> dict[str, str]:
    admin = await create_client(hub, PrincipalKind.ADMIN, "平台管理员")
    return bearer(hub, admin.client.id, PrincipalKind.ADMIN)


async def token_status(http, client_id: str, secret: str) -> int:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {raw}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return r.status_code


async def test_admin_creates_a_client_that_can_get_tokens(http, hub) -> None:
    # given an admin
    headers = await admin_headers(hub)
    # when it creates a guarantor
    body = await gql(http, CREATE, headers, kind="GUARANTOR", name="河南省中小企业担保")
    # then the credentials come back once and work at /oauth/token
    creds = body["data"]["createClient"]
    assert creds["client"]["kind"] == "GUARANTOR" and creds["client"]["active"]
    assert creds["clientId"].startswith("guarantor-")
    assert await token_status(http, creds["clientId"], creds["clientSecret"]) == 200
    async with hub.sessionmaker() as s:
        event = await s.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "client.create")
            .order_by(AuditEvent.n.desc())
        )
    assert event.detail["client"] == creds["client"]["id"]


async def test_non_admin_cannot_create_and_nothing_changes(http, hub, bank) -> None:
    before = await counts(hub)
    headers = bearer(hub, bank.client.id, PrincipalKind.BANK)
    body = await gql(http, CREATE, headers, kind="BANK", name="影子银行")
    assert codes(body) == ["FORBIDDEN"] and body["data"] is None
    assert await counts(hub) == before


async def test_without_token_me_is_unauthenticated(http) -> None:
    body = await gql(http, "{ me { id } }")
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_me_for_a_client_and_a_subject(http, hub, bank) -> None:
    query = "{ me { id kind name uscc scopes } }"
    me = await gql(http, query, bearer(hub, bank.client.id, PrincipalKind.BANK))
    assert me["data"]["me"] == {
        "id": bank.client.id,
        "kind": "BANK",
        "name": "郑州银行",
        "uscc": None,
        "scopes": ["x"],
    }
    me = await gql(http, query, bearer(hub, USCC, PrincipalKind.SUBJECT))
    assert me["data"]["me"] == {
        "id": USCC,
        "kind": "SUBJECT",
        "name": USCC,
        "uscc": USCC,
        "scopes": ["x"],
    }


async def test_clients_pages_for_admin_only(http, hub, bank) -> None:
    headers = await admin_headers(hub)
    await create_client(hub, PrincipalKind.MERCHANT, "丹尼斯")
    query = """query($after: String) { clients(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { name } } } }"""
    first = (await gql(http, query, headers))["data"]["clients"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    after = first["pageInfo"]["endCursor"]
    second = (await gql(http, query, headers, after=after))["data"]["clients"]
    names = [e["node"]["name"] for e in first["edges"] + second["edges"]]
    assert sorted(names) == sorted(["郑州银行", "平台管理员", "丹尼斯"])
    assert second["pageInfo"]["hasNextPage"] is False
    # and a bank may not list clients
    denied = await gql(http, query, bearer(hub, bank.client.id, PrincipalKind.BANK))
    assert codes(denied) == ["FORBIDDEN"]


async def test_suspend_refuses_the_clients_next_request(http, hub, bank) -> None:
    # given a bank with a valid token
    bank_headers = bearer(hub, bank.client.id, PrincipalKind.BANK)
    assert (await gql(http, "{ me { id } }", bank_headers))["data"]["me"]
    # when an admin suspends it
    suspend = "mutation($id: ID!) { suspendClient(id: $id) { id active } }"
    body = await gql(http, suspend, await admin_headers(hub), id=bank.client.id)
    assert body["data"]["suspendClient"] == {"id": bank.client.id, "active": False}
    # then its very next request is refused, and it cannot get a new token
    assert codes(await gql(http, "{ me { id } }", bank_headers)) == ["UNAUTHENTICATED"]
    assert await token_status(http, bank.client_id, bank.client_secret) == 401


async def test_rotate_secret_replaces_the_secret(http, hub, bank) -> None:
    rotate = """mutation($id: ID!) { rotateClientSecret(id: $id) {
      clientId clientSecret client { id } } }"""
    body = await gql(http, rotate, await admin_headers(hub), id=bank.client.id)
    new = body["data"]["rotateClientSecret"]
    assert new["clientId"] == bank.client_id
    assert await token_status(http, bank.client_id, bank.client_secret) == 401
    assert await token_status(http, bank.client_id, new["clientSecret"]) == 200


async def test_unknown_client_id_is_not_found(http, hub) -> None:
    suspend = "mutation($id: ID!) { suspendClient(id: $id) { id } }"
    body = await gql(http, suspend, await admin_headers(hub), id="missing")
    assert codes(body) == ["NOT_FOUND"]

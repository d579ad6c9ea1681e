"""A real hub behind an in-process HTTP client, and helpers to act as its users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from hub.auth.clients import client_service
from hub.auth.principal import SYSTEM
from hub.auth.scopes import allowed_scopes
from hub.auth.tokens import issue_access_token
from hub.clock import FrozenClock
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.models import CreditRecord, Entity, ListMembership
from hub.resources import Hub
from hub.root.app import create_app
from hub.root.build import build_hub
from hub.settings import Settings

__all__ = ["Api", "ClientCreds", "make_api"]


@dataclass
class ClientCreds:
    id: str
    client_id: str
    client_secret: str
    kind: PrincipalKind
    token: str = ""


class Api:
    def __init__(self, hub: Hub, http: httpx.AsyncClient) -> None:
        self.hub, self.http = hub, http

    @property
    def clock(self) -> FrozenClock:
        return self.hub.clock  # type: ignore[return-value]

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        **headers: str,
    ) -> dict[str, Any]:
        h = {"authorization": f"Bearer {token}"} if token else {}
        h.update(headers)
        r = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=h
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        body = await self.gql(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    async def error_code(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> str:
        body = await self.gql(query, variables, token)
        assert body.get("errors"), body
        return str(body["errors"][0]["extensions"]["code"])

    async def client(self, kind: PrincipalKind, name: str | None = None) -> ClientCreds:
        async with session_scope(self.hub.sessionmaker) as s:
            creds = await client_service.create(
                s,
                actor=SYSTEM,
                clock=self.hub.clock,
                kind=kind,
                name=name or f"test {kind.value.lower()}",
            )
        c = ClientCreds(creds.client.id, creds.client_id, creds.client_secret, kind)
        c.token = self.client_token(c)
        return c

    def client_token(self, c: ClientCreds) -> str:
        token, _ = issue_access_token(
            self.hub.keys,
            self.hub.settings,
            self.hub.clock,
            sub=c.id,
            kind=c.kind,
            scope=allowed_scopes(c.kind),
        )
        return token

    def subject_token(self, uscc: str) -> str:
        token, _ = issue_access_token(
            self.hub.keys,
            self.hub.settings,
            self.hub.clock,
            sub=uscc,
            kind=PrincipalKind.SUBJECT,
            scope=allowed_scopes(PrincipalKind.SUBJECT),
            extra={"uscc": uscc},
        )
        return token

    async def entity(
        self, uscc: str, name: str = "郑州示范科技有限公司", **kw: Any
    ) -> None:
        now = self.hub.clock.now()
        async with session_scope(self.hub.sessionmaker) as s:
            s.add(
                Entity(
                    uscc=uscc,
                    name=name,
                    kind=kw.get("kind", "ENTERPRISE"),
                    region_code=kw.get("region_code", "410100"),
                    industry_code=kw.get("industry_code", "C13"),
                    established_on=kw.get("established_on", date(2015, 3, 2)),
                    registered_capital=kw.get("registered_capital", 5_000_000.0),
                    legal_representative="张三",
                    status="存续",
                    created_at=now,
                    updated_at=now,
                )
            )

    async def record(self, uscc: str, source_id: str, **kw: Any) -> int:
        now = self.hub.clock.now()
        today = self.hub.clock.today()
        fields: dict[str, Any] = dict(
            uscc=uscc,
            source=kw.pop("source", "henan-tax"),
            source_id=source_id,
            category="TAX",
            kind="TAX_RATING",
            severity="NONE",
            status="ACTIVE",
            title="2025年度纳税信用等级 A",
            authority="国家税务总局河南省税务局",
            occurred_on=today - timedelta(days=60),
            decided_on=today - timedelta(days=30),
            publish_from=today - timedelta(days=30),
            publish_until=None,
            details={"rating": "A"},
            created_at=now,
            updated_at=now,
        )
        fields.update(kw)
        async with session_scope(self.hub.sessionmaker) as s:
            row = CreditRecord(**fields)
            s.add(row)
            await s.flush()
            ent = await s.get(Entity, uscc)
            if ent is not None:
                ent.data_version += 1
            return int(row.id)

    async def listing(self, uscc: str, kind: str = "BLACK", **kw: Any) -> int:
        now = self.hub.clock.now()
        async with session_scope(self.hub.sessionmaker) as s:
            row = ListMembership(
                uscc=uscc,
                kind=kind,
                list_name=kw.get("list_name", "失信被执行人名单"),
                basis=kw.get("basis", "（2025）豫01执123号"),
                since=kw.get("since", date(2025, 6, 1)),
                until=kw.get("until"),
                source=kw.get("source", "court-dishonest"),
                record_source=kw.get("record_source"),
                record_source_id=kw.get("record_source_id"),
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            await s.flush()
            ent = await s.get(Entity, uscc)
            if ent is not None:
                ent.data_version += 1
            return int(row.id)

    async def grant(
        self,
        subject: str,
        grantee: ClientCreds,
        purpose: str,
        categories: list[str],
        days: int = 90,
    ) -> str:
        expires = (self.hub.clock.now() + timedelta(days=days)).isoformat()
        data = await self.data(
            "mutation($i: GrantConsentInput!) "
            "{ grantConsent(input: $i) { id status } }",
            {
                "i": {
                    "subject": subject,
                    "granteeId": grantee.id,
                    "purpose": purpose,
                    "categories": categories,
                    "expiresAt": expires,
                }
            },
            token=self.subject_token(subject),
        )
        await self.settle_consent_events()
        return str(data["grantConsent"]["id"])

    async def settle_consent_events(self) -> None:
        """Mark the CONSENT_* events written so far as routed: a test that sets
        up consents is about what happens next, not about their announcement
        (tests/consent and tests/events cover those)."""
        from sqlalchemy import update

        from hub.models import OutboxEvent

        async with session_scope(self.hub.sessionmaker) as s:
            await s.execute(
                update(OutboxEvent)
                .where(
                    OutboxEvent.type.like("CONSENT_%"),
                    OutboxEvent.routed_at.is_(None),
                )
                .values(routed_at=self.hub.clock.now())
            )


async def make_api(
    db_url: str, clock: FrozenClock, tmp_path: Any, **settings: Any
) -> tuple[Api, Any]:
    s = Settings(database_url=db_url, env="test", **settings)
    hub = await build_hub(s, clock)
    app = create_app(s, hub=hub)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    )
    return Api(hub, http), http

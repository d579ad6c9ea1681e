"""``xinyi-hub demo``: seed data, demo clients and a subject token, then print them."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from hub.auth.clients import client_service
from hub.auth.keys import load_keyring
from hub.auth.principal import SYSTEM
from hub.auth.scopes import allowed_scopes
from hub.auth.tokens import issue_access_token
from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, session_scope
from hub.demo.generator import seed_demo
from hub.enums import ListKind, PrincipalKind
from hub.models import Client, CreditRecord, Entity, ListMembership
from hub.portal.links import issue_link
from hub.settings import Settings

__all__ = ["DEMO_CLIENTS", "DemoInfo", "prepare_demo", "print_credentials"]

DEMO_CLIENTS: tuple[tuple[PrincipalKind, str], ...] = (
    (PrincipalKind.BANK, "示范银行郑州分行 (demo bank)"),
    (PrincipalKind.GUARANTOR, "示范融资担保公司 (demo guarantor)"),
    (PrincipalKind.MERCHANT, "示范商圈商户 (demo merchant)"),
    (PrincipalKind.AGENCY, "示范政务服务中心 (demo agency)"),
    (PrincipalKind.ADMIN, "平台管理员 (demo admin)"),
)


@dataclass
class DemoInfo:
    clients: list[dict[str, Any]] = field(default_factory=list)
    subject_uscc: str = ""
    subject_token: str = ""
    blacklisted_uscc: str | None = None
    portal_link: str | None = None
    summary: dict[str, int] = field(default_factory=dict)


async def prepare_demo(
    settings: Settings, *, entities: int, seed: int, port: int
) -> DemoInfo:
    """Idempotent: re-running re-seeds nothing new and rotates demo secrets."""
    clock = SystemClock()
    engine = create_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    info = DemoInfo()
    try:
        summary = await seed_demo(maker, entities, seed, clock)
        info.summary = {
            k: getattr(summary, k)
            for k in ("inserted", "updated", "unchanged", "quarantined")
        }
        async with session_scope(maker) as session:
            existing = {c.name: c for c in await session.scalars(select(Client))}
            for kind, name in DEMO_CLIENTS:
                if name in existing:
                    creds = await client_service.rotate_secret(
                        session, actor=SYSTEM, clock=clock, id=existing[name].id
                    )
                else:
                    creds = await client_service.create(
                        session, actor=SYSTEM, clock=clock, kind=kind, name=name
                    )
                info.clients.append(
                    {
                        "id": creds.client.id,
                        "client_id": creds.client_id,
                        "client_secret": creds.client_secret,
                        "kind": str(kind),
                        "name": name,
                    }
                )
            black = select(ListMembership.uscc).where(
                ListMembership.kind == ListKind.BLACK.value
            )
            info.blacklisted_uscc = await session.scalar(black.limit(1))
            candidates = await session.scalars(
                select(Entity.uscc)
                .where(
                    Entity.uscc.not_in(black),
                    Entity.kind == "ENTERPRISE",
                    Entity.uscc.not_in(
                        select(CreditRecord.uscc).where(
                            CreditRecord.severity.in_(["ORDINARY", "SERIOUS"])
                        )
                    ),
                )
                .order_by(Entity.uscc)
            )
            not_a = {
                u
                for u, d in await session.execute(
                    select(CreditRecord.uscc, CreditRecord.details).where(
                        CreditRecord.kind == "TAX_RATING"
                    )
                )
                if (d or {}).get("rating") != "A"
            }
            info.subject_uscc = _showcase(
                [u for u in candidates if u not in not_a], clock.today()
            )
            if info.subject_uscc and not settings.production:
                info.portal_link = await issue_link(
                    session, settings, clock, info.subject_uscc
                )
        keyring = await load_keyring(maker, settings, clock)
        info.subject_token, _ = issue_access_token(
            keyring,
            settings,
            clock,
            sub=info.subject_uscc,
            kind=PrincipalKind.SUBJECT,
            scope=allowed_scopes(PrincipalKind.SUBJECT),
            extra={"uscc": info.subject_uscc},
            ttl=86400,
        )
    finally:
        await engine.dispose()
    return info


def _showcase(usccs: list[str], today: Any) -> str:
    """An enterprise in good standing at home and at the sandbox agencies.

    The walkthrough should end in an ELIGIBLE loan pre-assessment, so pick one
    with no serious record in the hub and an A tax grade and no court listing
    at the sandbox (whose answers derive from the code).
    """
    from connectors.sandbox.data import court_answer, tax_answer

    for uscc in usccs:
        ratings = tax_answer(uscc, today)["ratings"]
        if (
            ratings
            and ratings[-1]["rating"] == "A"
            and not court_answer(uscc, today)["cases"]
        ):
            return uscc
    return usccs[0] if usccs else ""


def print_credentials(info: DemoInfo, *, host: str, port: int) -> None:
    out = sys.stderr
    base = f"http://{host}:{port}"
    print("\n=== xinyi-hub demo ===", file=out)
    print(f"seeded: {info.summary}", file=out)
    print(f"GraphiQL: {base}/graphql    token endpoint: {base}/oauth/token", file=out)
    print(
        f"admin console: {base}/console (sign in with the ADMIN client below)\n",
        file=out,
    )
    print(f"{'kind':<10} {'Client.id':<34} {'client_id':<24} client_secret", file=out)
    for c in info.clients:
        print(
            f"{c['kind']:<10} {c['id']:<34} {c['client_id']:<24} {c['client_secret']}",
            file=out,
        )
    print(f"\ndemo enterprise (subject): {info.subject_uscc}", file=out)
    if info.blacklisted_uscc:
        print(f"a BLACK-listed enterprise:  {info.blacklisted_uscc}", file=out)
    print(f"subject token (24 h):\n{info.subject_token}\n", file=out)
    if info.portal_link:
        print(
            f"enterprise portal, one-time login (15 min):\n{info.portal_link}\n",
            file=out,
        )
    print(
        "get a client token:\n"
        f"  curl -s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials "
        f"{base}/oauth/token\n",
        file=out,
    )
    out.flush()

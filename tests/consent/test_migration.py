"""Migration 0002 brings existing consents under one-live-per-triple."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.db import create_engine, migrate
from hub.models import UTCDateTime

T0 = datetime(2026, 6, 1, tzinfo=UTC)
USCC = "91350100M000100Y43"

consents = sa.table(
    "consents",
    sa.column("id", sa.String),
    sa.column("subject", sa.String),
    sa.column("grantee_id", sa.String),
    sa.column("purpose", sa.String),
    sa.column("categories", sa.JSON),
    sa.column("granted_at", UTCDateTime()),
    sa.column("expires_at", UTCDateTime()),
    sa.column("revoked_at", UTCDateTime()),
    sa.column("granted_by", sa.String),
    sa.column("receipt", sa.Text),
)


def _consent(cid: str, purpose: str, granted: int, lasts: int, **kw: object) -> dict:
    return {
        "id": cid,
        "subject": USCC,
        "grantee_id": "bank",
        "purpose": purpose,
        "categories": ["BASIC"],
        "granted_at": T0 + timedelta(days=granted),
        "expires_at": T0 + timedelta(days=granted + lasts),
        "revoked_at": None,
        "granted_by": USCC,
        "receipt": f"receipt-{cid}",
        **kw,
    }


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


async def test_upgrade_ends_all_but_the_latest_live_consent(fresh_url: str) -> None:
    migrate(fresh_url, "0001")
    engine = create_engine(fresh_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO entities (uscc, name, kind, region_code, status, "
                    "data_version, created_at, updated_at) VALUES (:u, 'x', "
                    "'ENTERPRISE', '410100', 'x', 1, :t, :t)"
                ).bindparams(sa.bindparam("t", type_=UTCDateTime())),
                {"u": USCC, "t": T0},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO clients (id, client_id, secret_hash, kind, name, "
                    "active, created_at, updated_at) VALUES ('bank', 'c', 'h', "
                    "'BANK', 'b', true, :t, :t)"
                ).bindparams(sa.bindparam("t", type_=UTCDateTime())),
                {"t": T0},
            )
            await conn.execute(
                consents.insert(),
                [
                    _consent("revoked", "LENDING", 0, 90, revoked_at=T0),
                    _consent("older", "LENDING", 1, 90),
                    _consent("newer", "LENDING", 2, 90),
                    _consent("ran-out", "MONITORING", 0, 1),
                    _consent("current", "MONITORING", 5, 90),
                    _consent("alone", "GUARANTEE", 0, 90),
                ],
            )
        migrate(fresh_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "SELECT id, end_reason, revoked_at IS NOT NULL FROM consents "
                    "ORDER BY id"
                )
            )
            ended = {r[0]: (r[1], bool(r[2])) for r in rows}
            receipts = await conn.execute(
                sa.text("SELECT consent_id, event, jws FROM consent_receipts")
            )
            kept = {(r[0], r[1], r[2]) for r in receipts}
        assert ended == {
            "revoked": ("REVOKED_BY_SUBJECT", True),
            "older": ("SUPERSEDED", True),
            "newer": (None, False),
            "ran-out": ("EXPIRED", False),
            "current": (None, False),
            "alone": (None, False),
        }
        assert kept == {(c, "grant", f"receipt-{c}") for c in ended}
        # and from now on a second live consent for a triple is refused
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(
                    consents.insert(), [_consent("dup", "GUARANTEE", 9, 9)]
                )
    finally:
        await engine.dispose()

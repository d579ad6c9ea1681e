"""Signed checkpoints anchor the audit chain: removing its newest events is detected."""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from hub.audit.chain import Sealer, seal_pending
from hub.audit.checkpoints import make_checkpoint
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.models import AuditCheckpoint, AuditEvent
from hub.root.cli import app as cli
from tests.api import Api

USCC = "91350100M000100Y43"
PROFILE = '{ creditProfile(uscc: "%s", purpose: LENDING) { entity { name } } }' % USCC


async def _reads(api: Api, n: int) -> None:
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    for _ in range(n):
        await api.data(PROFILE, token=bank.token)


async def _verify(monkeypatch: pytest.MonkeyPatch, api: Api, *extra: str) -> Any:
    """``xinyi-hub audit verify --json`` (in a thread: it runs its own loop)."""
    monkeypatch.setenv("HUB_DATABASE_URL", api.hub.settings.database_url)
    args = ["audit", "verify", "--json", *extra]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)
    return result.exit_code, json.loads(result.stdout)


async def _published(api: Api, after: int = 0) -> list[dict[str, Any]]:
    r = await api.http.get("/audit/checkpoints", params={"after": after})
    assert r.status_code == 200
    found: list[dict[str, Any]] = r.json()["checkpoints"]
    return found


async def test_checkpoints_are_signed_and_published(api: Api) -> None:
    await api.entity(USCC)
    await _reads(api, 2)
    await seal_pending(api.hub.sessionmaker)
    assert await make_checkpoint(api.hub.sessionmaker, api.hub.keys, api.clock)
    # nothing new: no second checkpoint of the same head
    assert await make_checkpoint(api.hub.sessionmaker, api.hub.keys, api.clock) is None
    await _reads(api, 1)
    await seal_pending(api.hub.sessionmaker)
    await make_checkpoint(api.hub.sessionmaker, api.hub.keys, api.clock)

    first, second = await _published(api)
    assert first["seq"] < second["seq"]
    assert await _published(api, after=first["seq"]) == [second]
    async with api.hub.sessionmaker() as s:
        head = await s.scalar(select(func.max(AuditEvent.seq)))
        head_hash = await s.scalar(
            select(AuditEvent.hash).where(AuditEvent.seq == head)
        )
    assert (second["seq"], second["hash"]) == (head, head_hash)
    # anyone can check the signature with the published keys
    jwks = (await api.http.get("/.well-known/jwks.json")).json()
    kid = jwt.get_unverified_header(second["signature"])["kid"]
    [jwk] = [k for k in jwks["keys"] if k["kid"] == kid]
    claims = jwt.decode(
        second["signature"], jwt.PyJWK(jwk).key, algorithms=[jwk.get("alg", "ES256")]
    )
    assert claims == {k: second[k] for k in ("seq", "hash", "at")}
    r = await api.http.get("/audit/checkpoints", params={"after": "-1"})
    assert r.status_code == 400


async def test_removing_the_newest_events_is_detected(
    api: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await api.entity(USCC)
    await _reads(api, 3)
    # the sealer's last round: seal what is left, sign the head
    sealer = Sealer(
        api.hub.sessionmaker,
        checkpoint=partial(
            make_checkpoint, api.hub.sessionmaker, api.hub.keys, api.clock
        ),
    )
    sealer.start()
    await sealer.stop()
    code, report = await _verify(monkeypatch, api)
    assert (code, report["ok"]) == (0, True)
    kept = tmp_path / "checkpoints.json"
    kept.write_text(json.dumps({"checkpoints": await _published(api)}))

    # the attack: the newest events go (the rest still re-hashes fine)
    async with session_scope(api.hub.sessionmaker) as s:
        newest = await s.scalar(select(func.max(AuditEvent.seq)))
        await s.execute(delete(AuditEvent).where(AuditEvent.seq > newest - 2))
    code, report = await _verify(monkeypatch, api)
    assert code == 1 and report["ok"] is False
    assert report["checkpoint"]["seq"] == newest

    # and if the checkpoints go too, one kept elsewhere still tells
    async with session_scope(api.hub.sessionmaker) as s:
        await s.execute(delete(AuditCheckpoint))
    code, report = await _verify(monkeypatch, api, "--checkpoint", str(kept))
    assert code == 1 and report["ok"] is False

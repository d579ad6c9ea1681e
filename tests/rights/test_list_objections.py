"""Objections to list memberships: DISPUTED with effect kept, REMOVED ends at once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hub.access.door import DoorBypassed, open_door
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import AccessBasis, DataCategory, PrincipalKind
from hub.models import ListMembership, ListObjection
from hub.rights.maintenance import maintain
from hub.rights.repository import list_objections_by_id
from tests.api import Api
from tests.rights.helpers import OTHER, USCC, admin, audit_actions, count, outcome

PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  lists { id kind listName basis since until status } } }"""
FILE = """mutation($m: ID!, $r: String!) {
  fileListObjection(membershipId: $m, reason: $r) {
    id status reason filedAt dueBy resolvedAt note overdue
  membership { id kind listName status } } }"""
RESOLVE = """mutation($id: ID!, $r: ListObjectionStatus!, $n: String!) {
  resolveListObjection(id: $id, resolution: $r, note: $n) {
    id status note resolvedAt overdue membership { id status } } }"""
QUEUE = """query($s: ListObjectionStatus, $f: Int, $a: String) {
  listObjections(status: $s, first: $f, after: $a) { totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status dueBy overdue membership { id status } } } } }"""


async def _listed(api: Api, uscc: str = USCC, **kw: Any) -> int:
    await api.entity(uscc, name="郑州某公司" if uscc == USCC else "北京某公司")
    return await api.listing(uscc, **kw)


async def test_disputed_keeps_its_effect_until_removed(rapi: Api) -> None:
    api = rapi
    # given a BLACK membership, and a bank without the consent its check needs
    mid = await _listed(api)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    adm = await admin(api)
    me = api.subject_token(USCC)
    # the subject sees the membership's id and status in its profile
    lists = (await api.data(PROFILE, {"u": USCC}, me))["creditProfile"]["lists"]
    assert lists == [
        {
            "id": str(mid),
            "kind": "BLACK",
            "listName": "失信被执行人名单",
            "basis": "（2025）豫01执123号",
            "since": "2025-06-01",
            "until": None,
            "status": "ACTIVE",
        }
    ]
    assert await outcome(api, bank) == "RESTRICTED"

    # when the subject objects (Monday 2026-11-23 17:00 in China)
    o = (await api.data(FILE, {"m": str(mid), "r": "已全部履行"}, me))[
        "fileListObjection"
    ]
    # then it shows DISPUTED at once, due 24:00 of the 20th day (a Sunday,
    # so Monday 12-14) — and the listing keeps its effect
    assert o["status"] == "OPEN" and o["membership"]["status"] == "DISPUTED"
    assert o["dueBy"] == "2026-12-14T16:00:00+00:00"
    assert (o["overdue"], o["resolvedAt"]) == (False, None)
    assert await outcome(api, bank) == "RESTRICTED"
    seen = (await api.data(PROFILE, {"u": USCC}, bank.token))["creditProfile"]
    assert [m["status"] for m in seen["lists"]] == ["DISPUTED"]

    # when the admin removes it
    r = (
        await api.data(
            RESOLVE, {"id": o["id"], "r": "REMOVED", "n": "法院已移除"}, adm.token
        )
    )["resolveListObjection"]
    # then it ends at once: out of every profile and decision
    assert (r["status"], r["note"]) == ("REMOVED", "法院已移除")
    assert r["membership"]["status"] == "ENDED"
    assert await outcome(api, bank) == "CONSENT_REQUIRED"
    assert (await api.data(PROFILE, {"u": USCC}, bank.token))["creditProfile"][
        "lists"
    ] == []
    acts = [(a, o_) for a, o_, _ in await audit_actions(api)]
    assert ("list_objection.file", "DISPUTED") in acts
    assert ("list_objection.resolve", "REMOVED") in acts
    assert ("list.end", "DELISTED") in acts
    # answering twice names the state
    body = await api.gql(RESOLVE, {"id": o["id"], "r": "UPHELD", "n": "x"}, adm.token)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert body["errors"][0]["message"].startswith(
        f"list objection {o['id']} is REMOVED"
    )
    # and an ended membership takes no objection
    body = await api.gql(FILE, {"m": str(mid), "r": "新理由"}, me)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "is ENDED" in body["errors"][0]["message"]


async def test_upheld_restores_and_a_repeat_needs_a_new_reason(rapi: Api) -> None:
    api = rapi
    mid = await _listed(api)
    adm = await admin(api)
    me = api.subject_token(USCC)
    o = (await api.data(FILE, {"m": str(mid), "r": "已全部履行"}, me))[
        "fileListObjection"
    ]
    # a second objection while one is open: CONFLICT
    body = await api.gql(FILE, {"m": str(mid), "r": "另一理由"}, me)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    r = (
        await api.data(RESOLVE, {"id": o["id"], "r": "UPHELD", "n": "维持"}, adm.token)
    )["resolveListObjection"]
    assert (r["status"], r["membership"]["status"]) == ("UPHELD", "ACTIVE")
    # the same reason again is not heard; a new one is
    body = await api.gql(FILE, {"m": str(mid), "r": " 已全部 履行"}, me)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    again = (await api.data(FILE, {"m": str(mid), "r": "执行和解已履行完毕"}, me))[
        "fileListObjection"
    ]
    assert again["membership"]["status"] == "DISPUTED"
    # OPEN is no answer
    assert (
        await api.error_code(
            RESOLVE, {"id": again["id"], "r": "OPEN", "n": "x"}, adm.token
        )
        == "VALIDATION_ERROR"
    )


async def test_refusals(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    mid = await _listed(api)
    theirs = await _listed(api, OTHER)
    bank = await api.client(PrincipalKind.BANK)
    adm = await admin(api)
    me = api.subject_token(USCC)
    # another enterprise's membership, or none: NOT_FOUND (no oracle)
    for m in (theirs, 999999, "abc"):
        assert await api.error_code(FILE, {"m": str(m), "r": "x"}, me) == "NOT_FOUND"
    assert await api.error_code(FILE, {"m": str(mid), "r": " "}, me) == (
        "VALIDATION_ERROR"
    )
    # clients may neither file nor read the queue; only admins answer
    assert await api.error_code(FILE, {"m": str(mid), "r": "x"}, bank.token) == (
        "FORBIDDEN"
    )
    assert await api.error_code(QUEUE, {}, bank.token) == "FORBIDDEN"
    assert await count(api, ListObjection) == 0
    o = (await api.data(FILE, {"m": str(mid), "r": "错误"}, me))["fileListObjection"]
    assert (
        await api.error_code(RESOLVE, {"id": o["id"], "r": "REMOVED", "n": "x"}, me)
        == "FORBIDDEN"
    )
    # an admin files on the other subject's behalf
    await api.data(FILE, {"m": str(theirs), "r": "代为提出"}, adm.token)
    mine = (await api.data(QUEUE, {}, me))["listObjections"]
    assert [e["node"]["id"] for e in mine["edges"]] == [o["id"]]
    assert (await api.data(QUEUE, {}, adm.token))["listObjections"]["totalCount"] == 2
    # the admin's queue read is in each subject's log, through the door
    for uscc in (USCC, OTHER):
        acts = await audit_actions(api, uscc)
        assert ("list_objection.review", "GRANTED", adm.id) in acts


async def test_queue_oldest_due_first_and_overdue_at_the_deadline(
    sqlite_rapi: Api,
) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    adm = await admin(api)
    ids = []
    for n in range(3):
        mid = await api.listing(USCC, since=date(2025, 6, 1 + n), basis=f"B-{n}")
        me = api.subject_token(USCC)
        o = await api.data(FILE, {"m": str(mid), "r": "错误"}, me)
        ids.append(o["fileListObjection"]["id"])
        api.clock.advance(days=2)
    # one second before the first deadline (24:00 of Monday 12-14 in China)
    api.clock.at = datetime(2026, 12, 14, 15, 59, 59, tzinfo=UTC)
    adm.token = api.client_token(adm)
    q = (await api.data(QUEUE, {"s": "OPEN", "f": 2}, adm.token))["listObjections"]
    assert [e["node"]["id"] for e in q["edges"]] == ids[:2]
    assert [e["node"]["overdue"] for e in q["edges"]] == [False, False]
    assert q["pageInfo"]["hasNextPage"] is True and q["totalCount"] == 3
    rest = (
        await api.data(
            QUEUE, {"s": "OPEN", "f": 2, "a": q["pageInfo"]["endCursor"]}, adm.token
        )
    )["listObjections"]
    assert [e["node"]["id"] for e in rest["edges"]] == ids[2:]
    # at the deadline it is late, and maintenance flags it once
    api.clock.advance(seconds=1)
    adm.token = api.client_token(adm)
    q = (await api.data(QUEUE, {"s": "OPEN", "f": 1}, adm.token))["listObjections"]
    assert q["edges"][0]["node"]["overdue"] is True
    assert (await maintain(api.hub)).list_objections_overdue == 1
    assert (await maintain(api.hub)).list_objections_overdue == 0


async def test_the_loader_refuses_grants_the_door_did_not_make(rapi: Api) -> None:
    import dataclasses

    api = rapi
    mid = await _listed(api)
    o = await api.data(FILE, {"m": str(mid), "r": "错误"}, api.subject_token(USCC))
    oid = o["fileListObjection"]["id"]
    adm = await admin(api)
    actor = Principal(id=adm.id, kind=PrincipalKind.ADMIN, name="平台管理员")
    async with session_scope(api.hub.sessionmaker) as s:
        real = await open_door(
            s,
            api.hub,
            actor,
            uscc=USCC,
            purpose=None,
            action="list_objection.review",
            categories=[DataCategory.BASIC],
            basis=AccessBasis.ADMIN_QUEUE,
        )
        assert list(await list_objections_by_id(s, [real], [oid])) == [oid]
        # a grant not reaching BASIC does not reach a BLACK membership
        penalty = await open_door(
            s,
            api.hub,
            actor,
            uscc=USCC,
            purpose=None,
            action="list_objection.review",
            categories=[DataCategory.PENALTY],
            basis=AccessBasis.ADMIN_QUEUE,
        )
        assert await list_objections_by_id(s, [penalty], [oid]) == {}
        for forged in (dataclasses.replace(real), object()):
            with pytest.raises(DoorBypassed):
                await list_objections_by_id(s, [forged], [oid])  # type: ignore[list-item]


async def test_an_objection_to_an_ended_membership_stays_ended(
    sqlite_rapi: Api,
) -> None:
    # a membership ended (say, by a repair) while its objection was open
    api = sqlite_rapi
    mid = await _listed(api, until=date(2026, 11, 30))
    adm = await admin(api)
    o = (await api.data(FILE, {"m": str(mid), "r": "错误"}, api.subject_token(USCC)))[
        "fileListObjection"
    ]
    api.clock.advance(days=8)  # until 11-30 has passed: maintenance ends it
    assert (await maintain(api.hub)).lists_expired == 1
    adm.token = api.client_token(adm)
    r = (
        await api.data(RESOLVE, {"id": o["id"], "r": "UPHELD", "n": "维持"}, adm.token)
    )["resolveListObjection"]
    assert (r["status"], r["membership"]["status"]) == ("UPHELD", "ENDED")
    async with api.hub.sessionmaker() as s:
        m = await s.get(ListMembership, mid)
        assert m is not None and m.end_reason == "TERM_ENDED"
        assert (await s.scalars(select(ListObjection.status))).all() == ["UPHELD"]


def test_the_exported_schema_carries_the_v2_list_fields() -> None:
    import re

    from schema import get_schema

    sdl = get_schema().as_str()
    for line in (
        "fileListObjection(membershipId: ID!, reason: String!): ListObjection!",
        "resolveListObjection(id: ID!, resolution: ListObjectionStatus!, "
        "note: String!): ListObjection!",
        "listObjections(status: ListObjectionStatus = null, first: Int = 20, "
        "after: String = null): ListObjectionConnection!",
    ):
        assert line in sdl
    membership = re.search(r"type ListMembership \{(.*?)\n\}", sdl, re.S)
    assert membership is not None
    assert "id: ID!" in membership.group(1)
    assert "status: String!" in membership.group(1)
    assert "enum ListObjectionStatus {\n  OPEN\n  UPHELD\n  REMOVED\n}" in sdl

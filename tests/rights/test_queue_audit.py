"""The rights queues read through the door: one audit event per subject shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.api import Api, ClientCreds
from tests.rights.helpers import OTHER, USCC, admin, negative

LOG = """query($u: USCC!) { accessLog(uscc: $u, first: 100) { edges { node {
  actorId actorKind action outcome purpose categories detail } } } }"""
OBJECTIONS = """query($f: Int, $a: String) { objections(first: $f, after: $a) {
  edges { node { id record { id } } } pageInfo { endCursor } } }"""
REPAIRS = """query($f: Int, $a: String) { repairs(first: $f, after: $a) {
  edges { node { id record { id } } } pageInfo { endCursor } } }"""
FILE = """mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }"""
APPLY = """mutation($i: ApplyRepairInput!) { applyRepair(input: $i) { id } }"""


async def _two_subjects(api: Api) -> tuple[ClientCreds, list[int]]:
    """Two records of USCC (a PENALTY, a TAX one) and one of OTHER, in that order."""
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    adm = await admin(api)
    old = date(2020, 1, 6)  # long past every minimum publication period
    rids = [
        await negative(api, "P-1", decided=old),
        await negative(api, "T-1", decided=old, category="TAX", kind="TAX_ARREARS"),
        await negative(api, "P-2", decided=old, uscc=OTHER),
    ]
    return adm, rids


async def _events(api: Api, uscc: str, actor: str) -> list[dict[str, Any]]:
    """``actor``'s events on ``uscc``'s access log, as the subject sees it."""
    log = (await api.data(LOG, {"u": uscc}, api.subject_token(uscc)))["accessLog"]
    return [e["node"] for e in reversed(log["edges"]) if e["node"]["actorId"] == actor]


def _review(action: str, categories: list[str]) -> dict[str, Any]:
    return {
        "action": action,
        "outcome": "GRANTED",
        "actorKind": "ADMIN",
        "purpose": None,
        "categories": categories,
        "detail": {"basis": "ADMIN_QUEUE"},
    }


def _without_actor(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "actorId"} for e in events]


async def test_admin_objection_queue_is_audited_per_subject_shown(rapi: Api) -> None:
    # given objections of two subjects, USCC's due first (deadlines are whole
    # days: filed two days apart, due 12-14, 12-15 and 12-17)
    api = rapi
    adm, rids = await _two_subjects(api)
    for rid, uscc in zip(rids, (USCC, USCC, OTHER), strict=True):
        i = {"recordId": str(rid), "reason": "处罚已被撤销"}
        await api.data(FILE, {"i": i}, api.subject_token(uscc))
        api.clock.advance(days=2)
    adm.token = api.client_token(adm)

    # when the admin reads a first page holding only USCC's two objections
    first = (await api.data(OBJECTIONS, {"f": 2}, adm.token))["objections"]
    assert [e["node"]["record"]["id"] for e in first["edges"]] == [
        str(r) for r in rids[:2]
    ]

    # then USCC's access log shows one review, naming both categories shown
    assert _without_actor(await _events(api, USCC, adm.id)) == [
        _review("objection.review", ["PENALTY", "TAX"])
    ]
    # and OTHER, not shown, has none
    assert await _events(api, OTHER, adm.id) == []

    # when the admin reads on
    a = first["pageInfo"]["endCursor"]
    rest = (await api.data(OBJECTIONS, {"f": 2, "a": a}, adm.token))["objections"]
    assert [e["node"]["record"]["id"] for e in rest["edges"]] == [str(rids[2])]

    # then OTHER has its one review, and USCC no more
    assert _without_actor(await _events(api, OTHER, adm.id)) == [
        _review("objection.review", ["PENALTY"])
    ]
    assert len(await _events(api, USCC, adm.id)) == 1


async def test_admin_repair_queue_is_audited_per_subject_shown(rapi: Api) -> None:
    # given repair applications of two subjects
    api = rapi
    adm, rids = await _two_subjects(api)
    for rid, uscc in zip(rids, (USCC, USCC, OTHER), strict=True):
        i = {"recordId": str(rid), "method": "report", "evidence": "信用报告"}
        await api.data(APPLY, {"i": i}, api.subject_token(uscc))
        api.clock.advance(minutes=1)

    # when the admin reads the whole queue
    page = (await api.data(REPAIRS, {"f": 10}, adm.token))["repairs"]
    assert len(page["edges"]) == 3

    # then each subject shown has exactly one review event, basis ADMIN_QUEUE
    assert _without_actor(await _events(api, USCC, adm.id)) == [
        _review("repair.review", ["PENALTY", "TAX"])
    ]
    assert _without_actor(await _events(api, OTHER, adm.id)) == [
        _review("repair.review", ["PENALTY"])
    ]


async def test_subjects_read_their_own_queue_items_as_themselves(
    sqlite_rapi: Api,
) -> None:
    # given an objection the subject filed
    api = sqlite_rapi
    adm, rids = await _two_subjects(api)
    me = api.subject_token(USCC)
    await api.data(FILE, {"i": {"recordId": str(rids[0]), "reason": "错误"}}, me)

    # when it reads its queue
    mine = (await api.data(OBJECTIONS, {"f": 5}, me))["objections"]
    assert len(mine["edges"]) == 1

    # then its own reads (the filing's answer, the queue) are on its log as
    # the subject's own access: no basis named, nothing from the admin
    log = (await api.data(LOG, {"u": USCC}, me))["accessLog"]
    reads = [
        (n["action"], n["actorKind"], n["categories"], n["detail"])
        for n in (e["node"] for e in reversed(log["edges"]))
        if n["outcome"] == "GRANTED"
    ]
    assert reads == [
        ("objection.read", "SUBJECT", ["PENALTY"], None),
        ("objection.read", "SUBJECT", ["PENALTY"], None),
    ]
    assert await _events(api, USCC, adm.id) == []


async def test_admin_commitment_queue_is_audited(sqlite_rapi: Api) -> None:
    # given a commitment of each subject
    api = sqlite_rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    adm = await admin(api)
    for uscc in (USCC, OTHER):
        await api.data(
            """mutation { makeCommitment(kind: VOLUNTARY_DISCLOSURE,
            content: "主动公示年度报告", dueOn: "2026-12-01") { id } }""",
            None,
            api.subject_token(uscc),
        )

    # when the admin lists them
    listed = await api.data("{ commitments { totalCount } }", None, adm.token)
    assert listed["commitments"]["totalCount"] == 2

    # then each subject's log shows the admin's review of its COMMITMENT data
    for uscc in (USCC, OTHER):
        assert _without_actor(await _events(api, uscc, adm.id)) == [
            _review("commitment.review", ["COMMITMENT"])
        ]

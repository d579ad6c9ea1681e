"""Objections end to end: subject files, record DISPUTED everywhere, admin resolves."""

from __future__ import annotations

from hub.enums import PrincipalKind
from hub.models import ListMembership, Objection
from tests.api import Api
from tests.rights.helpers import (
    OTHER,
    USCC,
    admin,
    audit_actions,
    count,
    data_version,
    negative,
    outcome,
    record_row,
    score,
)

FILE = """mutation($i: FileObjectionInput!, $k: String) {
  fileObjection(input: $i, idempotencyKey: $k) {
    id status reason filedAt dueBy resolvedAt note overdue
    record { id status } } }"""
RESOLVE = """mutation($id: ID!, $r: ObjectionResolution!, $n: String!, $c: JSON) {
  resolveObjection(id: $id, resolution: $r, note: $n, corrections: $c) {
    id status note resolvedAt corrections record { id status title severity } } }"""
QUEUE = """query($s: ObjectionStatus, $f: Int, $a: String) {
  objections(status: $s, first: $f, after: $a) { totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status overdue dueBy record { id } } } } }"""
PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  records { edges { node { id status severity title } } } } }"""


async def _file(api: Api, rid: int, key: str | None = None, token: str | None = None):
    return await api.data(
        FILE,
        {"i": {"recordId": str(rid), "reason": "处罚已被撤销"}, "k": key},
        token or api.subject_token(USCC),
    )


async def test_file_then_uphold_round_trip(rapi: Api) -> None:
    api = rapi
    # given a SERIOUS penalty (on no list: it restricts nothing without
    # consent), and a bank reading it
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "PENALTY"])
    adm = await admin(api)
    assert await outcome(api, bank) == "CONSENT_REQUIRED"
    before = await score(api)
    version = await data_version(api)

    # when the subject files an objection (2026-11-23 17:00 in China)
    o = (await _file(api, rid))["fileObjection"]

    # then the record is DISPUTED at once; the reply is due at 24:00 of the
    # 20th day — 12-13 is a Sunday, so of Monday 12-14 (民法典 Art 201/203)
    assert o["status"] == "OPEN"
    assert o["record"] == {"id": str(rid), "status": "DISPUTED"}
    assert o["filedAt"] == "2026-11-23T09:00:00+00:00"
    assert o["dueBy"] == "2026-12-14T16:00:00+00:00"
    assert o["overdue"] is False and o["resolvedAt"] is None
    prof = (await api.data(PROFILE, {"u": USCC}, bank.token))["creditProfile"]
    assert [e["node"]["status"] for e in prof["records"]["edges"]] == ["DISPUTED"]
    assert await data_version(api) == version + 1
    # a disputed record does not lower the score while open
    assert await score(api) > before

    # when the admin upholds the record
    upheld = {"id": o["id"], "r": "UPHELD", "n": "经核实，处罚决定有效"}
    r = (await api.data(RESOLVE, upheld, adm.token))["resolveObjection"]

    # then it is back to ACTIVE, with the note the subject sees
    assert r["status"] == "UPHELD" and r["record"]["status"] == "ACTIVE"
    assert r["note"] == "经核实，处罚决定有效"
    assert r["resolvedAt"] == "2026-11-23T09:00:00+00:00"
    assert await score(api) == before
    mine = (await api.data(QUEUE, {}, api.subject_token(USCC)))["objections"]
    assert [e["node"]["status"] for e in mine["edges"]] == ["UPHELD"]

    # and both actions are on the subject's audit trail
    acts = [(a, o_) for a, o_, _ in await audit_actions(api)]
    assert ("objection.file", "DISPUTED") in acts
    assert ("objection.resolve", "ACTIVE") in acts

    # resolving twice is an illegal transition naming the current state
    body = await api.gql(RESOLVE, {"id": o["id"], "r": "REVOKED", "n": "x"}, adm.token)
    err = body["errors"][0]
    assert err["extensions"]["code"] == "CONFLICT"
    assert err["message"].startswith(f"objection {o['id']} is UPHELD;")


async def test_revoked_withdraws_the_record(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "PENALTY"])
    adm = await admin(api)
    o = (await _file(api, rid))["fileObjection"]

    r = (
        await api.data(
            RESOLVE, {"id": o["id"], "r": "REVOKED", "n": "处罚已撤销"}, adm.token
        )
    )["resolveObjection"]

    assert r["record"]["status"] == "REVOKED"
    prof = (await api.data(PROFILE, {"u": USCC}, bank.token))["creditProfile"]
    assert prof["records"]["edges"] == []
    assert await outcome(api, bank) == "CONSENT_REQUIRED"
    # the subject still sees it, marked REVOKED
    own = (await api.data(PROFILE, {"u": USCC}, api.subject_token(USCC)))[
        "creditProfile"
    ]
    assert [e["node"]["status"] for e in own["records"]["edges"]] == ["REVOKED"]


async def test_corrected_applies_validated_values(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    adm = await admin(api)
    o = (await _file(api, rid))["fileObjection"]
    v = {"id": o["id"], "r": "CORRECTED", "n": "更正处罚等级"}

    # only title/severity/authority/dates/details may change
    for bad in (
        None,
        {},
        {"uscc": OTHER},
        {"category": "TAX"},
        {"severity": "HUGE"},
        {"decided_on": "2026-13-01"},
        {"details": [1]},
        {"publish_until": None},  # negative information never published forever
    ):
        assert (
            await api.error_code(RESOLVE, {**v, "c": bad}, adm.token)
            == "VALIDATION_ERROR"
        ), bad
    assert (
        await api.error_code(
            RESOLVE, {**v, "r": "UPHELD", "c": {"title": "x"}}, adm.token
        )
        == "VALIDATION_ERROR"
    )

    r = (
        await api.data(
            RESOLVE,
            {
                **v,
                "c": {
                    "severity": "MINOR",
                    "title": "罚款 500 元",
                    "decided_on": "2026-10-20",
                },
            },
            adm.token,
        )
    )["resolveObjection"]

    assert r["status"] == "CORRECTED"
    assert r["record"] == {
        "id": str(rid),
        "status": "ACTIVE",
        "title": "罚款 500 元",
        "severity": "MINOR",
    }
    assert r["corrections"] == {
        "severity": "MINOR",
        "title": "罚款 500 元",
        "decided_on": "2026-10-20",
    }
    row = await record_row(api, rid)
    assert row is not None and str(row.decided_on) == "2026-10-20"
    assert row.uscc == USCC and row.category == "PENALTY"


async def test_refusals_and_visibility(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    rid = await negative(api, "P-1")
    theirs = await negative(api, "P-2", uscc=OTHER)
    bank = await api.client(PrincipalKind.BANK)
    adm = await admin(api)
    me = api.subject_token(USCC)
    i = {"recordId": str(rid), "reason": "错误"}

    # another enterprise's record, or no such record: NOT_FOUND (no oracle)
    for rec in (theirs, 999999, "abc"):
        assert (
            await api.error_code(FILE, {"i": {"recordId": str(rec), "reason": "x"}}, me)
            == "NOT_FOUND"
        )
    assert (
        await api.error_code(FILE, {"i": {**i, "reason": "  "}}, me)
        == "VALIDATION_ERROR"
    )
    # clients may neither file nor read the queue; only admins resolve
    assert await api.error_code(FILE, {"i": i}, bank.token) == "FORBIDDEN"
    assert await api.error_code(QUEUE, {}, bank.token) == "FORBIDDEN"
    assert await api.error_code(QUEUE, {}) == "UNAUTHENTICATED"
    assert await count(api, Objection) == 0

    o = (await api.data(FILE, {"i": i}, me))["fileObjection"]
    # a second objection while the first is open: CONFLICT
    body = await api.gql(FILE, {"i": {**i, "reason": "另一理由"}}, me)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert (
        f"Record {rid} already has an OPEN objection" in (body["errors"][0]["message"])
    )
    assert (
        await api.error_code(RESOLVE, {"id": o["id"], "r": "UPHELD", "n": "x"}, me)
        == "FORBIDDEN"
    )
    # an admin files on the other subject's behalf
    await api.data(
        FILE, {"i": {"recordId": str(theirs), "reason": "代为提出"}}, adm.token
    )

    # subjects see their own objections; admins all
    mine = (await api.data(QUEUE, {}, me))["objections"]
    assert [e["node"]["id"] for e in mine["edges"]] == [o["id"]]
    assert (await api.data(QUEUE, {}, adm.token))["objections"]["totalCount"] == 2
    # the admin's change, then its reads through the door (the mutation's
    # answer, the queue), on the other subject's trail
    theirs_log = await audit_actions(api, OTHER)
    assert theirs_log[-3:] == [
        ("objection.file", "DISPUTED", adm.id),
        ("objection.review", "GRANTED", adm.id),
        ("objection.review", "GRANTED", adm.id),
    ]


async def test_idempotency_key_replays_the_first_objection(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    first = (await _file(api, rid, key="k-1"))["fileObjection"]
    again = (await _file(api, rid, key="k-1"))["fileObjection"]
    assert again["id"] == first["id"]
    assert await count(api, Objection) == 1
    # the same key for another record is a conflict, not the first objection
    other = await negative(api, "P-2")
    body = await api.gql(
        FILE,
        {"i": {"recordId": str(other), "reason": "处罚已被撤销"}, "k": "k-1"},
        api.subject_token(USCC),
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    # the same key for another operation is a conflict
    bank = await api.client(PrincipalKind.BANK)
    body = await api.gql(
        """mutation($i: GrantConsentInput!) { grantConsent(input: $i,
           idempotencyKey: "k-1") { id } }""",
        {
            "i": {
                "subject": USCC,
                "granteeId": bank.id,
                "purpose": "LENDING",
                "categories": ["BASIC"],
                "expiresAt": "2027-01-01T00:00:00Z",
            }
        },
        api.subject_token(USCC),
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_queue_oldest_due_first_with_overdue_flag(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    adm = await admin(api)
    ids = []
    for n in range(3):
        rid = await negative(api, f"P-{n}")
        ids.append((await _file(api, rid))["fileObjection"]["id"])
        api.clock.advance(days=5)
    # now 15 days after the first filing (Monday 11-23 17:00 in China): its
    # 20th day is Sunday 12-13, so it is due at 24:00 of Monday 12-14 — not
    # late one second before, late from that instant
    api.clock.advance(days=6, hours=6, minutes=59, seconds=59)
    adm.token = api.client_token(adm)
    q = (await api.data(QUEUE, {"s": "OPEN", "f": 1}, adm.token))["objections"]
    assert q["edges"][0]["node"]["dueBy"] == "2026-12-14T16:00:00+00:00"
    assert q["edges"][0]["node"]["overdue"] is False
    api.clock.advance(seconds=1)
    adm.token = api.client_token(adm)
    q = (await api.data(QUEUE, {"s": "OPEN", "f": 2}, adm.token))["objections"]
    assert [e["node"]["id"] for e in q["edges"]] == ids[:2]
    assert [e["node"]["overdue"] for e in q["edges"]] == [True, False]
    assert q["pageInfo"]["hasNextPage"] is True and q["totalCount"] == 3
    rest = (
        await api.data(
            QUEUE, {"s": "OPEN", "f": 2, "a": q["pageInfo"]["endCursor"]}, adm.token
        )
    )["objections"]
    assert [e["node"]["id"] for e in rest["edges"]] == ids[2:]
    assert rest["pageInfo"]["hasNextPage"] is False
    # answered late, it stays flagged
    r = await api.data(
        """mutation($id: ID!) { resolveObjection(id: $id,
        resolution: UPHELD, note: "维持") { status overdue } }""",
        {"id": ids[0]},
        adm.token,
    )
    assert r["resolveObjection"] == {"status": "UPHELD", "overdue": True}
    assert (await api.data(QUEUE, {"s": "UPHELD"}, adm.token))["objections"][
        "totalCount"
    ] == 1


REASONED = """mutation($r: ID!, $why: String!) {
  fileObjection(input: {recordId: $r, reason: $why}) {
    id status reason record { id status } } }"""


async def test_a_repeated_objection_needs_a_new_reason_and_does_not_suspend(
    rapi: Api,
) -> None:
    api = rapi
    # given a penalty whose objection was answered UPHELD
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    adm = await admin(api)
    me = api.subject_token(USCC)
    first = (await _file(api, rid))["fileObjection"]
    await api.data(RESOLVE, {"id": first["id"], "r": "UPHELD", "n": "维持"}, adm.token)
    before, version = await score(api), await data_version(api)

    # when the subject objects again on the same reason (spacing and case aside)
    for same in ("处罚已被撤销", "  处罚已被撤销 ", "处罚 已被 撤销"):
        body = await api.gql(REASONED, {"r": str(rid), "why": same}, me)
        assert body["errors"][0]["extensions"]["code"] == "CONFLICT", same
        assert "new reason" in body["errors"][0]["message"]
    assert await count(api, Objection) == 1

    # then only a new reason is heard — and the record keeps its effect
    again = (
        await api.data(REASONED, {"r": str(rid), "why": "新证据：复议决定书"}, me)
    )["fileObjection"]
    assert again["status"] == "OPEN"
    assert again["record"] == {"id": str(rid), "status": "ACTIVE"}
    row = await record_row(api, rid)
    assert row is not None and row.status == "ACTIVE"
    assert await score(api) == before
    assert await data_version(api) == version
    acts = [(a, o) for a, o, _ in await audit_actions(api)]
    assert ("objection.file", "OPEN") in acts
    assert acts.count(("objection.file", "DISPUTED")) == 1

    # answered UPHELD, the record stays as the first answer left it
    r = (
        await api.data(
            RESOLVE, {"id": again["id"], "r": "UPHELD", "n": "维持"}, adm.token
        )
    )["resolveObjection"]
    assert (r["status"], r["record"]["status"]) == ("UPHELD", "ACTIVE")

    # a third, newer reason may still withdraw it
    third = (
        await api.data(REASONED, {"r": str(rid), "why": "法院已判决撤销处罚"}, me)
    )["fileObjection"]
    assert third["record"]["status"] == "ACTIVE"
    r = (
        await api.data(
            RESOLVE, {"id": third["id"], "r": "REVOKED", "n": "已撤销"}, adm.token
        )
    )["resolveObjection"]
    assert (r["status"], r["record"]["status"]) == ("REVOKED", "REVOKED")
    # and a withdrawn record takes no objection any more
    body = await api.gql(REASONED, {"r": str(rid), "why": "再议"}, me)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_a_repeated_objection_on_an_expired_record_leaves_it_expired(
    sqlite_rapi: Api,
) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1", status="EXPIRED")
    adm = await admin(api)
    me = api.subject_token(USCC)
    first = (await _file(api, rid))["fileObjection"]
    assert first["record"]["status"] == "DISPUTED"
    r = (
        await api.data(
            RESOLVE, {"id": first["id"], "r": "UPHELD", "n": "维持"}, adm.token
        )
    )["resolveObjection"]
    assert r["record"]["status"] == "EXPIRED"
    again = (await api.data(REASONED, {"r": str(rid), "why": "另有新证据"}, me))[
        "fileObjection"
    ]
    r = (
        await api.data(
            RESOLVE,
            {
                "id": again["id"],
                "r": "CORRECTED",
                "n": "更正",
                "c": {"title": "罚款 500 元"},
            },
            adm.token,
        )
    )["resolveObjection"]
    assert r["record"] == {
        "id": str(rid),
        "status": "EXPIRED",
        "title": "罚款 500 元",
        "severity": "SERIOUS",
    }


async def test_a_record_revoked_on_objection_takes_its_listing_with_it(
    rapi: Api,
) -> None:
    api = rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    mid = await api.listing(
        USCC, record_source="market-regulation", record_source_id="P-1"
    )
    adm = await admin(api)
    o = (await _file(api, rid))["fileObjection"]
    await api.data(RESOLVE, {"id": o["id"], "r": "REVOKED", "n": "已撤销"}, adm.token)
    async with api.hub.sessionmaker() as s:
        m = await s.get(ListMembership, mid)
        assert m is not None and (m.status, m.end_reason) == ("ENDED", "RECORD_REVOKED")

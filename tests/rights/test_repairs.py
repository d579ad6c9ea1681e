"""Credit repair end to end: eligibility dates, application, decision, effects."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import ListMembership, RepairApplication
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
    score,
)

APPLY = """mutation($i: ApplyRepairInput!) { applyRepair(input: $i) {
  id status method evidence appliedAt decidedAt note record { id status } } }"""
DECIDE = """mutation($id: ID!, $a: Boolean!, $n: String!) {
  decideRepair(id: $id, approve: $a, note: $n) {
    id status decidedAt note record { id status } } }"""
REPAIRS = """query($s: RepairStatus) { repairs(status: $s) { totalCount
  edges { node { id status record { id } } } } }"""
PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  records { totalCount edges { node { id status } } } } }"""


def _i(rid: int, method: str = "rectification") -> dict:
    return {
        "i": {
            "recordId": str(rid),
            "method": method,
            "evidence": "已缴清罚款并完成整改，附整改报告",
        }
    }


async def test_apply_then_approve_lifts_restriction(rapi: Api) -> None:
    api = rapi
    # given a SERIOUS record decided one year and a day ago (period ended yesterday)
    # and the serious-dishonesty list membership that rests on it
    await api.entity(USCC)
    rid = await negative(api, "P-1", decided=date(2025, 11, 22))
    await api.listing(
        USCC,
        list_name="严重失信主体名单",
        basis="豫市监严重违法失信〔2025〕1号",
        since=date(2025, 11, 22),
        source="market-regulation",
        record_source="market-regulation",
        record_source_id="P-1",
    )
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "PENALTY"])
    adm = await admin(api)
    me = api.subject_token(USCC)
    assert await outcome(api, bank) == "RESTRICTED"
    before, version = await score(api), await data_version(api)

    # when the subject applies
    app = (await api.data(APPLY, _i(rid), me))["applyRepair"]
    assert app["status"] == "PENDING" and app["method"] == "rectification"
    assert app["record"] == {"id": str(rid), "status": "ACTIVE"}
    assert app["appliedAt"] == "2026-11-23T09:00:00+00:00"
    # one pending application per record
    body = await api.gql(APPLY, _i(rid, "training"), me)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "PENDING" in body["errors"][0]["message"]

    # and the admin approves
    done = (
        await api.data(DECIDE, {"id": app["id"], "a": True, "n": "准予修复"}, adm.token)
    )["decideRepair"]

    # then the record is REPAIRED: gone from clients, restriction lifted, rescored
    assert done["status"] == "APPROVED" and done["note"] == "准予修复"
    assert done["record"]["status"] == "REPAIRED"
    prof = (await api.data(PROFILE, {"u": USCC}, bank.token))["creditProfile"]
    assert prof["records"]["totalCount"] == 0
    own = (await api.data(PROFILE, {"u": USCC}, me))["creditProfile"]
    assert [e["node"]["status"] for e in own["records"]["edges"]] == ["REPAIRED"]
    # 平信用〔2021〕1号 §12: the listing ended with the repair, and with it the
    # joint punishment
    assert await outcome(api, bank) == "CONSENT_REQUIRED"
    assert await score(api) > before
    assert await data_version(api) == version + 2  # the record, the list
    async with api.hub.sessionmaker() as s:
        m = (await s.scalars(select(ListMembership))).one()
        assert (m.status, m.end_reason) == ("ENDED", "REPAIRED")
    # deciding again is an illegal transition naming the current state
    body = await api.gql(DECIDE, {"id": app["id"], "a": False, "n": "x"}, adm.token)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "is APPROVED" in body["errors"][0]["message"]
    # a repaired record cannot be repaired or objected to
    body = await api.gql(APPLY, _i(rid), me)
    assert "is REPAIRED" in body["errors"][0]["message"]

    mine = (await api.data(REPAIRS, {}, me))["repairs"]
    assert [e["node"]["status"] for e in mine["edges"]] == ["APPROVED"]
    acts = [(a, o) for a, o, _ in await audit_actions(api)]
    assert ("repair.apply", "PENDING") in acts and ("repair.decide", "REPAIRED") in acts
    assert ("list.end", "DELISTED") in acts


async def test_a_repair_ends_only_the_lists_resting_on_that_record(
    sqlite_rapi: Api,
) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1", decided=date(2025, 11, 22))
    await negative(api, "P-2", decided=date(2025, 11, 22))
    on_it = await api.listing(
        USCC, record_source="market-regulation", record_source_id="P-1"
    )
    other = await api.listing(
        USCC,
        since=date(2025, 7, 1),
        record_source="market-regulation",
        record_source_id="P-2",
    )
    plain = await api.listing(USCC, since=date(2025, 8, 1))
    adm = await admin(api)
    app = (await api.data(APPLY, _i(rid), api.subject_token(USCC)))["applyRepair"]
    await api.data(DECIDE, {"id": app["id"], "a": True, "n": "准予修复"}, adm.token)
    async with api.hub.sessionmaker() as s:
        status = dict(
            (await s.execute(select(ListMembership.id, ListMembership.status))).all()
        )
    assert status == {on_it: "ENDED", other: "ACTIVE", plain: "ACTIVE"}


async def test_court_dishonest_listings_are_not_repaired_but_performed(
    sqlite_rapi: Api,
) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(
        api,
        "DIS-1",
        category="JUDICIAL",
        kind="DISHONEST_JUDGMENT_DEBTOR",
        decided=date(2024, 6, 1),
    )
    body = await api.gql(APPLY, _i(rid), api.subject_token(USCC))
    err = body["errors"][0]
    assert err["extensions"] == {"code": "CONFLICT", "route": "PERFORMANCE"}
    assert "履行" in err["message"] and "第十条" in err["message"]
    assert await count(api, RepairApplication) == 0


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("RECTIFICATION", "rectification"),
        ("Report", "report"),
        ("信用核查", "verification"),
        ("verification", "verification"),
        ("公益慈善", "charity"),
        ("参加公益慈善活动", "charity"),
        (" CHARITY ", "charity"),
        ("接受专题培训", "training"),
        ("作出信用承诺", "commitment"),
    ],
)
async def test_methods_the_policy_lists_in_any_case(
    sqlite_rapi: Api, method: str, code: str
) -> None:
    # 国办发〔2019〕35号 §十三: 信用承诺、信用整改、信用核查、专题培训、
    # 信用报告、公益慈善
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1", decided=date(2025, 11, 22))
    app = (await api.data(APPLY, _i(rid, method), api.subject_token(USCC)))[
        "applyRepair"
    ]
    assert app["method"] == code


async def test_refusals(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    young = await negative(api, "P-1", decided=date(2025, 11, 23))
    positive = await api.record(USCC, "T-1")
    theirs = await negative(api, "P-2", uscc=OTHER, decided=date(2020, 1, 1))
    bank = await api.client(PrincipalKind.BANK)
    adm = await admin(api)
    me = api.subject_token(USCC)

    assert await api.error_code(APPLY, _i(young, "apology"), me) == "VALIDATION_ERROR"
    assert await api.error_code(APPLY, _i(positive), me) == "VALIDATION_ERROR"
    assert await api.error_code(APPLY, _i(theirs), me) == "NOT_FOUND"
    assert await api.error_code(APPLY, _i(young), bank.token) == "FORBIDDEN"
    assert await api.error_code(APPLY, _i(young), adm.token) == "FORBIDDEN"
    assert await api.error_code(REPAIRS, {}, bank.token) == "FORBIDDEN"
    # SERIOUS decided 2025-11-23: the 1-year period ends 2026-11-23 (today)
    body = await api.gql(APPLY, _i(young), me)
    err = body["errors"][0]
    assert err["extensions"] == {"code": "CONFLICT", "possibleFrom": "2026-11-24"}
    assert "from 2026-11-24" in err["message"]
    assert await count(api, RepairApplication) == 0

    # rejected, the subject may apply again once eligible
    api.clock.advance(days=1)
    me = api.subject_token(USCC)
    adm.token = api.client_token(adm)
    first = (await api.data(APPLY, _i(young), me))["applyRepair"]
    rej = (
        await api.data(
            DECIDE, {"id": first["id"], "a": False, "n": "整改材料不全"}, adm.token
        )
    )["decideRepair"]
    assert rej["status"] == "REJECTED" and rej["record"]["status"] == "ACTIVE"
    again = (await api.data(APPLY, _i(young, "report"), me))["applyRepair"]
    assert again["status"] == "PENDING"
    q = (await api.data(REPAIRS, {"s": "PENDING"}, adm.token))["repairs"]
    assert [e["node"]["id"] for e in q["edges"]] == [again["id"]]


async def test_eligibility_counts_in_china_time(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    # ORDINARY decided 2026-08-22: 3 months end 2026-11-22, possible from 11-23
    rid = await negative(api, "P-1", severity="ORDINARY", decided=date(2026, 8, 22))
    minor = await negative(api, "P-2", severity="MINOR", decided=date(2026, 11, 22))

    # 2026-11-22 23:59 in China (15:59 UTC): still the 22nd there
    api.clock.at = datetime(2026, 11, 22, 15, 59, tzinfo=UTC)
    body = await api.gql(APPLY, _i(rid), api.subject_token(USCC))
    assert body["errors"][0]["extensions"]["possibleFrom"] == "2026-11-23"

    # one minute later it is 2026-11-23 in China, though still the 22nd in UTC
    api.clock.advance(minutes=1)
    ok = await api.data(APPLY, _i(rid), api.subject_token(USCC))
    assert ok["applyRepair"]["status"] == "PENDING"
    # MINOR: at once
    ok = await api.data(APPLY, _i(minor, "commitment"), api.subject_token(USCC))
    assert ok["applyRepair"]["method"] == "commitment"

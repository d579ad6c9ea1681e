"""Agencies see and verify commitments only with the subject's APPROVAL consent."""

from __future__ import annotations

from hub.enums import PrincipalKind
from tests.api import Api
from tests.rights.helpers import OTHER, USCC, admin, audit_actions
from tests.rights.test_commitments import FULFIL, LIST, MAKE

PAGE = """query($a: String) { commitments(first: 1, after: $a) { totalCount
  edges { node { id uscc } } pageInfo { hasNextPage endCursor } } }"""
LOG = """query($u: USCC!) { accessLog(uscc: $u) { edges { node {
  actorId action outcome purpose categories } } } }"""


async def _make(api: Api, uscc: str, due: str) -> str:
    made = await api.data(
        MAKE,
        {"k": "TOLERANT_ACCEPTANCE", "c": "30日内补齐消防验收材料", "d": due},
        api.subject_token(uscc),
    )
    return str(made["makeCommitment"]["id"])


async def test_agency_needs_an_approval_consent(rapi: Api) -> None:
    # given commitments of two enterprises and an agency neither consented to
    api = rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    agency = await api.client(PrincipalKind.AGENCY, "郑州市市场监督管理局")
    adm = await admin(api)
    theirs = await _make(api, OTHER, "2026-12-01")
    mine = await _make(api, USCC, "2026-12-23")

    # then it sees none and verifies none
    listed = (await api.data(LIST, None, agency.token))["commitments"]
    assert listed == {"totalCount": 0, "edges": []}
    assert await api.error_code(FULFIL, {"id": mine}, agency.token) == (
        "CONSENT_REQUIRED"
    )
    assert [(a, o) for a, o, _ in await audit_actions(api) if "fulfil" in a] == [
        ("commitment.fulfil", "DENIED:CONSENT_REQUIRED")
    ]

    # when one enterprise consents to APPROVAL without COMMITMENT, the other with
    await api.grant(OTHER, agency, "APPROVAL", ["BASIC"])
    await api.grant(USCC, agency, "APPROVAL", ["BASIC", "COMMITMENT"])

    # then only the covered commitment is listed, and counted
    listed = (await api.data(LIST, None, agency.token))["commitments"]
    assert [e["node"] for e in listed["edges"]] == [
        {"id": mine, "uscc": USCC, "status": "PENDING"}
    ]
    assert listed["totalCount"] == 1
    first = (await api.data(PAGE, {"a": None}, agency.token))["commitments"]
    assert [e["node"]["id"] for e in first["edges"]] == [mine]
    assert first["pageInfo"]["hasNextPage"] is False
    assert await api.error_code(FULFIL, {"id": theirs}, agency.token) == (
        "CONSENT_REQUIRED"
    )
    done = (await api.data(FULFIL, {"id": mine}, agency.token))["fulfilCommitment"]
    assert done["status"] == "FULFILLED"

    # the admin's work queue still holds everything
    assert (await api.data(LIST, None, adm.token))["commitments"]["totalCount"] == 2

    # and the enterprise's access log shows what the agency did, and why
    log = (await api.data(LOG, {"u": USCC}, api.subject_token(USCC)))["accessLog"]
    agency_events = [
        (n["action"], n["outcome"], n["purpose"], n["categories"])
        for n in (e["node"] for e in log["edges"])
        if n["actorId"] == agency.id
    ]
    assert agency_events == [  # newest first
        ("commitment.fulfil", "FULFILLED", None, ["COMMITMENT"]),
        ("commitment.fulfil", "GRANTED", "APPROVAL", ["COMMITMENT"]),
        ("commitment.read", "GRANTED", "APPROVAL", ["COMMITMENT"]),
        ("commitment.read", "GRANTED", "APPROVAL", ["COMMITMENT"]),
        ("commitment.fulfil", "DENIED:CONSENT_REQUIRED", "APPROVAL", ["COMMITMENT"]),
    ]
    other = [
        (a, o) for a, o, who in await audit_actions(api, OTHER) if who == agency.id
    ]
    # (its consent does not cover COMMITMENT: never a listing candidate)
    assert other == [("commitment.fulfil", "DENIED:CONSENT_REQUIRED")]


async def test_agency_token_needs_profile_read_scope(sqlite_rapi: Api) -> None:
    from hub.auth.tokens import issue_access_token

    api = sqlite_rapi
    await api.entity(USCC)
    agency = await api.client(PrincipalKind.AGENCY, "郑州市市场监督管理局")
    await api.grant(USCC, agency, "APPROVAL", ["BASIC", "COMMITMENT"])
    mine = await _make(api, USCC, "2026-12-23")
    narrow, _ = issue_access_token(
        api.hub.keys,
        api.hub.settings,
        api.hub.clock,
        sub=agency.id,
        kind=PrincipalKind.AGENCY,
        scope="outcome",
    )
    assert await api.error_code(LIST, None, narrow) == "FORBIDDEN"
    assert await api.error_code(FULFIL, {"id": mine}, narrow) == "FORBIDDEN"

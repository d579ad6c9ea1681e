"""Credit commitments: made by the subject, verified by an agency, scored."""

from __future__ import annotations

from hub.enums import PrincipalKind
from tests.api import Api
from tests.rights.helpers import OTHER, USCC, admin, audit_actions, score

MAKE = """mutation($k: CommitmentKind!, $c: String!, $d: Date!) {
  makeCommitment(kind: $k, content: $c, dueOn: $d) {
    id uscc kind content madeOn dueOn status fulfilledOn } }"""
FULFIL = """mutation($id: ID!) {
  fulfilCommitment(id: $id) { id status fulfilledOn } }"""
LIST = """{ commitments { totalCount edges { node { id uscc status } } } }"""
OWN = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  records(categories: [COMMITMENT]) { edges { node {
    kind severity status source details } } } } }"""


async def test_make_and_fulfil(rapi: Api) -> None:
    api = rapi
    await api.entity(USCC)
    agency = await api.client(PrincipalKind.AGENCY, "郑州市市场监督管理局")
    bank = await api.client(PrincipalKind.BANK)
    me = api.subject_token(USCC)
    before = await score(api)

    made = await api.data(
        MAKE,
        {"k": "TOLERANT_ACCEPTANCE", "c": "30日内补齐消防验收材料", "d": "2026-12-23"},
        me,
    )
    c = made["makeCommitment"]
    assert {
        k: c[k] for k in ("uscc", "kind", "madeOn", "dueOn", "status", "fulfilledOn")
    } == {
        "uscc": USCC,
        "kind": "TOLERANT_ACCEPTANCE",
        "madeOn": "2026-11-23",
        "dueOn": "2026-12-23",
        "status": "PENDING",
        "fulfilledOn": None,
    }
    rec = (await api.data(OWN, {"u": USCC}, me))["creditProfile"]["records"]["edges"]
    assert [e["node"]["details"]["status"] for e in rec] == ["PENDING"]
    assert await score(api) == before  # a pending commitment scores nothing

    # only an agency (with the subject's consent) or admin verifies fulfilment
    await api.grant(USCC, agency, "APPROVAL", ["BASIC", "COMMITMENT"])
    assert await api.error_code(FULFIL, {"id": c["id"]}, me) == "FORBIDDEN"
    assert await api.error_code(FULFIL, {"id": c["id"]}, bank.token) == "FORBIDDEN"
    done = (await api.data(FULFIL, {"id": c["id"]}, agency.token))["fulfilCommitment"]
    assert done == {"id": c["id"], "status": "FULFILLED", "fulfilledOn": "2026-11-23"}

    rec = (await api.data(OWN, {"u": USCC}, me))["creditProfile"]["records"]["edges"]
    node = rec[0]["node"]
    assert (node["kind"], node["severity"], node["status"], node["source"]) == (
        "CREDIT_COMMITMENT",
        "NONE",
        "ACTIVE",
        "credit-commitment",
    )
    assert node["details"]["status"] == "FULFILLED"
    assert await score(api) == before + 10  # COMMITMENT_FULFILLED, +10 each

    body = await api.gql(FULFIL, {"id": c["id"]}, agency.token)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert f"commitment {c['id']} is FULFILLED" in body["errors"][0]["message"]
    acts = [(a, o) for a, o, _ in await audit_actions(api) if a.startswith("comm")]
    assert acts == [
        ("commitment.make", "PENDING"),
        ("commitment.fulfil", "GRANTED"),  # the door
        ("commitment.fulfil", "FULFILLED"),
    ]


async def test_validation_and_listing(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    agency = await api.client(PrincipalKind.AGENCY)
    adm = await admin(api)
    me = api.subject_token(USCC)
    base = {"k": "VOLUNTARY_DISCLOSURE", "c": "主动公示年度报告"}
    assert (
        await api.error_code(MAKE, {**base, "d": "2026-11-22"}, me)
        == "VALIDATION_ERROR"
    )
    assert (
        await api.error_code(MAKE, {**base, "d": "2040-01-01"}, me)
        == "VALIDATION_ERROR"
    )
    assert (
        await api.error_code(MAKE, {**base, "c": " ", "d": "2026-12-01"}, me)
        == "VALIDATION_ERROR"
    )
    assert (
        await api.error_code(
            MAKE.replace("$k: CommitmentKind!, ", "").replace(
                "kind: $k", "kind: PROMISE"
            ),
            {"c": "x", "d": "2026-12-01"},
            me,
        )
        == "VALIDATION_ERROR"
    )
    assert (
        await api.error_code(MAKE, {**base, "d": "2026-12-01"}, adm.token)
        == "FORBIDDEN"
    )
    assert await api.error_code(FULFIL, {"id": "nope"}, adm.token) == "NOT_FOUND"

    mine = (await api.data(MAKE, {**base, "d": "2026-12-01"}, me))["makeCommitment"]
    await api.data(MAKE, {**base, "d": "2026-12-02"}, api.subject_token(OTHER))
    own = (await api.data(LIST, None, me))["commitments"]
    assert [e["node"]["id"] for e in own["edges"]] == [mine["id"]]
    assert (await api.data(LIST, None, adm.token))["commitments"]["totalCount"] == 2
    # an agency without consents sees none of them
    assert (await api.data(LIST, None, agency.token))["commitments"] == {
        "totalCount": 0,
        "edges": [],
    }

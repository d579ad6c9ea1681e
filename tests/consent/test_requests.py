"""Consent requests: PENDING → APPROVED / REJECTED / WITHDRAWN / EXPIRED.

Only the enterprise asked answers; only the requester withdraws; a request
no longer PENDING cannot be answered or withdrawn (CONFLICT); an unanswered
request expires exactly 7 days after it was made.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import OutboxEvent
from hub.rights.maintenance import maintain
from tests.api import Api
from tests.consent.helpers import (
    APPROVE,
    OTHER,
    PROFILE,
    REJECT,
    REQUEST,
    USCC,
    WITHDRAW,
    ask,
    claims,
    request_input,
)

LIST = """query($s: ConsentRequestStatus) { consentRequests(status: $s) {
  totalCount edges { node { id status rejectionReason } } } }"""


async def _outbox(api: Api) -> list[tuple[str, str | None, list[str]]]:
    async with api.hub.sessionmaker() as s:
        rows = await s.scalars(select(OutboxEvent).order_by(OutboxEvent.n))
        return [(r.type, r.reference, [r.client_id]) for r in rows]


async def _listed(api: Api, token: str, status: str | None = None) -> list[str]:
    data = await api.data(LIST, {"s": status}, token)
    return [e["node"]["status"] for e in data["consentRequests"]["edges"]]


async def test_requested_then_approved_narrower(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    me = api.subject_token(USCC)
    # given a bank's request
    r = await ask(api, bank)
    made = datetime.fromisoformat(r["createdAt"])
    assert r["status"] == "PENDING" and r["consent"] is None
    assert datetime.fromisoformat(r["expiresAt"]) - made == timedelta(days=7)
    assert r["requester"] == {"id": bank.id, "kind": "BANK"}
    # the enterprise sees it in its inbox
    assert await _listed(api, me) == ["PENDING"]
    # when it approves fewer categories, a shorter time and fewer reads
    c = (
        await api.data(
            APPROVE,
            {
                "i": {
                    "id": r["id"],
                    "categories": ["BASIC", "TAX"],
                    "durationDays": 30,
                    "maxReads": 3,
                }
            },
            me,
        )
    )["approveConsentRequest"]
    # then the consent holds the narrower terms and names the request
    assert (c["status"], c["categories"], c["maxReads"], c["dataLifeDays"]) == (
        "ACTIVE",
        ["BASIC", "TAX"],
        3,
        365,
    )
    assert datetime.fromisoformat(c["expiresAt"]) - made == timedelta(days=30)
    assert c["grantee"] == {"id": bank.id}
    assert c["request"] == {
        "id": r["id"],
        "reference": "LOAN-2026-0001",
        "status": "APPROVED",
    }
    # with one grant receipt that verifies against the JWKS
    assert c["receipts"] == [c["receipt"]]
    got = await claims(api, c["receipt"])
    assert (got["event"], got["jti"], got["consent"], got["request"]) == (
        "grant",
        c["id"],
        c["id"],
        r["id"],
    )
    assert (got["maxReads"], got["dataLifeDays"], got["categories"]) == (
        3,
        365,
        ["BASIC", "TAX"],
    )
    # and the bank reads under it
    bank_sees = await api.data(LIST, {"s": "APPROVED"}, bank.token)
    assert bank_sees["consentRequests"]["totalCount"] == 1
    read = await api.data(PROFILE, {"u": USCC}, bank.token)
    assert read["creditProfile"]["consent"] == {"id": c["id"]}
    # and each step left an outbox event for the requester
    assert await _outbox(api) == [
        ("CONSENT_REQUESTED", "LOAN-2026-0001", [bank.id]),
        ("CONSENT_GRANTED", "LOAN-2026-0001", [bank.id]),
        ("CONSENT_REQUEST_DECIDED", "LOAN-2026-0001", [bank.id]),
    ]


async def test_rejected_with_a_reason_the_requester_sees(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    me = api.subject_token(USCC)
    r = await ask(api, bank)
    body = await api.data(REJECT, {"id": r["id"], "r": "已在他行获批"}, me)
    assert body["rejectConsentRequest"]["status"] == "REJECTED"
    mine = await api.data(LIST, {"s": "REJECTED"}, bank.token)
    node = mine["consentRequests"]["edges"][0]["node"]
    assert (node["status"], node["rejectionReason"]) == ("REJECTED", "已在他行获批")
    # no longer PENDING: no second answer, no withdrawal
    assert await api.error_code(APPROVE, {"i": {"id": r["id"]}}, me) == "CONFLICT"
    assert await api.error_code(REJECT, {"id": r["id"], "r": "x"}, me) == "CONFLICT"
    assert await api.error_code(WITHDRAW, {"id": r["id"]}, bank.token) == "CONFLICT"
    assert await api.error_code(PROFILE, {"u": USCC}, bank.token) == (
        "CONSENT_REQUIRED"
    )


async def test_only_the_requester_withdraws(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    rival = await api.client(PrincipalKind.BANK)
    r = await ask(api, bank)
    # the enterprise may not withdraw it (it rejects instead), nor another bank
    me = api.subject_token(USCC)
    assert await api.error_code(WITHDRAW, {"id": r["id"]}, me) == "FORBIDDEN"
    assert await api.error_code(WITHDRAW, {"id": r["id"]}, rival.token) == "NOT_FOUND"
    assert await _listed(api, me) == ["PENDING"]
    # the requester may
    body = await api.data(WITHDRAW, {"id": r["id"]}, bank.token)
    assert body["withdrawConsentRequest"]["status"] == "WITHDRAWN"
    assert await api.error_code(APPROVE, {"i": {"id": r["id"]}}, me) == "CONFLICT"
    assert await api.error_code(WITHDRAW, {"id": r["id"]}, bank.token) == "CONFLICT"


async def test_only_the_subject_answers(api: Api) -> None:
    await api.entity(USCC)
    await api.entity(OTHER)
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    r = await ask(api, bank)
    approve, reject = {"i": {"id": r["id"]}}, {"id": r["id"], "r": "no"}
    for token in (bank.token, admin.token):
        assert await api.error_code(APPROVE, approve, token) == "FORBIDDEN"
        assert await api.error_code(REJECT, reject, token) == "FORBIDDEN"
    stranger = api.subject_token(OTHER)
    assert await api.error_code(APPROVE, approve, stranger) == "NOT_FOUND"
    assert await api.error_code(REJECT, reject, stranger) == "NOT_FOUND"
    # nothing changed, nothing granted
    assert await _listed(api, api.subject_token(USCC)) == ["PENDING"]
    assert await _listed(api, stranger) == []
    assert await api.error_code(PROFILE, {"u": USCC}, bank.token) == (
        "CONSENT_REQUIRED"
    )


async def test_listing_is_scoped_to_who_asks(api: Api) -> None:
    await api.entity(USCC)
    await api.entity(OTHER)
    bank = await api.client(PrincipalKind.BANK)
    rival = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    await ask(api, bank)
    await ask(api, rival, subject=OTHER)
    assert await _listed(api, bank.token) == ["PENDING"]
    assert await _listed(api, rival.token) == ["PENDING"]
    assert await _listed(api, api.subject_token(USCC)) == ["PENDING"]
    assert await _listed(api, admin.token) == ["PENDING", "PENDING"]
    assert await _listed(api, bank.token, "APPROVED") == []


async def test_unanswered_request_expires_exactly_after_seven_days(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    early = await ask(api, bank, reference="A")
    late = await ask(api, bank, reference="B")
    # one second before the seventh day ends, it can still be answered
    api.clock.advance(days=7, seconds=-1)
    me = api.subject_token(USCC)
    ok = await api.data(APPROVE, {"i": {"id": early["id"]}}, me)
    assert ok["approveConsentRequest"]["status"] == "ACTIVE"
    # at exactly seven days it is EXPIRED, listed so, and cannot be answered
    api.clock.advance(seconds=1)
    me = api.subject_token(USCC)
    assert await _listed(api, me, "EXPIRED") == ["EXPIRED"]
    assert await _listed(api, me, "PENDING") == []
    assert await api.error_code(APPROVE, {"i": {"id": late["id"]}}, me) == "CONFLICT"
    token = api.client_token(bank)
    assert await api.error_code(WITHDRAW, {"id": late["id"]}, token) == "CONFLICT"
    # maintenance writes the expiry down once, for the requester to hear of
    report = await maintain(api.hub)
    assert report.consent_requests_expired == 1
    assert (await maintain(api.hub)).consent_requests_expired == 0
    decided = [e for e in await _outbox(api) if e[0] == "CONSENT_REQUEST_DECIDED"]
    assert decided == [
        ("CONSENT_REQUEST_DECIDED", "A", [bank.id]),
        ("CONSENT_REQUEST_DECIDED", "B", [bank.id]),
    ]
    assert await _listed(api, me, "EXPIRED") == ["EXPIRED"]


async def test_approval_never_widens(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    me = api.subject_token(USCC)
    r = await ask(api, bank, categories=["BASIC", "TAX"], durationDays=30, maxReads=5)
    for wider in (
        {"categories": ["BASIC", "TAX", "PENALTY"]},
        {"durationDays": 31},
        {"maxReads": 6},
        {"categories": []},
    ):
        body = await api.gql(APPROVE, {"i": {"id": r["id"], **wider}}, me)
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR", wider
    assert await _listed(api, me) == ["PENDING"]
    # exactly what was asked is fine
    same = {"categories": ["TAX", "BASIC"], "durationDays": 30, "maxReads": 5}
    c = (await api.data(APPROVE, {"i": {"id": r["id"], **same}}, me))[
        "approveConsentRequest"
    ]
    assert (c["categories"], c["maxReads"]) == (["BASIC", "TAX"], 5)


async def test_request_validation(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    merchant = await api.client(PrincipalKind.MERCHANT)

    async def code(token: str, **over: object) -> str:
        body = await api.gql(REQUEST, {"i": request_input(**over)}, token)
        assert body.get("errors"), over
        return str(body["errors"][0]["extensions"]["code"])

    # a scenario must be registered, of the purpose, and declare the categories
    assert await code(bank.token, scenario="rent-waiver") == "VALIDATION_ERROR"
    assert await code(bank.token, scenario="deposit-waiver") == "VALIDATION_ERROR"
    assert (
        await code(bank.token, categories=["BASIC", "UTILITIES"]) == "VALIDATION_ERROR"
    )
    # without a scenario, the purpose's categories bound it
    ok = await api.data(
        REQUEST,
        {"i": request_input(scenario=None, categories=["BASIC", "UTILITIES"])},
        bank.token,
    )
    assert ok["requestConsent"]["scenario"] is None
    # the access policy decides who may ask for which purpose
    assert await code(merchant.token) == "FORBIDDEN"
    assert await code(api.subject_token(USCC)) == "FORBIDDEN"
    assert await code(bank.token, reason="  ") == "VALIDATION_ERROR"
    assert await code(bank.token, reference="R" * 65) == "VALIDATION_ERROR"
    assert await code(bank.token, subject="91410100QQ0NE8PR3E") == "NOT_FOUND"
    assert await code(bank.token, categories=[]) == "VALIDATION_ERROR"


async def test_idempotency_key_replays_the_request(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    v = {"i": request_input(), "k": "req-1"}
    a = (await api.data(REQUEST, v, bank.token))["requestConsent"]["id"]
    b = (await api.data(REQUEST, v, bank.token))["requestConsent"]["id"]
    assert a == b
    assert await _listed(api, bank.token) == ["PENDING"]
    other = {"i": request_input(maxReads=9), "k": "req-1"}
    assert await api.error_code(REQUEST, other, bank.token) == "CONFLICT"


async def test_answers_replay_under_an_idempotency_key(api: Api) -> None:
    await api.entity(USCC)
    await api.entity(OTHER)
    bank = await api.client(PrincipalKind.BANK)
    yes = await ask(api, bank)
    no = await ask(api, bank, subject=OTHER)
    gone = await ask(api, bank, reference="X")
    approve = (
        "mutation($i: ApproveConsentRequestInput!, $k: String) "
        "{ approveConsentRequest(input: $i, idempotencyKey: $k) { id } }"
    )
    reject = (
        "mutation($id: ID!, $k: String) { rejectConsentRequest(id: $id, "
        'reason: "不需要", idempotencyKey: $k) { id status } }'
    )
    withdraw = (
        "mutation($id: ID!, $k: String) { withdrawConsentRequest(id: $id, "
        "idempotencyKey: $k) { id status } }"
    )
    me, other = api.subject_token(USCC), api.subject_token(OTHER)
    # a retried answer gets the first answer back, not CONFLICT
    v = {"i": {"id": yes["id"]}, "k": "a-1"}
    first = (await api.data(approve, v, me))["approveConsentRequest"]["id"]
    again = (await api.data(approve, v, me))["approveConsentRequest"]["id"]
    assert first == again
    for doc, variables, token, field in (
        (reject, {"id": no["id"], "k": "r-1"}, other, "rejectConsentRequest"),
        (
            withdraw,
            {"id": gone["id"], "k": "w-1"},
            bank.token,
            "withdrawConsentRequest",
        ),
    ):
        a = (await api.data(doc, variables, token))[field]
        assert (await api.data(doc, variables, token))[field] == a
    # without the key the second answer is a conflict
    assert await api.error_code(approve, {"i": {"id": yes["id"]}}, me) == "CONFLICT"
    assert (await api.data("{ consents { totalCount } }", token=me))["consents"][
        "totalCount"
    ] == 1

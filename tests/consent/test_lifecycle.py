"""ACTIVE ⇄ PAUSED, amend, supersede, revoke, expire, client suspension —
each with its signed receipt and its outbox event."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import OutboxEvent
from hub.rights.maintenance import maintain
from tests.api import Api
from tests.consent.helpers import CONSENT_FIELDS, PROFILE, USCC, claims, consent

PAUSE = "mutation($id: ID!) { pauseConsent(id: $id) { %s } }" % CONSENT_FIELDS
RESUME = "mutation($id: ID!) { resumeConsent(id: $id) { %s } }" % CONSENT_FIELDS
REVOKE = "mutation($id: ID!) { revokeConsent(id: $id) { %s } }" % CONSENT_FIELDS
AMEND = (
    """mutation($id: ID!, $c: [DataCategory!], $e: DateTime) {
  amendConsent(id: $id, categories: $c, expiresAt: $e) { %s } }"""
    % CONSENT_FIELDS
)
ELIGIBILITY = """query($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u)
  { outcome } }"""
SCENARIO = ["BASIC", "EVALUATION", "JUDICIAL", "PENALTY", "TAX"]


async def _events(api: Api, receipts: list[str]) -> list[str]:
    return [(await claims(api, r))["event"] for r in receipts]


async def _outbox(api: Api) -> list[str]:
    async with api.hub.sessionmaker() as s:
        return list(await s.scalars(select(OutboxEvent.type).order_by(OutboxEvent.n)))


async def test_pause_and_resume(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await api.grant(USCC, bank, "LENDING", SCENARIO)
    me = api.subject_token(USCC)
    await api.data(PROFILE, {"u": USCC}, bank.token)
    # when the enterprise pauses it
    paused = (await api.data(PAUSE, {"id": cid}, me))["pauseConsent"]
    assert (paused["status"], paused["pausedAt"]) == (
        "PAUSED",
        api.clock.now().isoformat(),
    )
    # then reads and decisions under it are refused, saying why
    for query in (PROFILE, ELIGIBILITY):
        body = await api.gql(query, {"u": USCC}, bank.token)
        ext = body["errors"][0]["extensions"]
        assert (ext["code"], ext["reason"], ext["consentId"]) == (
            "CONSENT_REQUIRED",
            "PAUSED",
            cid,
        )
    # pausing again changes nothing; the grantee may not resume it
    again = (await api.data(PAUSE, {"id": cid}, me))["pauseConsent"]
    assert again["receipts"] == paused["receipts"]
    assert await api.error_code(RESUME, {"id": cid}, bank.token) == "FORBIDDEN"
    # when it resumes, reads work again
    resumed = (await api.data(RESUME, {"id": cid}, me))["resumeConsent"]
    assert (resumed["status"], resumed["pausedAt"]) == ("ACTIVE", None)
    await api.data(PROFILE, {"u": USCC}, bank.token)
    assert await _events(api, resumed["receipts"]) == ["grant", "pause", "resume"]
    assert resumed["receipt"] == resumed["receipts"][-1]
    assert await _outbox(api) == [
        "CONSENT_GRANTED",
        "CONSENT_PAUSED",
        "CONSENT_RESUMED",
    ]
    # refused reads were not counted
    assert (await consent(api, cid))["readsUsed"] == 2


async def test_amend_narrows_only(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    cid = await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"], days=90)
    me = api.subject_token(USCC)
    later = (api.clock.now() + timedelta(days=91)).isoformat()
    for bad in (
        {"c": ["BASIC", "TAX", "PENALTY"]},
        {"e": later},
        {"e": api.clock.now().isoformat()},
        {"c": []},
        {},
    ):
        body = await api.gql(AMEND, {"id": cid, **bad}, me)
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR", bad
    sooner = api.clock.now() + timedelta(days=30)
    c = (
        await api.data(AMEND, {"id": cid, "c": ["BASIC"], "e": sooner.isoformat()}, me)
    )["amendConsent"]
    assert (c["categories"], datetime.fromisoformat(c["expiresAt"])) == (
        ["BASIC"],
        sooner,
    )
    got = await claims(api, c["receipt"])
    assert (got["event"], got["categories"], got["exp"]) == (
        "amend",
        ["BASIC"],
        int(sooner.timestamp()),
    )
    # the next read sees only what is left
    read = await api.data(PROFILE, {"u": USCC}, bank.token)
    assert read["creditProfile"]["records"]["totalCount"] == 0
    assert await _events(api, c["receipts"]) == ["grant", "amend"]


async def test_new_grant_supersedes_the_live_one(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    me = api.subject_token(USCC)
    first = await api.grant(USCC, bank, "LENDING", ["BASIC"])
    await api.data(PAUSE, {"id": first}, me)
    other_purpose = await api.grant(USCC, bank, "MONITORING", ["BASIC"])
    second = await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    old = await consent(api, first)
    assert (old["status"], old["endReason"], old["revokedAt"]) == (
        "REVOKED",
        "SUPERSEDED",
        api.clock.now().isoformat(),
    )
    assert await _events(api, old["receipts"]) == ["grant", "pause", "revoke"]
    assert (await consent(api, other_purpose))["status"] == "ACTIVE"
    listed = await api.data(
        "{ consents(status: ACTIVE) { edges { node { id } } } }", token=me
    )
    assert {e["node"]["id"] for e in listed["consents"]["edges"]} == {
        second,
        other_purpose,
    }
    # revoking the new one leaves nothing behind it in force
    revoked = (await api.data(REVOKE, {"id": second}, me))["revokeConsent"]
    assert (revoked["status"], revoked["endReason"]) == (
        "REVOKED",
        "REVOKED_BY_SUBJECT",
    )
    assert await _events(api, revoked["receipts"]) == ["grant", "revoke"]
    assert await api.error_code(PROFILE, {"u": USCC}, bank.token) == (
        "CONSENT_REQUIRED"
    )
    # an ended consent can no longer change
    for doc in (PAUSE, RESUME):
        assert await api.error_code(doc, {"id": second}, me) == "CONFLICT"
    assert await api.error_code(AMEND, {"id": first, "c": ["BASIC"]}, me) == "CONFLICT"


async def test_admin_revocation_is_named(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    cid = await api.grant(USCC, bank, "LENDING", ["BASIC"])
    c = (await api.data(REVOKE, {"id": cid}, admin.token))["revokeConsent"]
    assert c["endReason"] == "REVOKED_BY_ADMIN"
    assert await api.error_code(REVOKE, {"id": cid}, bank.token) == "FORBIDDEN"


async def test_expiry_is_recorded_with_a_receipt_and_reminded_before(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await api.grant(USCC, bank, "LENDING", ["BASIC"], days=20)
    # 15 days ahead: no reminder yet
    assert (await maintain(api.hub)).consent_reminders == 0
    # 14 days ahead: one reminder, once
    api.clock.advance(days=6)
    assert (await maintain(api.hub)).consent_reminders == 1
    assert (await maintain(api.hub)).consent_reminders == 0
    # at expiry the consent is EXPIRED at once; the sweep records its end
    api.clock.advance(days=14)
    assert (await consent(api, cid))["status"] == "EXPIRED"
    report = await maintain(api.hub)
    assert (report.consents_expired, report.consent_reminders) == (1, 0)
    assert (await maintain(api.hub)).consents_expired == 0
    c = await consent(api, cid)
    assert (c["status"], c["endReason"], c["revokedAt"]) == ("EXPIRED", "EXPIRED", None)
    assert await _events(api, c["receipts"]) == ["grant", "expire"]
    assert await _outbox(api) == [
        "CONSENT_GRANTED",
        "CONSENT_EXPIRING",
        "CONSENT_EXPIRED",
    ]
    # a new grant after it is unaffected by it
    fresh = await api.grant(USCC, bank, "LENDING", ["BASIC"])
    assert (await consent(api, fresh))["status"] == "ACTIVE"


async def test_expired_but_unswept_consent_ends_as_expired_on_a_new_grant(
    api: Api,
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    old = await api.grant(USCC, bank, "LENDING", ["BASIC"], days=1)
    api.clock.advance(days=2)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    c = await consent(api, old)
    assert (c["status"], c["endReason"]) == ("EXPIRED", "EXPIRED")
    assert await _events(api, c["receipts"]) == ["grant", "expire"]


async def test_suspending_a_client_ends_its_consents_only_when_asked(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    other = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    kept = await api.grant(USCC, bank, "LENDING", ["BASIC"])
    ended = await api.grant(USCC, other, "LENDING", ["BASIC"])
    suspend = """mutation($id: ID!, $e: Boolean) {
      suspendClient(id: $id, endConsents: $e) { active } }"""
    await api.data(suspend, {"id": bank.id}, admin.token)
    await api.data(suspend, {"id": other.id, "e": True}, admin.token)
    assert (await consent(api, kept))["status"] == "ACTIVE"
    c = await consent(api, ended)
    assert (c["status"], c["endReason"]) == ("REVOKED", "CLIENT_SUSPENDED")
    assert await _events(api, c["receipts"]) == ["grant", "revoke"]

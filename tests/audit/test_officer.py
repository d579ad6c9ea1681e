"""Officer attribution: X-Hub-Officer on every audit event of the request,
shown to the subject, covered by the hash chain."""

from __future__ import annotations

from sqlalchemy import update

from hub.audit.chain import seal_pending
from hub.audit.verify import verify_chain
from hub.enums import PrincipalKind
from hub.models import AuditEvent
from tests.api import Api
from tests.consent.helpers import PROFILE, REQUEST, USCC, request_input

LOG = """query($u: USCC!) { accessLog(uscc: $u) { edges { node { action outcome
  officer } } } }"""
OFFICER = {"x-hub-officer": "loan-officer-042"}


async def test_officer_on_reads_refusals_and_changes(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    # a refused read, a request for consent, then (granted) a read — each by
    # the same officer of the bank
    body = await api.gql(PROFILE, {"u": USCC}, bank.token, **OFFICER)
    assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    body = await api.gql(REQUEST, {"i": request_input()}, bank.token, **OFFICER)
    assert not body.get("errors"), body
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    body = await api.gql(PROFILE, {"u": USCC}, bank.token, **OFFICER)
    assert not body.get("errors"), body
    await api.data(PROFILE, {"u": USCC}, bank.token)  # no header
    log = await api.data(LOG, {"u": USCC}, api.subject_token(USCC))
    seen = [
        (n["node"]["action"], n["node"]["officer"]) for n in log["accessLog"]["edges"]
    ]
    assert seen == [
        ("profile.read", None),
        ("profile.read", "loan-officer-042"),
        ("consent.grant", None),
        ("consent.request", "loan-officer-042"),
        ("profile.denied", "loan-officer-042"),
    ]


async def test_officer_is_part_of_the_chained_hash(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    await api.gql(PROFILE, {"u": USCC}, bank.token, **OFFICER)
    await seal_pending(api.hub.sessionmaker)
    async with api.hub.sessionmaker() as s:
        assert (await verify_chain(s)).ok
    async with api.hub.sessionmaker() as s:
        await s.execute(
            update(AuditEvent)
            .where(AuditEvent.officer.is_not(None))
            .values(officer="someone-else")
        )
        await s.commit()
    async with api.hub.sessionmaker() as s:
        report = await verify_chain(s)
    assert (report.ok, report.reason) == (False, "content does not match hash")


async def test_a_bad_officer_header_is_refused_before_anything_happens(
    api: Api,
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    for bad in ("x" * 65, " ", "a\tb"):
        body = await api.gql(PROFILE, {"u": USCC}, bank.token, **{"x-hub-officer": bad})
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR", bad
    body = await api.gql(
        PROFILE, {"u": USCC}, bank.token, **{"x-hub-officer": "x" * 64}
    )
    assert not body.get("errors")
    log = await api.data(LOG, {"u": USCC}, api.subject_token(USCC))
    assert [e["node"]["action"] for e in log["accessLog"]["edges"]] == [
        "profile.read",
        "consent.grant",
    ]

"""Graded supervision: advice by grade and lists, reproducible draws, rules."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import AuditEvent, InspectionDraw
from hub.supervision.service import allocate
from hub.uscc import make_uscc
from tests.api import Api

ADVICE = """query($u: USCC!) { supervisionAdvice(uscc: $u) {
  uscc grade riskClass samplingRatio frequencyPerYear ruleVersion
  reasons { ruleId legalBasis } } }"""
DRAW = """mutation($r: String!, $i: String, $n: Int!, $s: String!) {
  drawInspection(regionCode: $r, industryCode: $i, size: $n, seed: $s) {
    id seed regionCode industryCode size inScope ruleVersion
    items { uscc grade riskClass samplingRatio } } }"""
CODES = [make_uscc(random.Random(i), "410400") for i in range(30)]


async def graded(api: Api, uscc: str, rating: str, **entity: str) -> None:
    await api.entity(uscc, **entity)
    await api.record(uscc, f"tax-{uscc}", details={"rating": rating})


async def subject_events(api: Api, uscc: str, action: str) -> list[AuditEvent]:
    async with api.hub.sessionmaker() as s:
        rows = await s.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject == uscc, AuditEvent.action == action)
            .order_by(AuditEvent.n)
        )
        return list(rows)


async def test_advice_follows_the_grade_and_the_lists_as_the_rules_say(api: Api):
    agency = await api.client(PrincipalKind.AGENCY)
    a, b, c, d, black = CODES[:5]
    for code, rating in ((a, "A"), (b, "B"), (c, "C"), (d, "D"), (black, "A")):
        await graded(api, code, rating)
    await api.listing(black, "BLACK")

    async def ask(uscc: str) -> dict:
        out = await api.data(ADVICE, {"u": uscc}, token=agency.token)
        return out["supervisionAdvice"]  # type: ignore[no-any-return]

    seen = {u: await ask(u) for u in (a, b, c, d, black)}
    got = {
        u: (
            s["grade"],
            s["riskClass"],
            s["samplingRatio"],
            s["frequencyPerYear"],
            [r["ruleId"] for r in s["reasons"]],
        )
        for u, s in seen.items()
    }
    # better credit: lower ratio and frequency; BLACK or D/E: the highest
    assert got == {
        a: ("A", "LOW", 0.02, 0.5, ["SV-GRADE-A"]),
        b: ("B", "GENERAL", 0.05, 1.0, ["SV-GRADE-B"]),
        c: ("C", "HIGHER", 0.15, 2.0, ["SV-GRADE-C"]),
        d: ("D", "HIGH", 0.3, 4.0, ["SV-GRADE-DE"]),
        # a BLACK list caps the grade at D (GB/T 45255-2025 model): both fire
        black: ("D", "HIGH", 0.3, 4.0, ["SV-BLACK", "SV-GRADE-DE"]),
    }
    assert {s["ruleVersion"] for s in seen.values()} == {"2026.1"}
    assert "35号 §七" in seen[a]["reasons"][0]["legalBasis"]
    # each read is in the enterprise's access log: statutory, no consent
    [event] = await subject_events(api, d, "supervision.read")
    assert (event.actor_id, event.outcome, event.purpose, event.consent_id) == (
        agency.id,
        "GRANTED",
        "SUPERVISION",
        None,
    )
    assert event.detail["basis"] == "STATUTORY"
    assert event.detail["riskClass"] == "HIGH"
    log = await api.data(
        "query($u: USCC!) { accessLog(uscc: $u) { edges { node { action actorId "
        "purpose outcome } } } }",
        {"u": d},
        token=api.subject_token(d),
    )
    assert {
        "action": "supervision.read",
        "actorId": agency.id,
        "purpose": "SUPERVISION",
        "outcome": "GRANTED",
    } in [e["node"] for e in log["accessLog"]["edges"]]


async def test_a_bank_is_refused_and_the_refusal_is_audited(api: Api):
    code = CODES[0]
    await graded(api, code, "A")
    bank = await api.client(PrincipalKind.BANK)
    merchant = await api.client(PrincipalKind.MERCHANT)
    for client in (bank, merchant):
        assert (
            await api.error_code(ADVICE, {"u": code}, token=client.token) == "FORBIDDEN"
        )
    assert (
        await api.error_code(ADVICE, {"u": code}, token=api.subject_token(code))
        == "FORBIDDEN"
    )
    refusals = await subject_events(api, code, "supervision.read")
    assert [(e.actor_kind, e.outcome) for e in refusals] == [
        ("BANK", "DENIED:FORBIDDEN"),
        ("MERCHANT", "DENIED:FORBIDDEN"),
        ("SUBJECT", "DENIED:FORBIDDEN"),
    ]
    # nor can a bank draw inspections: refused before any enterprise is read
    body = await api.gql(DRAW, {"r": "410400", "n": 3, "s": "x"}, token=bank.token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len(await subject_events(api, code, "supervision.read")) == 3


async def test_supervision_rests_on_law_so_no_consent_can_be_given_for_it(api: Api):
    code = CODES[0]
    await api.entity(code)
    agency = await api.client(PrincipalKind.AGENCY)
    body = await api.gql(
        "mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }",
        {
            "i": {
                "subject": code,
                "granteeId": agency.id,
                "purpose": "SUPERVISION",
                "categories": ["BASIC"],
                "expiresAt": "2027-01-01T00:00:00Z",
            }
        },
        token=api.subject_token(code),
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_same_seed_draws_the_same_entities(api: Api):
    agency = await api.client(PrincipalKind.AGENCY)
    ratings = "AAAAAAAAAABBBBBBBBCCCCCDDD"
    for code, rating in zip(CODES, ratings, strict=False):
        await graded(api, code, rating, region_code="410411")
    # out of scope: another city, and a closed company
    await graded(api, CODES[-1], "D", region_code="410100")
    await graded(api, CODES[-2], "D", region_code="410402")
    async with api.hub.sessionmaker.begin() as s:
        from hub.models import Entity

        closed = await s.get(Entity, CODES[-2])
        assert closed is not None
        closed.status = "注销"

    async def draw(seed: str, size: int = 6) -> dict:
        out = await api.data(
            DRAW, {"r": "410400", "n": size, "s": seed}, token=agency.token
        )
        return out["drawInspection"]  # type: ignore[no-any-return]

    first, again, other = (
        await draw("2026-双随机-01"),
        await draw("2026-双随机-01"),
        (await draw("2026-双随机-02")),
    )
    picked = [i["uscc"] for i in first["items"]]
    assert picked == [i["uscc"] for i in again["items"]]
    assert picked != [i["uscc"] for i in other["items"]]
    assert len(picked) == len(set(picked)) == 6
    assert (first["inScope"], first["seed"], first["regionCode"]) == (
        26,
        "2026-双随机-01",
        "410400",
    )
    assert first["id"] != again["id"]
    # stratified: 10 LOW, 8 GENERAL, 5 HIGHER, 3 HIGH weighted by ratio
    # (0.2, 0.4, 0.75, 0.9 → 6 draws: 1, 1, 2, 2)
    classes = [i["riskClass"] for i in first["items"]]
    assert {k: classes.count(k) for k in set(classes)} == {
        "LOW": 1,
        "GENERAL": 1,
        "HIGHER": 2,
        "HIGH": 2,
    }
    # exactly min(size, in scope)
    everyone = await draw("all", size=100)
    assert len(everyone["items"]) == 26
    assert set(CODES[-2:]).isdisjoint(i["uscc"] for i in everyone["items"])
    # audited with its seed, and each entity read is in its access log
    async with api.hub.sessionmaker() as s:
        draws = (
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "inspection.draw")
                .order_by(AuditEvent.n)
            )
        ).all()
        stored = await s.get(InspectionDraw, first["id"])
    assert [e.detail["seed"] for e in draws] == [
        "2026-双随机-01",
        "2026-双随机-01",
        "2026-双随机-02",
        "all",
    ]
    assert draws[0].detail["drawn"] == picked
    assert stored is not None and [i["uscc"] for i in stored.items] == picked
    reads = await subject_events(api, picked[0], "supervision.read")
    assert reads[0].outcome == "DRAWN" and reads[0].detail["seed"] == "2026-双随机-01"


def test_draws_are_shared_among_classes_by_size_times_ratio() -> None:
    ratios = {"LOW": 0.02, "GENERAL": 0.05, "HIGHER": 0.15, "HIGH": 0.3}
    assert allocate({"LOW": 100, "GENERAL": 0, "HIGHER": 0, "HIGH": 10}, ratios, 5) == {
        "LOW": 2,
        "GENERAL": 0,
        "HIGHER": 0,
        "HIGH": 3,
    }
    # a class cannot give more than it has; the rest goes elsewhere
    assert allocate({"LOW": 50, "GENERAL": 0, "HIGHER": 0, "HIGH": 1}, ratios, 10) == {
        "LOW": 9,
        "GENERAL": 0,
        "HIGHER": 0,
        "HIGH": 1,
    }
    assert allocate({"LOW": 2, "GENERAL": 1, "HIGHER": 0, "HIGH": 0}, ratios, 9) == {
        "LOW": 2,
        "GENERAL": 1,
        "HIGHER": 0,
        "HIGH": 0,
    }


PUBLISH = """mutation($r: JSON!, $d: Boolean!) {
  publishSupervisionRules(rules: $r, dryRun: $d) { version classes { name } } }"""
DRY = """query($r: JSON!) { supervisionDryRun(rules: $r) {
  currentVersion proposedVersion entities changed
  moves { current proposed entities } rules { ruleId fired } } }"""


def lenient(version: str) -> dict:
    """The built-in rules, but grade A is only GENERAL."""
    from hub.supervision.rules import builtin_rules

    data = builtin_rules().as_data()
    data["version"] = version
    for rule in data["rules"]:
        if rule["id"] == "SV-GRADE-A":
            rule["risk_class"] = "GENERAL"
    return data


async def test_rules_are_published_and_dry_run_like_scenario_rules(api: Api):
    admin = await api.client(PrincipalKind.ADMIN)
    agency = await api.client(PrincipalKind.AGENCY)
    for code in CODES[:25]:
        await graded(api, code, "A")
    # a dry run: counts only, over the sample
    dry = (await api.data(DRY, {"r": lenient("sv-test-1")}, token=admin.token))[
        "supervisionDryRun"
    ]
    assert (dry["currentVersion"], dry["proposedVersion"], dry["entities"]) == (
        "2026.1",
        "sv-test-1",
        25,
    )
    assert dry["moves"] == [{"current": "LOW", "proposed": "GENERAL", "entities": 25}]
    assert {"ruleId": "SV-GRADE-A", "fired": 25} in dry["rules"]
    assert {"ruleId": "SV-BLACK", "fired": 0} in dry["rules"]
    assert len(await subject_events(api, CODES[0], "supervision.dry_run")) == 1
    # a bad rule is refused naming it; a class inspecting less than a lower
    # one too
    bad = lenient("sv-test-2")
    bad["rules"][0]["when"][0]["fact"] = "favourite_colour"
    body = await api.gql(PUBLISH, {"r": bad, "d": False}, token=admin.token)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert "SV-BLACK" in body["errors"][0]["message"]
    upside_down = lenient("sv-test-2")
    upside_down["classes"][-1]["sampling_ratio"] = 0.01
    body = await api.gql(PUBLISH, {"r": upside_down, "d": False}, token=admin.token)
    assert "inspects less than" in body["errors"][0]["message"]
    # agencies cannot publish; dryRun stores nothing
    refused = {"r": lenient("x"), "d": True}
    assert await api.error_code(PUBLISH, refused, token=agency.token) == "FORBIDDEN"
    await api.data(PUBLISH, {"r": lenient("sv-test-2"), "d": True}, token=admin.token)
    before = await api.data(ADVICE, {"u": CODES[0]}, token=agency.token)
    assert before["supervisionAdvice"]["riskClass"] == "LOW"

    # when a version is published, advice follows it at once
    out = await api.data(
        PUBLISH, {"r": lenient("sv-test-2"), "d": False}, token=admin.token
    )
    assert out["publishSupervisionRules"]["version"] == "sv-test-2"
    after = (await api.data(ADVICE, {"u": CODES[0]}, token=agency.token))[
        "supervisionAdvice"
    ]
    assert (after["riskClass"], after["ruleVersion"]) == ("GENERAL", "sv-test-2")
    current = await api.data("{ supervisionRules { version } }", token=agency.token)
    assert current["supervisionRules"]["version"] == "sv-test-2"
    # versions are immutable
    body = await api.gql(
        PUBLISH, {"r": lenient("sv-test-2"), "d": False}, token=admin.token
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    async with api.hub.sessionmaker() as s:
        [published] = (
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "supervision.publish")
            )
        ).all()
    assert published.detail["previous"] == "2026.1"


@pytest.mark.parametrize("size", [0, 1001])
async def test_a_draw_size_out_of_bounds_is_refused(api: Api, size: int):
    agency = await api.client(PrincipalKind.AGENCY)
    body = await api.gql(DRAW, {"r": "410400", "n": size, "s": "x"}, token=agency.token)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"

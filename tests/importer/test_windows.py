"""Negative records are never published indefinitely (信用修复管理办法)."""

from __future__ import annotations

import pytest

from hub.importer.service import import_rows
from tests.importer.helpers import entity, quarantined, record, records


def negative(source_id: str, severity: str, **over: object) -> dict[str, object]:
    row = record(
        source_id=source_id,
        source="market-regulation",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity=severity,
        title="罚款",
        publish_until=None,
        details=None,
    )
    row.update(over)
    return row


async def test_missing_publish_until_is_the_longest_lawful_window(sessionmaker, clock):
    # given negative records that do not say when their publication ends
    # (today is 2026-11-23)
    rows = [
        entity(),
        negative("S", "SERIOUS", decided_on="2023-01-10", publish_from="2023-01-10"),
        negative("O", "ORDINARY", decided_on="2026-06-01", publish_from=None),
        negative("M", "MINOR", decided_on=None, publish_from="2026-10-01"),
        negative(
            "D",
            "SERIOUS",
            category="JUDICIAL",
            kind="DISHONEST_JUDGMENT_DEBTOR",
            decided_on="2025-03-01",
            publish_from="2025-03-10",
        ),
        record(source_id="T"),  # a tax rating (severity NONE) has no window
    ]

    # when they are imported
    summary = await import_rows(sessionmaker, rows, clock)

    # then each ends at its maximum (SERIOUS 3 years, ORDINARY 1 year, MINOR
    # 3 months from the decision), a listing after its two-year term (SPC
    # 2017 Art 2), and the SERIOUS one from 2023 no longer restricts anyone
    assert summary.quarantined == 0
    stored = await records(sessionmaker)
    assert {
        k: (str(r.publish_until) if r.publish_until else None, r.status)
        for k, r in stored.items()
    } == {
        "S": ("2026-01-10", "EXPIRED"),
        "O": ("2027-06-01", "ACTIVE"),
        "M": ("2027-01-01", "ACTIVE"),
        "D": ("2027-03-10", "ACTIVE"),
        "T": (None, "ACTIVE"),
    }


async def test_negative_record_without_any_date_is_quarantined(sessionmaker, clock):
    # given a MINOR record with neither a decision date nor a window
    row = negative("X", "MINOR", decided_on=None, publish_from=None)

    # when it is imported
    summary = await import_rows(sessionmaker, [entity(), row], clock)

    # then it is refused with the reason, not published for ever
    assert summary.quarantined == 1
    [q] = await quarantined(sessionmaker)
    assert q.reason == (
        "line 2: a MINOR record without publish_until needs decided_on or "
        "publish_from: negative information is published for a limited time "
        "only (信用修复管理办法)"
    )


@pytest.mark.parametrize(
    ("severity", "until", "reason"),
    [
        # ORDINARY: 3 months to 1 year from decided_on 2026-05-31
        ("ORDINARY", "2026-08-30", "short of the ORDINARY window: at least 3"),
        ("ORDINARY", "2026-08-31", None),
        ("ORDINARY", "2027-05-31", None),
        ("ORDINARY", "2027-06-01", "exceeds the ORDINARY window: at most 12"),
        # SERIOUS: 1 to 3 years (a leap year inside: 2028-02-29 is a day)
        ("SERIOUS", "2027-05-30", "short of the SERIOUS window: at least 12"),
        ("SERIOUS", "2027-05-31", None),
        ("SERIOUS", "2029-05-31", None),
        ("SERIOUS", "2029-06-01", "exceeds the SERIOUS window: at most 36"),
        # MINOR: at most 3 months, no minimum (month end: 08-31)
        ("MINOR", "2026-05-31", None),
        ("MINOR", "2026-08-31", None),
        ("MINOR", "2026-09-01", "exceeds the MINOR window: at most 3"),
    ],
)
async def test_publication_windows_bound_both_ways(
    sessionmaker, clock, severity: str, until: str, reason: str | None
):
    # 信用修复管理办法: MINOR ≤ 3 months, ORDINARY 3 months–1 year, SERIOUS
    # 1–3 years, from decided_on
    row = negative(
        "W",
        severity,
        decided_on="2026-05-31",
        publish_from="2026-05-31",
        publish_until=until,
    )
    summary = await import_rows(sessionmaker, [entity(), row], clock)
    if reason is None:
        assert summary.quarantined == 0
        assert str((await records(sessionmaker))["W"].publish_until) == until
    else:
        [q] = await quarantined(sessionmaker)
        assert reason in q.reason and "信用修复管理办法" in q.reason


async def test_revoked_rows_are_exempt_from_the_window(sessionmaker, clock):
    # a withdrawn decision is never published: its window is not checked
    rows = [
        entity(),
        negative(
            "R1",
            "SERIOUS",
            decided_on="2026-05-31",
            publish_until="2026-06-30",
            status="REVOKED",
        ),
        negative(
            "R2",
            "ORDINARY",
            decided_on="2026-05-31",
            publish_until="2028-06-30",
            status="REVOKED",
        ),
    ]
    summary = await import_rows(sessionmaker, rows, clock)
    assert summary.quarantined == 0
    assert {k: r.status for k, r in (await records(sessionmaker)).items()} == {
        "R1": "REVOKED",
        "R2": "REVOKED",
    }


def listing(source_id: str, **over: object) -> dict[str, object]:
    return negative(
        source_id,
        "SERIOUS",
        source="court-dishonest",
        category="JUDICIAL",
        kind="DISHONEST_JUDGMENT_DEBTOR",
        decided_on="2023-03-01",
        publish_from="2023-03-01",
        **over,
    )


async def test_court_listings_follow_their_own_terms(sessionmaker, clock):
    # SPC 2017 Art 2: (二)–(六) 2 years, extendable by 1–3; (一) no fixed term
    rows = [
        entity(),
        listing("ONE", details={"circumstance": "（一）"}),
        listing(
            "FIVE-Y",
            details={"circumstance": "违反限制消费令"},
            publish_until="2028-03-01",
        ),
        listing("TOO-LONG", details={"circumstance": "五"}, publish_until="2028-03-02"),
        listing("UNKNOWN", details={"circumstance": "拖欠工资"}),
        listing("PERFORMED", details={"circumstance": 1}, ended_on="2026-11-20"),
    ]
    summary = await import_rows(sessionmaker, rows, clock)
    stored = await records(sessionmaker)
    # (一) stays until performed; an extension runs past 3 years from listing
    assert (stored["ONE"].publish_until, stored["ONE"].status) == (None, "ACTIVE")
    assert (str(stored["FIVE-Y"].publish_until), stored["FIVE-Y"].status) == (
        "2028-03-01",
        "ACTIVE",
    )
    # performed (Art 10): published no longer than that
    assert (str(stored["PERFORMED"].publish_until), stored["PERFORMED"].status) == (
        "2026-11-20",
        "EXPIRED",
    )
    assert summary.quarantined == 2
    reasons = [q.reason for q in await quarantined(sessionmaker)]
    assert "exceeds the listing term" in reasons[0] and "until 2028-03-01" in reasons[0]
    assert "names none of the six circumstances" in reasons[1]

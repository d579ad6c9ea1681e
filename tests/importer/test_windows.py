"""Negative records are never published indefinitely (信用修复管理办法)."""

from __future__ import annotations

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

"""The validated shape of one record a connector returns.

It is the importer's ``record`` row (interfaces.md "Import format"), so a
record pulled from an agency passes exactly the checks an imported one does —
USCC check digits, known enums, publication window within the NDRC limits
(and a negative record without ``publish_until`` gets the longest lawful one).
A record decided after today is refused too (:func:`future_dated`), by the
service for every connector, as the importer refuses such a row.
"""

from __future__ import annotations

from typing import Any

from hub.importer.rows import (
    DISHONEST_KIND,
    LISTING_MONTHS,
    RecordRow,
    add_months,
    future_dated,
    max_publish_until,
    publication_status,
)

__all__ = [
    "DISHONEST_KIND",
    "LISTING_MONTHS",
    "RecordIn",
    "add_months",
    "future_dated",
    "make_record",
    "max_publish_until",
    "publication_status",
]

RecordIn = RecordRow


def make_record(**fields: Any) -> RecordIn:
    """Validate one record (raises ``pydantic.ValidationError`` when invalid)."""
    return RecordIn.model_validate(fields)

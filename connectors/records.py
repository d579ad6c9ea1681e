"""The validated shape of one record a connector returns.

It is the importer's ``record`` row (interfaces.md "Import format"), so a
record pulled from an agency passes exactly the checks an imported one does —
USCC check digits, known enums, publication window within the NDRC limits.
"""

from __future__ import annotations

from typing import Any

from hub.importer.rows import RecordRow, add_months, max_publish_until

__all__ = ["RecordIn", "add_months", "make_record", "max_publish_until"]

RecordIn = RecordRow


def make_record(**fields: Any) -> RecordIn:
    """Validate one record (raises ``pydantic.ValidationError`` when invalid)."""
    return RecordIn.model_validate(fields)

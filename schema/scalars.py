"""Custom scalars.  ``USCC`` validates both check digits on the way in."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.scalars import JSON

from hub.uscc import check_uscc

__all__ = ["JSON", "USCC"]

USCC = strawberry.scalar(
    NewType("USCC", str),
    name="USCC",
    description=(
        "18-character unified social credit code (GB 32100-2015); both check "
        "digits are verified. Bad input: INVALID_USCC."
    ),
    serialize=str,
    parse_value=check_uscc,
)

"""Custom scalars.  ``USCC`` validates both check digits on the way in.

``USCC`` is a ``NewType`` (a plain ``str`` to the type checker) mapped to its
GraphQL scalar through ``StrawberryConfig.scalar_map`` in ``schema``.
"""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.scalars import JSON

from hub.uscc import check_uscc

__all__ = ["JSON", "SCALAR_MAP", "USCC"]

USCC = NewType("USCC", str)

SCALAR_MAP = {
    USCC: strawberry.scalar(
        name="USCC",
        description=(
            "18-character unified social credit code (GB 32100-2015); both check "
            "digits are verified. Bad input: INVALID_USCC."
        ),
        serialize=str,
        parse_value=check_uscc,
    )
}

"""Amounts of money reported back by clients (放款反馈): CNY to the fen, bounded.

A loan amount arrives as a GraphQL ``Float``; it is taken as the decimal it
prints as, must be finite, zero or more, at most :data:`MAX_AMOUNT` and carry
at most two decimals (fen).  Anything else is ``VALIDATION_ERROR`` — an
unbounded amount would let one client push ``stats.loanAmount`` to infinity
for everybody.

>>> cny(1500000.5)
Decimal('1500000.50')
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from hub.errors import ErrorCode, HubError

__all__ = ["FEN", "MAX_AMOUNT", "cny"]

FEN = Decimal("0.01")
# 1,000 亿元: far above any single loan the programme reports (信易贷 serves
# SMEs), and small enough that totals over millions of outcomes stay exact
# in a double.
MAX_AMOUNT = Decimal("100000000000")


def cny(amount: float | int | str | Decimal) -> Decimal:
    """``amount`` as CNY with two decimals, or ``VALIDATION_ERROR``."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise HubError(
            f"amount must be a number of CNY from 0 to {MAX_AMOUNT:,}.",
            ErrorCode.VALIDATION_ERROR,
            maximum=float(MAX_AMOUNT),
        )
    if value != value.quantize(FEN):
        raise HubError(
            "amount is CNY to the fen: at most two decimals.",
            ErrorCode.VALIDATION_ERROR,
        )
    return value.quantize(FEN)

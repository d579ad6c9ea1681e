"""信易租 / 信用+消费 deposit waiver for merchants (INCENTIVE consent)."""

from hub.enums import DataCategory as C
from hub.enums import Purpose
from scenarios.base import TableScenario

__all__ = ["scenario"]

scenario = TableScenario.beside(
    __file__,
    key="deposit-waiver",
    name="信易租 押金减免",
    description=(
        "Lets a merchant (rentals, shared equipment, venues) waive part or all "
        "of a deposit (DEPOSIT_WAIVER 1.0 = fully waived) for entities with good "
        "public credit and no utility arrears."
    ),
    purpose=Purpose.INCENTIVE,
    categories=frozenset({C.BASIC, C.EVALUATION, C.UTILITIES}),
    benefit_codes=("DEPOSIT_WAIVER",),
)

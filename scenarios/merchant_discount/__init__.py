"""信易购 / 信易商圈 merchant discounts (INCENTIVE consent)."""

from hub.enums import DataCategory as C
from hub.enums import Purpose
from scenarios.base import TableScenario

__all__ = ["scenario"]

scenario = TableScenario.beside(
    __file__,
    key="merchant-discount",
    name="信易购 / 信易商圈 信用折扣",
    description=(
        "Lets a merchant in a 信易商圈 give a credit discount (DISCOUNT = fraction "
        "off the price) to entities with good public credit or on a RED list."
    ),
    purpose=Purpose.INCENTIVE,
    categories=frozenset({C.BASIC, C.EVALUATION}),
    benefit_codes=("DISCOUNT",),
)

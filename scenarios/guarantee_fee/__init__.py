"""政银担 guarantee on credit: fee cuts and counter-guarantee waivers (GUARANTEE)."""

from hub.enums import DataCategory as C
from hub.enums import Purpose
from scenarios.base import TableScenario

__all__ = ["scenario"]

scenario = TableScenario.beside(
    __file__,
    key="guarantee-fee",
    name="政银担 信用担保费率优惠",
    description=(
        "Lets a government-backed guarantee firm cut its guarantee fee "
        "(GUARANTEE_FEE_CUT = fraction off the standard fee rate) and waive "
        "counter-guarantees for entities with good public credit."
    ),
    purpose=Purpose.GUARANTEE,
    categories=frozenset({C.BASIC, C.EVALUATION, C.TAX, C.JUDICIAL}),
    benefit_codes=("GUARANTEE_FEE_CUT", "COUNTER_GUARANTEE_WAIVER"),
)

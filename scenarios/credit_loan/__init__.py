"""信易贷 credit-loan pre-assessment for banks (LENDING consent)."""

from hub.enums import DataCategory as C
from hub.enums import Purpose
from scenarios.base import TableScenario

__all__ = ["scenario"]

scenario = TableScenario.beside(
    __file__,
    key="credit-loan",
    name="信易贷 信用贷款预评估",
    description=(
        "Pre-assesses an SME for a credit (unsecured) loan from its public credit "
        "evaluation, tax credit rating, administrative penalties and court "
        "dishonest-debtor status; grants a credit-loan tier (CNY limit), "
        "collateral-free lending and a rate discount (fraction off the quoted rate)."
    ),
    purpose=Purpose.LENDING,
    categories=frozenset({C.BASIC, C.EVALUATION, C.TAX, C.PENALTY, C.JUDICIAL}),
    benefit_codes=("CREDIT_LOAN_TIER", "COLLATERAL_FREE", "RATE_DISCOUNT"),
)

"""Water, electricity and gas arrears (公共事业缴费) from the utility companies.

Agency answer (``GET /utility/v1/arrears/{uscc}``)::

    {"uscc": "...",
     "accounts": [{"account_no": "4101050023817", "utility": "electricity",
                   "provider": "国网河南省电力公司郑州供电公司",
                   "arrears_amount": 12680.5, "months_overdue": 4,
                   "overdue_since": "2026-07-01", "confirmed_on": "2026-11-01"}]}

Only accounts actually in arrears become records.  Severity follows the
programme's utilities rule: ORDINARY from 10,000 yuan or three months
overdue, MINOR below both; published for the longest window of that
severity (信用修复管理办法: 3 months / 1 year).  An account settled since is
no longer in the answer, and the service ends its record.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from connectors.http import HttpConnector
from connectors.protocol import EntityRef
from connectors.records import RecordIn, make_record, max_publish_until
from hub.enums import DataCategory, Severity

__all__ = ["Account", "UtilityAnswer", "UtilityArrearsConnector", "arrears_severity"]

ORDINARY_AMOUNT = 10_000.0  # yuan
ORDINARY_MONTHS = 3
UTILITY_NAMES = {"electricity": "电费", "water": "水费", "gas": "燃气费"}


class Account(BaseModel):
    account_no: str = Field(min_length=1, max_length=64)
    utility: Literal["electricity", "water", "gas"]
    provider: str
    arrears_amount: float = Field(ge=0)
    months_overdue: int = Field(ge=0)
    overdue_since: date | None = None
    confirmed_on: date


class UtilityAnswer(BaseModel):
    uscc: str
    accounts: list[Account]


def arrears_severity(amount: float, months: int) -> Severity:
    if amount >= ORDINARY_AMOUNT or months >= ORDINARY_MONTHS:
        return Severity.ORDINARY
    return Severity.MINOR


class UtilityArrearsConnector(HttpConnector):
    """Utility arrears (UTILITIES): MINOR or ORDINARY by amount and months."""

    name = "utilities"
    categories = frozenset({DataCategory.UTILITIES})
    default_ttl = 43200.0  # bills settle monthly
    answer_model = UtilityAnswer

    def path(self, entity: EntityRef, categories: Set[DataCategory]) -> str:
        return f"/utility/v1/arrears/{entity.uscc}"

    def to_records(
        self, entity: EntityRef, answer: UtilityAnswer, categories: Set[DataCategory]
    ) -> list[RecordIn]:
        records = []
        for acc in answer.accounts:
            if acc.arrears_amount <= 0 or acc.months_overdue < 1:
                continue
            if acc.overdue_since is None:
                raise ValueError(
                    f"account {acc.account_no}: arrears without overdue_since"
                )
            severity = arrears_severity(acc.arrears_amount, acc.months_overdue)
            records.append(
                make_record(
                    uscc=entity.uscc,
                    source=self.name,
                    # One record per arrears episode of an account.
                    source_id=f"{acc.utility}:{acc.account_no}:{acc.overdue_since}",
                    category=DataCategory.UTILITIES,
                    kind="UTILITY_ARREARS",
                    severity=severity,
                    title=(
                        f"{UTILITY_NAMES[acc.utility]}欠费 "
                        f"{acc.arrears_amount:,.2f} 元，逾期 {acc.months_overdue} 个月"
                    ),
                    authority=acc.provider,
                    occurred_on=acc.overdue_since,
                    decided_on=acc.confirmed_on,
                    publish_from=acc.confirmed_on,
                    publish_until=max_publish_until(severity, acc.confirmed_on),
                    details={
                        "utility": acc.utility,
                        "account_no": acc.account_no,
                        "arrears_amount": acc.arrears_amount,
                        "months_overdue": acc.months_overdue,
                    },
                )
            )
        return records

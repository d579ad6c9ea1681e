"""The court list of dishonest judgment debtors (失信被执行人名单).

Agency answer (``GET /court/v1/dishonest/{uscc}``)::

    {"uscc": "...", "name": "郑州恒达食品有限公司",
     "cases": [{"case_number": "（2025）豫01执1234号", "court": "郑州市中级人民法院",
                "basis_document": "（2024）豫01民初567号",
                "obligation": "支付货款人民币386,000元及利息",
                "circumstance": "有履行能力而拒不履行生效法律文书确定义务",
                "performance": "全部未履行", "filed_on": "2025-02-10",
                "listed_on": "2025-06-01", "extension": null,
                "performed_on": null}]}

最高人民法院关于公布失信被执行人名单信息的若干规定 (2017): Art 1 names six
circumstances; Art 2 lists (二)–(六) for two years, which the court may
extend by one to three years (``extension``) — an extension is a court
decision of its own, not capped by the three-year window 信用修复管理办法 sets
for administrative decisions; (一) "有履行能力而拒不履行" has no fixed term.
Art 10: removed once the obligation is performed.  A performed case
therefore ends on ``performed_on`` and is no longer active; the hub ends the
BLACK list membership it made for the case at the same time
(``hub.sources.listings``).
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from connectors.http import HttpConnector
from connectors.protocol import EntityRef
from connectors.records import DISHONEST_KIND, RecordIn, add_months, make_record
from hub.enums import DataCategory, RecordStatus, Severity
from hub.rights.court_terms import EXTENSION_MONTHS, circumstance, term_end

__all__ = ["CourtAnswer", "DishonestCase", "DishonestDebtorConnector", "Extension"]


class Extension(BaseModel):
    decided_on: date
    until: date


class DishonestCase(BaseModel):
    case_number: str = Field(min_length=1, max_length=128)
    court: str
    basis_document: str
    obligation: str
    circumstance: str
    performance: Literal["全部未履行", "部分履行", "全部履行"]
    filed_on: date
    listed_on: date
    extension: Extension | None = None
    performed_on: date | None = None


class CourtAnswer(BaseModel):
    uscc: str
    name: str
    cases: list[DishonestCase]


def listing_end(case: DishonestCase) -> date | None:
    """The last day of the listing, checking the term against SPC 2017 Art 2;
    None for circumstance (一), which has no fixed term."""
    number = circumstance(case.circumstance)
    if number is None:
        raise ValueError(
            f"{case.case_number}: circumstance {case.circumstance!r} is none of "
            "SPC 2017 Art 1 (一)–(六)"
        )
    end = term_end(case.listed_on, number)
    if end is None:
        if case.extension is not None:
            raise ValueError(
                f"{case.case_number}: circumstance (一) has no fixed term to extend"
            )
        return None
    if case.extension is None:
        return end
    shortest, longest = (add_months(end, m) for m in EXTENSION_MONTHS)
    if not shortest <= case.extension.until <= longest:
        raise ValueError(
            f"{case.case_number}: an extension runs one to three years past "
            f"{end}, not until {case.extension.until}"
        )
    return case.extension.until


class DishonestDebtorConnector(HttpConnector):
    """失信被执行人 listings from the people's courts (SERIOUS, JUDICIAL)."""

    name = "court-dishonest"
    categories = frozenset({DataCategory.JUDICIAL})
    default_ttl = 3600.0  # listings and removals happen any day
    answer_model = CourtAnswer

    def path(self, entity: EntityRef, categories: Set[DataCategory]) -> str:
        return f"/court/v1/dishonest/{entity.uscc}"

    def to_records(
        self, entity: EntityRef, answer: CourtAnswer, categories: Set[DataCategory]
    ) -> list[RecordIn]:
        records = []
        for case in answer.cases:
            performed = case.performed_on is not None
            if performed != (case.performance == "全部履行"):
                raise ValueError(
                    f"{case.case_number}: performance {case.performance!r} does not "
                    f"agree with performed_on {case.performed_on}"
                )
            # An extension is a new decision of the court; the listing then
            # runs to its end (SPC 2017 Art 2), not to a window of the first.
            decided = case.extension.decided_on if case.extension else case.listed_on
            until = listing_end(case)
            if case.performed_on is not None:
                until = (
                    case.performed_on
                    if until is None
                    else min(until, case.performed_on)
                )
            records.append(
                make_record(
                    uscc=entity.uscc,
                    source=self.name,
                    source_id=case.case_number,
                    category=DataCategory.JUDICIAL,
                    kind=DISHONEST_KIND,
                    severity=Severity.SERIOUS,
                    # SPC 2017 Art 10: removed from the list once performed.
                    status=RecordStatus.EXPIRED if performed else None,
                    title=f"失信被执行人（{case.case_number}）：{case.circumstance}",
                    authority=case.court,
                    occurred_on=case.filed_on,
                    decided_on=decided,
                    ended_on=case.performed_on,
                    publish_from=case.listed_on,
                    publish_until=until,
                    details={
                        "case_number": case.case_number,
                        "basis_document": case.basis_document,
                        "obligation": case.obligation,
                        "circumstance": case.circumstance,
                        "performance": case.performance,
                        "listed_on": case.listed_on.isoformat(),
                        "extended_until": (
                            case.extension.until.isoformat() if case.extension else None
                        ),
                    },
                )
            )
        return records

"""Tax credit ratings (纳税信用等级) from the provincial tax bureau.

Agency answer (``GET /tax/v1/credit-rating/{uscc}``)::

    {"uscc": "91410100MA44C7LQ3U", "taxpayer_name": "郑州恒达食品有限公司",
     "authority": "国家税务总局河南省税务局",
     "ratings": [{"rating_id": "HA-2025-7F3A9C21", "year": 2025, "rating": "A",
                  "score": 93.5, "evaluated_on": "2026-04-01",
                  "serious_dishonesty": false}]}

纳税缴费信用管理办法 (2025): A ≥ 90, B 70–89, M only for a new taxpayer or
one without operating revenue (``m_basis`` NEW / NO_REVENUE; score, if any,
≥ 70), C 40–69, D < 40 or directly rated D for serious dishonesty
(``hub.importer.tax_grades``, the importer's check).  A grade holds until the
next annual evaluation, so it is published for twelve months; only D is
negative information (ORDINARY).
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from connectors.http import HttpConnector
from connectors.protocol import EntityRef
from connectors.records import RecordIn, add_months, make_record
from hub.enums import DataCategory, Severity
from hub.importer.tax_grades import tax_grade_problem

__all__ = ["TaxAnswer", "TaxRating", "TaxRatingConnector"]


class TaxRating(BaseModel):
    rating_id: str = Field(min_length=1, max_length=64)
    year: int = Field(ge=2014, le=2100)
    rating: Literal["A", "B", "M", "C", "D"]
    score: float | None = Field(None, ge=0, le=100)
    evaluated_on: date
    serious_dishonesty: bool = False
    #: Why grade M: a new taxpayer (NEW) or no operating revenue (NO_REVENUE).
    m_basis: Literal["NEW", "NO_REVENUE"] | None = None


class TaxAnswer(BaseModel):
    uscc: str
    taxpayer_name: str
    authority: str
    ratings: list[TaxRating]


def _details(r: TaxRating) -> dict[str, object]:
    details: dict[str, object] = {
        "rating": r.rating,
        "year": r.year,
        "score": r.score,
        "serious_dishonesty": r.serious_dishonesty,
    }
    if r.m_basis is not None:
        details["m_basis"] = r.m_basis
    return details


def check_grade(r: TaxRating) -> None:
    """Refuse a grade that cannot exist (the answer is then quarantined).

    The importer's rules (A never with serious dishonesty, M only with its
    reason, the score agreeing with the grade), and from this source also a
    score for every grade but M, which the bureau always states.
    """
    problem = tax_grade_problem(_details(r))
    if problem is not None:
        raise ValueError(f"{r.rating_id}: {problem}")
    if r.rating != "M" and r.score is None:
        raise ValueError(f"{r.rating_id}: grade {r.rating} comes without a score")


class TaxRatingConnector(HttpConnector):
    """Annual tax credit grades A/B/M/C/D (国家税务总局河南省税务局)."""

    name = "henan-tax"
    categories = frozenset({DataCategory.TAX})
    default_ttl = 86400.0  # grades change once a year
    answer_model = TaxAnswer

    def path(self, entity: EntityRef, categories: Set[DataCategory]) -> str:
        return f"/tax/v1/credit-rating/{entity.uscc}"

    def to_records(
        self, entity: EntityRef, answer: TaxAnswer, categories: Set[DataCategory]
    ) -> list[RecordIn]:
        records = []
        for r in answer.ratings:
            check_grade(r)
            records.append(
                make_record(
                    uscc=entity.uscc,
                    source=self.name,
                    source_id=r.rating_id,
                    category=DataCategory.TAX,
                    kind="TAX_RATING",
                    severity=Severity.ORDINARY if r.rating == "D" else Severity.NONE,
                    title=f"{r.year}年度纳税信用等级 {r.rating}",
                    authority=answer.authority,
                    occurred_on=date(r.year, 12, 31),
                    decided_on=r.evaluated_on,
                    publish_from=r.evaluated_on,
                    publish_until=add_months(r.evaluated_on, 12),
                    details=_details(r),
                )
            )
        return records

"""Tax credit ratings (纳税信用等级) from the provincial tax bureau.

Agency answer (``GET /tax/v1/credit-rating/{uscc}``)::

    {"uscc": "91410100MA44C7LQ3U", "taxpayer_name": "郑州恒达食品有限公司",
     "authority": "国家税务总局河南省税务局",
     "ratings": [{"rating_id": "HA-2025-7F3A9C21", "year": 2025, "rating": "A",
                  "score": 93.5, "evaluated_on": "2026-04-01",
                  "serious_dishonesty": false}]}

纳税缴费信用管理办法 (2025): A ≥ 90, B 70–89, M new or no revenue (no score),
C 40–69, D < 40 or directly rated D for serious dishonesty.  A grade holds
until the next annual evaluation, so it is published for twelve months; only
D is negative information (ORDINARY).
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

__all__ = ["TaxAnswer", "TaxRating", "TaxRatingConnector"]


class TaxRating(BaseModel):
    rating_id: str = Field(min_length=1, max_length=64)
    year: int = Field(ge=2014, le=2100)
    rating: Literal["A", "B", "M", "C", "D"]
    score: float | None = Field(None, ge=0, le=100)
    evaluated_on: date
    serious_dishonesty: bool = False


class TaxAnswer(BaseModel):
    uscc: str
    taxpayer_name: str
    authority: str
    ratings: list[TaxRating]


def _expected_grade(score: float) -> str:
    if score >= 90:
        return "A"
    if score >= 70:
        return "B"
    return "C" if score >= 40 else "D"


def check_grade(r: TaxRating) -> None:
    """Refuse a grade its own score contradicts (the answer is then quarantined)."""
    if r.rating == "M":
        return
    if r.score is None:
        raise ValueError(f"{r.rating_id}: grade {r.rating} comes without a score")
    if r.rating == "D" and r.serious_dishonesty:
        return  # directly rated D whatever the score
    if _expected_grade(r.score) != r.rating:
        raise ValueError(
            f"{r.rating_id}: score {r.score:g} means grade "
            f"{_expected_grade(r.score)}, not {r.rating}"
        )


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
                    details={
                        "rating": r.rating,
                        "year": r.year,
                        "score": r.score,
                        "serious_dishonesty": r.serious_dishonesty,
                    },
                )
            )
        return records

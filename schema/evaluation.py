"""GraphQL types of the public credit evaluation (shown in creditProfile)."""

from __future__ import annotations

from datetime import datetime

import strawberry

import schema.enums  # noqa: F401  (registers Grade)
from hub.enums import Grade
from hub.evaluation.types import EvaluationResult

__all__ = ["Evaluation", "Factor"]


@strawberry.type
class Factor:
    code: str
    description: str
    impact: int = strawberry.field(
        description="Points this factor added (positive) or removed (negative)."
    )


@strawberry.type(
    description="Public credit comprehensive evaluation: 0-1000 points, graded A-E."
)
class Evaluation:
    score: int
    grade: Grade
    model_version: str
    evaluated_at: datetime
    factors: list[Factor]
    base_score: int = strawberry.field(
        description="The model's starting score; baseScore + sum(factors.impact) "
        "= score."
    )

    @classmethod
    def from_result(cls, r: EvaluationResult) -> Evaluation:
        return cls(
            score=r.score,
            grade=Grade(r.grade),
            model_version=r.model_version,
            evaluated_at=r.evaluated_at,
            base_score=r.base_score,
            factors=[
                Factor(code=f.code, description=f.description, impact=f.impact)
                for f in r.factors
            ],
        )

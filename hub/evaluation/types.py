"""Results of an evaluation: a score, a grade and the factors that explain it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.enums import Grade

__all__ = ["EvaluationResult", "Factor"]


@dataclass(frozen=True, slots=True)
class Factor:
    """Points one indicator added (positive) or removed (negative)."""

    code: str
    description: str
    impact: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description,
            "impact": self.impact,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Factor:
        return cls(str(raw["code"]), str(raw["description"]), int(raw["impact"]))


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """``base_score + sum(f.impact for f in factors) == score`` always holds."""

    uscc: str
    score: int
    grade: Grade
    model_version: str
    evaluated_at: datetime
    base_score: int
    factors: tuple[Factor, ...]

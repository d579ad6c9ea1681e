"""What a rule evaluation returns: outcome, benefits and the reasons for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.enums import DecisionOutcome

__all__ = ["BenefitGrant", "Reason", "Verdict"]


@dataclass(frozen=True, slots=True)
class BenefitGrant:
    code: str
    description: str
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.description, "value": self.value}


@dataclass(frozen=True, slots=True)
class Reason:
    rule_id: str
    description: str
    legal_basis: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "description": self.description,
            "legal_basis": self.legal_basis,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: DecisionOutcome
    benefits: tuple[BenefitGrant, ...]
    reasons: tuple[Reason, ...]
    rule_version: str

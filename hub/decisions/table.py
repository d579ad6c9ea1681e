"""Decision tables: scenario rules as data, validated with pydantic at load.

A rule set looks like this (YAML or the JSON given to ``publishScenarioRules``)::

    version: "2026.1"
    default: {outcome: INELIGIBLE, description: 未满足准入条件, legal_basis: …}
    rules:
      - id: CL-TIER-1
        description: 评价等级 A 且纳税信用 A/B：信用贷款一档
        legal_basis: 国办发〔2021〕52号
        when:                       # every condition must hold
          - {fact: grade, op: in, value: [A]}
        then:
          outcome: ELIGIBLE
          benefits:
            - {code: CREDIT_LOAN_TIER, value: 3000000, description: 信用贷款额度}

Unknown fields, facts and operators are rejected with a message that names
the rule (``RuleSetError``, code VALIDATION_ERROR).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hub.decisions.fact_specs import FACTS
from hub.enums import DataCategory, DecisionOutcome
from hub.errors import ErrorCode, HubError

__all__ = [
    "OPERATORS",
    "BenefitSpec",
    "Condition",
    "DefaultOutcome",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "Then",
    "load_rules",
    "check_rules_fit",
    "explain",
    "parse_rules",
]

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in")
ORDERED = ("lt", "le", "gt", "ge")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


class RuleSetError(HubError):
    code = ErrorCode.VALIDATION_ERROR


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _fits(spec_type: type, values: tuple[str, ...] | None, v: Any) -> bool:
    if spec_type is bool:
        return isinstance(v, bool)
    if spec_type is int:
        return isinstance(v, int | float) and not isinstance(v, bool)
    return isinstance(v, str) and (values is None or v in values)


class Condition(_Strict):
    fact: str
    op: str
    value: Any = None

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, v: str) -> str:
        if v not in FACTS:
            raise ValueError(f"unknown fact {v!r}; known facts: {', '.join(FACTS)}")
        return v

    @field_validator("op")
    @classmethod
    def _known_op(cls, v: str) -> str:
        if v not in OPERATORS:
            raise ValueError(
                f"unknown operator {v!r}; use one of {', '.join(OPERATORS)}"
            )
        return v

    @model_validator(mode="after")
    def _value_fits(self) -> Condition:
        spec = FACTS[self.fact]
        kind = spec.type.__name__
        allowed = f" (one of {', '.join(spec.values)})" if spec.values else ""
        if self.op in ORDERED:
            if spec.type is not int or not _fits(int, None, self.value):
                raise ValueError(
                    f"operator {self.op!r} needs a numeric fact and value; "
                    f"{self.fact} is {kind}, value {self.value!r}"
                )
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"operator {self.op!r} needs a non-empty list")
            bad = [v for v in self.value if not _fits(spec.type, spec.values, v)]
            if bad:
                raise ValueError(
                    f"values {bad!r} do not fit {self.fact} ({kind}{allowed})"
                )
        elif self.value is not None and not _fits(spec.type, spec.values, self.value):
            raise ValueError(
                f"value {self.value!r} does not fit {self.fact} ({kind}{allowed})"
            )
        return self


class BenefitSpec(_Strict):
    code: str
    description: str = Field(min_length=1)
    value: float | None = None
    # Benefits are de-duplicated by key (default: the code); the first fired
    # rule wins, so higher tiers are written first.
    key: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not _CODE.match(v):
            raise ValueError(f"benefit code {v!r} must be UPPER_SNAKE_CASE")
        return v

    @property
    def slot(self) -> str:
        return self.key or self.code


class Then(_Strict):
    outcome: DecisionOutcome
    benefits: tuple[BenefitSpec, ...] = ()

    @model_validator(mode="after")
    def _benefits_only_when_eligible(self) -> Then:
        if self.benefits and self.outcome != DecisionOutcome.ELIGIBLE:
            raise ValueError(
                f"only ELIGIBLE rules may grant benefits, not {self.outcome}"
            )
        return self


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]{1,47}$")
    description: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)
    when: tuple[Condition, ...] = Field(min_length=1)
    then: Then


class DefaultOutcome(_Strict):
    id: str = Field("DEFAULT", pattern=r"^[A-Z][A-Z0-9-]{1,47}$")
    outcome: DecisionOutcome = DecisionOutcome.INELIGIBLE
    description: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)


class RuleSet(_Strict):
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
    description: str | None = None
    default: DefaultOutcome
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids must be unique: {', '.join(dupes)}")
        return self

    def as_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def explain(exc: ValidationError, raw: Any) -> str:
    """The first validation error, naming the rule it is in (by id)."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = f"unknown field {loc[-1]!r}"
        loc = loc[:-1]
    where = ".".join(str(p) for p in loc) or "rule set"
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rid = raw["rules"][loc[1]].get("id", "?")
        except (KeyError, IndexError, TypeError, AttributeError):
            rid = "?"
        rest = ".".join(str(p) for p in loc[2:])
        where = f"rule {rid!r} (rules[{loc[1]}]){' at ' + rest if rest else ''}"
    return f"{where}: {msg}"


def parse_rules(raw: Any, *, source: str = "rule set") -> RuleSet:
    """Validate ``raw`` (a mapping from YAML or JSON) into a :class:`RuleSet`."""
    if not isinstance(raw, dict):
        raise RuleSetError(f"{source} must be an object with version, default, rules")
    try:
        return RuleSet.model_validate(raw)
    except ValidationError as exc:
        raise RuleSetError(f"{source} rejected: {explain(exc, raw)}") from exc


def load_rules(path: str | Path) -> RuleSet:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return parse_rules(raw, source=str(path))


def check_rules_fit(
    rules: RuleSet,
    *,
    key: str,
    categories: frozenset[DataCategory],
    benefit_codes: tuple[str, ...],
) -> None:
    """Reject rules that test facts outside the scenario's categories or grant
    benefits it does not declare (the message names the rule)."""
    for rule in rules.rules:
        for cond in rule.when:
            cat = FACTS[cond.fact].category
            if cat not in categories:
                raise RuleSetError(
                    f"rule {rule.id!r}: fact {cond.fact!r} needs category {cat}, "
                    f"which scenario {key} does not declare "
                    f"({', '.join(sorted(categories))})"
                )
        for b in rule.then.benefits:
            if b.code not in benefit_codes:
                raise RuleSetError(
                    f"rule {rule.id!r}: benefit {b.code!r} is not one of "
                    f"{key}'s benefit codes ({', '.join(benefit_codes)})"
                )

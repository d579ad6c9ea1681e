"""Graded-supervision rules: risk classes keyed on grade and lists, as data.

The rule set (``rules.yaml`` beside this module, or a version an admin
published) is a small table like a scenario's — conditions over the same
facts (:mod:`hub.decisions.fact_specs`), validated at load, versioned,
published and tried in dry runs with the scenario-rule machinery
(:mod:`hub.decisions.rules`) under the key ``supervision``::

    version: "2026.1"
    classes:                      # lowest risk first
      - {name: LOW, sampling_ratio: 0.02, frequency_per_year: 0.5}
      - {name: HIGH, sampling_ratio: 0.3, frequency_per_year: 4}
    default: {id: SV-DEFAULT, risk_class: LOW, description: …, legal_basis: …}
    rules:
      - id: SV-BLACK
        description: 列入严重失信主体名单
        legal_basis: 国办发〔2019〕35号 §七
        when: [{fact: black_listed, op: eq, value: true}]
        risk_class: HIGH

Hit policy: the highest-risk class among the rules that fire (stricter
supervision wins), with those rules as the reasons; the default otherwise.
Along the class list neither the sampling ratio nor the frequency may
decrease (35号 §七: better credit, fewer inspections).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.decisions.engine import Predicate, compile_condition
from hub.decisions.fact_specs import FACTS
from hub.decisions.rules import publish_version, published_rules
from hub.decisions.table import Condition, RuleSetError, explain
from hub.decisions.verdict import Reason
from hub.enums import DataCategory

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "CATEGORIES",
    "KEY",
    "CompiledSupervision",
    "RiskClass",
    "SupervisionRules",
    "builtin_rules",
    "compile_supervision",
    "parse_supervision_rules",
    "publish",
    "rules_in_force",
]

#: Rule-set key in the rule-version store (beside the scenarios' keys).
KEY = "supervision"
#: What supervision may look at: grade, public lists, penalties and the FOCUS
#: list (the door opens these on the STATUTORY basis, nothing more).
CATEGORIES = frozenset(
    {DataCategory.BASIC, DataCategory.EVALUATION, DataCategory.PENALTY}
)
RULES_FILE = Path(__file__).with_name("rules.yaml")
_ID = r"^[A-Z][A-Z0-9-]{1,47}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RiskClass(_Strict):
    name: str = Field(pattern=r"^[A-Z][A-Z_]{0,31}$")
    sampling_ratio: float = Field(gt=0, le=1)
    frequency_per_year: float = Field(gt=0, le=366)
    description: str | None = None


class SupervisionRule(_Strict):
    id: str = Field(pattern=_ID)
    description: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)
    when: tuple[Condition, ...] = Field(min_length=1)
    risk_class: str


class DefaultClass(_Strict):
    id: str = Field("SV-DEFAULT", pattern=_ID)
    risk_class: str
    description: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)


class SupervisionRules(_Strict):
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
    description: str | None = None
    classes: tuple[RiskClass, ...] = Field(min_length=2)
    default: DefaultClass
    rules: tuple[SupervisionRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SupervisionRules:
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"class names must be unique: {', '.join(names)}")
        for low, high in zip(self.classes, self.classes[1:], strict=False):
            if (
                high.sampling_ratio < low.sampling_ratio
                or high.frequency_per_year < low.frequency_per_year
            ):
                raise ValueError(
                    f"class {high.name} (higher risk) inspects less than {low.name}:"
                    " sampling_ratio and frequency_per_year may not decrease along "
                    "the classes (国办发〔2019〕35号 §七)"
                )
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule ids must be unique: {', '.join(dupes)}")
        named: list[SupervisionRule | DefaultClass] = [*self.rules, self.default]
        for r in named:
            if r.risk_class not in names:
                raise ValueError(
                    f"rule {r.id!r}: risk_class {r.risk_class!r} is not one of "
                    f"{', '.join(names)}"
                )
        for rule in self.rules:
            for cond in rule.when:
                cat = FACTS[cond.fact].category
                if cat not in CATEGORIES:
                    raise ValueError(
                        f"rule {rule.id!r}: fact {cond.fact!r} needs {cat}, which "
                        f"supervision does not read ({', '.join(sorted(CATEGORIES))})"
                    )
        return self

    def as_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def risk_class(self, name: str) -> RiskClass:
        return next(c for c in self.classes if c.name == name)


def parse_supervision_rules(
    raw: Any, *, source: str = "supervision rules"
) -> SupervisionRules:
    """Validate ``raw`` (YAML or JSON data); VALIDATION_ERROR names the rule."""
    if not isinstance(raw, dict):
        raise RuleSetError(
            f"{source} must be an object with version, classes, default, rules"
        )
    try:
        return SupervisionRules.model_validate(raw)
    except ValidationError as exc:
        raise RuleSetError(f"{source} rejected: {explain(exc, raw)}") from exc


@lru_cache
def builtin_rules() -> SupervisionRules:
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return parse_supervision_rules(raw, source=str(RULES_FILE))


@dataclass(frozen=True, slots=True)
class CompiledSupervision:
    rules: SupervisionRules
    checks: tuple[tuple[SupervisionRule, tuple[Predicate, ...]], ...]

    @property
    def version(self) -> str:
        return self.rules.version

    def advise(self, facts: dict[str, Any]) -> tuple[RiskClass, tuple[Reason, ...]]:
        """The class the rules give ``facts`` and the rules that gave it."""
        fired = [r for r, checks in self.checks if all(c(facts) for c in checks)]
        if not fired:
            d = self.rules.default
            reason = Reason(d.id, d.description, d.legal_basis)
            return self.rules.risk_class(d.risk_class), (reason,)
        order = [c.name for c in self.rules.classes]
        top = max((r.risk_class for r in fired), key=order.index)
        reasons = tuple(
            Reason(r.id, r.description, r.legal_basis)
            for r in fired
            if r.risk_class == top
        )
        return self.rules.risk_class(top), reasons

    def fired(self, facts: dict[str, Any]) -> tuple[str, ...]:
        """Ids of every rule whose conditions hold (dry runs)."""
        return tuple(r.id for r, checks in self.checks if all(c(facts) for c in checks))


def compile_supervision(rules: SupervisionRules) -> CompiledSupervision:
    return CompiledSupervision(
        rules,
        tuple((r, tuple(compile_condition(c) for c in r.when)) for r in rules.rules),
    )


# Published versions are immutable, so a compiled one can be cached by version.
_COMPILED: dict[str, CompiledSupervision] = {}


async def rules_in_force(session: AsyncSession) -> CompiledSupervision:
    """The newest published version, else the built-in ``rules.yaml``; read
    from the database every time so all workers switch together."""
    published = await published_rules(session, KEY)
    if published is None:
        key = f"builtin:{builtin_rules().version}"
        if key not in _COMPILED:
            _COMPILED[key] = compile_supervision(builtin_rules())
        return _COMPILED[key]
    version, raw = published
    if version not in _COMPILED:
        source = f"supervision rules {version}"
        _COMPILED[version] = compile_supervision(
            parse_supervision_rules(raw, source=source)
        )
    return _COMPILED[version]


async def publish(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    raw: Any,
    *,
    dry_run: bool = False,
) -> SupervisionRules:
    """Validate and publish a new version (``supervision.publish``); a bad
    rule set changes nothing, a re-used version name is a CONFLICT."""
    rules = parse_supervision_rules(raw)
    await publish_version(
        session,
        hub,
        principal,
        key=KEY,
        version=rules.version,
        data=rules.as_data(),
        builtin_version=builtin_rules().version,
        action="supervision.publish",
        detail={"rules": len(rules.rules), "classes": len(rules.classes)},
        dry_run=dry_run,
    )
    return rules

"""A scenario whose rules are a YAML decision table shipped beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hub.enums import DataCategory, Purpose
from scenarios.facts import FACTS
from scenarios.table import RuleSet, RuleSetError, load_rules

__all__ = ["TableScenario", "check_rules_fit"]


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


@dataclass(frozen=True)
class TableScenario:
    key: str
    name: str
    description: str
    purpose: Purpose
    categories: frozenset[DataCategory]
    benefit_codes: tuple[str, ...]
    rules_file: Path
    _rules: list[RuleSet] = field(default_factory=list, repr=False, compare=False)

    def default_rules(self) -> RuleSet:
        if not self._rules:
            rules = load_rules(self.rules_file)
            self.check(rules)
            self._rules.append(rules)
        return self._rules[0]

    def check(self, rules: RuleSet) -> None:
        check_rules_fit(
            rules,
            key=self.key,
            categories=self.categories,
            benefit_codes=self.benefit_codes,
        )

    @classmethod
    def beside(cls, module_file: str, **kw: object) -> TableScenario:
        """Build from the ``rules.yaml`` next to ``module_file``."""
        return cls(rules_file=Path(module_file).with_name("rules.yaml"), **kw)  # type: ignore[arg-type]

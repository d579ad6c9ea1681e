"""A scenario whose rules are a YAML decision table shipped beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hub.decisions.table import RuleSet, check_rules_fit, load_rules
from hub.enums import DataCategory, Purpose

__all__ = ["TableScenario", "check_rules_fit"]


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

"""信易+ scenarios: one package each, rules as data, a small evaluator.

See :mod:`scenarios.protocol` for the plugin contract, :mod:`scenarios.table`
for the decision-table format and :mod:`scenarios.engine` for the hit policy.
"""

from scenarios.engine import CompiledRules, compile_rules, evaluate
from scenarios.protocol import Scenario
from scenarios.registry import ScenarioRegistry
from scenarios.table import RuleSet, RuleSetError, parse_rules
from scenarios.verdict import BenefitGrant, Reason, Verdict

__all__ = [
    "BenefitGrant",
    "CompiledRules",
    "Reason",
    "RuleSet",
    "RuleSetError",
    "Scenario",
    "ScenarioRegistry",
    "Verdict",
    "compile_rules",
    "evaluate",
    "parse_rules",
]

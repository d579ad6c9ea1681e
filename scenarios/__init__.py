"""信易+ scenarios: one package each, rules as data, a small evaluator.

See :mod:`scenarios.protocol` for the plugin contract, :mod:`hub.decisions.table`
for the decision-table format and :mod:`hub.decisions.engine` for the hit policy.
"""

from hub.decisions.engine import CompiledRules, compile_rules, evaluate
from hub.decisions.table import RuleSet, RuleSetError, parse_rules
from hub.decisions.verdict import BenefitGrant, Reason, Verdict
from scenarios.protocol import Scenario
from scenarios.registry import ScenarioRegistry

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

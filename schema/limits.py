"""Document limits, built once so Strawberry's validation cache keeps hitting.

Limiter extensions given as factories would make new rule classes per request
and defeat ``ValidationCache``; these rule classes are module constants.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)
from graphql.validation.rules.max_introspection_depth_rule import (
    MaxIntrospectionDepthRule,
)

from hub.errors import ErrorCode

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_LIST", "MAX_TOKENS", "RULES"]

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_LIST = 100

_CODE = {"code": str(ErrorCode.QUERY_TOO_COMPLEX)}


def _depth(node: Any, fragments: dict[str, Any], seen: frozenset[str]) -> int:
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return 0
    best = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.name.value.startswith("__"):
                continue  # introspection: bounded by MaxIntrospectionDepthRule
            best = max(best, 1 + _depth(sel, fragments, seen))
        elif isinstance(sel, InlineFragmentNode):
            best = max(best, _depth(sel, fragments, seen))
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in seen or name not in fragments:
                continue
            best = max(best, _depth(fragments[name], fragments, seen | {name}))
    return best


class MaxDepthRule(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = {
            f.name.value: f  # type: ignore[attr-defined]
            for f in context.document.definitions
            if f.kind == "fragment_definition"
        }

    def enter_operation_definition(
        self, node: OperationDefinitionNode, *_: Any
    ) -> None:
        depth = _depth(node, self.fragments, frozenset())
        if depth > MAX_DEPTH:
            self.report_error(
                GraphQLError(
                    f"Query depth {depth} exceeds the limit of {MAX_DEPTH}; split it "
                    "into smaller queries.",
                    node,
                    extensions=_CODE,
                )
            )


class MaxAliasesRule(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.count = 0
        self.reported = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.count += 1
            if self.count > MAX_ALIASES and not self.reported:
                self.reported = True
                self.report_error(
                    GraphQLError(
                        f"More than {MAX_ALIASES} aliases in one document; send fewer "
                        "fields per request (batch reads take a list).",
                        node,
                        extensions=_CODE,
                    )
                )


RULES: tuple[type[ASTValidationRule], ...] = (
    MaxDepthRule,
    MaxAliasesRule,
    MaxIntrospectionDepthRule,
)

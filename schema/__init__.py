"""The GraphQL schema: domain modules merged into one Query, Mutation, Subscription."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

import schema.enums  # noqa: F401  (registers enums before any type uses them)
from schema.alerts import AlertSubscription
from schema.audit import AuditQueryType
from schema.clients import ClientMutation, ClientQuery
from schema.commitments import CommitmentMutation, CommitmentQuery
from schema.consent_lifecycle import ConsentLifecycleMutation
from schema.consent_request_mutations import ConsentRequestMutation
from schema.consent_requests import ConsentRequestQuery
from schema.consents import ConsentMutation, ConsentQuery
from schema.dry_runs import DryRunQuery
from schema.eligibility import EligibilityQuery
from schema.entity import EntityQuery
from schema.errors import CodedErrors
from schema.events import EventSubscription
from schema.hooks import LeanExtensionsRunner
from schema.hot import Plans
from schema.limits import MAX_TOKENS, RULES
from schema.list_objections import ListObjectionMutation, ListObjectionQuery
from schema.notices import NoticeMutation, NoticeQuery
from schema.objections import ObjectionMutation, ObjectionQuery
from schema.outcomes import OutcomeMutation
from schema.profiles import COMPILED as COMPILED_PROFILE
from schema.profiles import ProfileQuery
from schema.repairs import RepairMutation, RepairQuery
from schema.reports import ReportMutation, ReportQuery
from schema.scalars import SCALAR_MAP
from schema.scenario_rules import ScenarioRulesMutation, ScenarioRulesQuery
from schema.shares import ShareQuery
from schema.stats import StatsQuery
from schema.supervision import SupervisionMutation, SupervisionQuery
from schema.supervision_rules import SupervisionRulesMutation, SupervisionRulesQuery
from schema.webhooks import WebhookMutation, WebhookQuery
from schema.white_list import WhiteListMutation, WhiteListQuery

__all__ = ["build_schema", "compiled_plans", "get_schema"]

QUERIES: tuple[type, ...] = (
    ClientQuery,
    EntityQuery,
    ProfileQuery,
    ConsentQuery,
    ConsentRequestQuery,
    AuditQueryType,
    ScenarioRulesQuery,
    EligibilityQuery,
    StatsQuery,
    DryRunQuery,
    ObjectionQuery,
    RepairQuery,
    CommitmentQuery,
    ShareQuery,
    WhiteListQuery,
    SupervisionQuery,
    SupervisionRulesQuery,
    ReportQuery,
    ListObjectionQuery,
    NoticeQuery,
    WebhookQuery,
)
MUTATIONS: tuple[type, ...] = (
    ConsentMutation,
    ConsentLifecycleMutation,
    ConsentRequestMutation,
    ClientMutation,
    OutcomeMutation,
    ScenarioRulesMutation,
    ObjectionMutation,
    RepairMutation,
    CommitmentMutation,
    WhiteListMutation,
    SupervisionMutation,
    SupervisionRulesMutation,
    ReportMutation,
    ListObjectionMutation,
    NoticeMutation,
    WebhookMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (AlertSubscription, EventSubscription)


# graphql-core appends "Did you mean …?" to unknown fields, arguments, types,
# enum values and input fields; each names a part of the schema.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HubSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: Any, extensions: list[Any]
    ) -> SchemaExtensionsRunner:
        # Hooks wrapped once per extension class (schema.hooks), not per request.
        return LeanExtensionsRunner(
            execution_context=execution_context, extensions=extensions
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        # Expected failures are outcomes, not incidents: CodedErrors logs the
        # unexpected ones (once, with traceback); nothing else is logged here.
        if self.config.disable_field_suggestions:
            # Production (introspection off): no suggestion of any kind may
            # leak the schema, not only the field suggestions Strawberry drops.
            for error in errors:
                error.message = _SUGGESTION.sub("", error.message)


def build_schema(*, production: bool) -> strawberry.Schema:
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ParserCache,
        lambda: AddValidationRules(list(RULES)),
        ValidationCache,
        CodedErrors,
    ]
    if production:
        extensions.append(DisableIntrospection)
    return HubSchema(
        query=merge_types("Query", QUERIES),
        mutation=merge_types("Mutation", MUTATIONS),
        subscription=merge_types("Subscription", SUBSCRIPTIONS),
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=production,
            scalar_map=SCALAR_MAP,  # type: ignore[arg-type]
        ),
    )


@lru_cache
def get_schema(production: bool = False) -> strawberry.Schema:
    return build_schema(production=production)


def compiled_plans(production: bool = False) -> Plans:
    """Compiled documents for the hot reads of :func:`get_schema`'s schema."""
    fields = (COMPILED_PROFILE,)
    return Plans(
        get_schema(production)._schema,
        {f.name: f for f in fields},
        production=production,
    )

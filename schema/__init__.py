"""The GraphQL schema: domain modules merged into one Query, Mutation, Subscription."""

from __future__ import annotations

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
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

import schema.enums  # noqa: F401  (registers enums before any type uses them)
from schema.alerts import AlertSubscription
from schema.audit import AuditQueryType
from schema.clients import ClientMutation, ClientQuery
from schema.commitments import CommitmentMutation, CommitmentQuery
from schema.consents import ConsentMutation, ConsentQuery
from schema.dry_runs import DryRunQuery
from schema.eligibility import EligibilityQuery
from schema.entity import EntityQuery
from schema.errors import CodedErrors
from schema.events import EventSubscription
from schema.limits import MAX_TOKENS, RULES
from schema.notices import NoticeMutation, NoticeQuery
from schema.objections import ObjectionMutation, ObjectionQuery
from schema.outcomes import OutcomeMutation
from schema.profiles import ProfileQuery
from schema.repairs import RepairMutation, RepairQuery
from schema.scalars import SCALAR_MAP
from schema.scenario_rules import ScenarioRulesMutation, ScenarioRulesQuery
from schema.shares import ShareQuery
from schema.stats import StatsQuery
from schema.webhooks import WebhookMutation, WebhookQuery

__all__ = ["build_schema", "get_schema"]

QUERIES: tuple[type, ...] = (
    ClientQuery,
    EntityQuery,
    ProfileQuery,
    ConsentQuery,
    AuditQueryType,
    ScenarioRulesQuery,
    EligibilityQuery,
    StatsQuery,
    DryRunQuery,
    ObjectionQuery,
    RepairQuery,
    CommitmentQuery,
    ShareQuery,
    NoticeQuery,
    WebhookQuery,
)
MUTATIONS: tuple[type, ...] = (
    ConsentMutation,
    ClientMutation,
    OutcomeMutation,
    ScenarioRulesMutation,
    ObjectionMutation,
    RepairMutation,
    CommitmentMutation,
    NoticeMutation,
    WebhookMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (AlertSubscription, EventSubscription)


class HubSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        # Expected failures are outcomes, not incidents: CodedErrors logs the
        # unexpected ones (once, with traceback); nothing else is logged here.
        return None


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

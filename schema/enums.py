"""Register the domain enums with Strawberry once, under their contract names."""

from __future__ import annotations

import strawberry

from hub import enums

__all__ = ["register"]

_NAMES = (
    "PrincipalKind",
    "Purpose",
    "DataCategory",
    "EntityKind",
    "Grade",
    "Severity",
    "RecordStatus",
    "ListKind",
    "ConsentStatus",
    "ConsentRequestStatus",
    "DecisionOutcome",
    "ObjectionStatus",
    "ObjectionResolution",
    "RepairStatus",
    "CommitmentKind",
    "CommitmentStatus",
    "WhiteListStatus",
    "ReportSection",
    "ListObjectionStatus",
    "EventType",
)


def register() -> None:
    for name in _NAMES:
        cls = getattr(enums, name)
        if not hasattr(cls, "__strawberry_definition__"):
            strawberry.enum(cls, name=name)


register()

"""The access policy, loaded from data and validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.enums import AccessBasis, DataCategory, PrincipalKind, Purpose

__all__ = [
    "AccessPolicy",
    "BasisRule",
    "FairUse",
    "default_policy",
    "load_policy",
]

DEFAULT_PATH = Path(__file__).with_name("policy.yaml")


class BasisRule(BaseModel):
    """One basis of access: who may use it and which categories it reaches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: frozenset[PrincipalKind]
    basis: str
    categories: frozenset[DataCategory] | None = None


class FairUse(BaseModel):
    """Fair-use limits of one purpose (``fair_use`` in the policy file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # 征信业管理条例 Art 14 / DESIGN.md: a consent runs at most 365 days.
    max_days: int = Field(ge=1, le=365)
    max_reads: int = Field(ge=1)
    max_data_life_days: int = Field(ge=1)


class AccessPolicy(BaseModel):
    """Who may hold which purpose; which categories a purpose may cover.

    >>> default_policy().may_hold(PrincipalKind.BANK, Purpose.LENDING)
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    basis: str
    kinds: dict[PrincipalKind, frozenset[Purpose]]
    purposes: dict[Purpose, frozenset[DataCategory]]
    fair_use: dict[Purpose, FairUse]
    bases: dict[AccessBasis, BasisRule]

    @model_validator(mode="after")
    def _complete(self) -> AccessPolicy:
        missing = set(PrincipalKind) - set(self.kinds)
        if missing:
            raise ValueError(f"policy names no purposes for kinds {sorted(missing)}")
        undefined = {p for ps in self.kinds.values() for p in ps} - set(self.purposes)
        if undefined:
            raise ValueError(f"purposes {sorted(undefined)} have no category list")
        # A purpose no consent can be given for (no categories, e.g.
        # SUPERVISION on its statutory basis) needs no fair-use limits.
        unbounded = {p for p, cats in self.purposes.items() if cats} - set(
            self.fair_use
        )
        if unbounded:
            raise ValueError(f"purposes {sorted(unbounded)} have no fair_use limits")
        stray = set(self.fair_use) - set(self.purposes)
        if stray:
            raise ValueError(f"fair_use names undeclared purposes {sorted(stray)}")
        absent = set(AccessBasis) - set(self.bases)
        if absent:
            raise ValueError(f"policy declares no rule for bases {sorted(absent)}")
        for name in (AccessBasis.CONSENT, AccessBasis.SUBJECT):
            if self.bases[name].categories is not None:
                raise ValueError(f"basis {name} takes its categories from the access")
        for name, rule in self.bases.items():
            if name not in (AccessBasis.CONSENT, AccessBasis.SUBJECT) and (
                rule.categories is None
            ):
                raise ValueError(f"basis {name} must list the categories it reaches")
        return self

    def may_hold(self, kind: PrincipalKind, purpose: Purpose) -> bool:
        return purpose in self.kinds.get(kind, frozenset())

    def categories_for(self, purpose: Purpose) -> frozenset[DataCategory]:
        return self.purposes.get(purpose, frozenset())

    def limits_for(self, purpose: Purpose) -> FairUse:
        return self.fair_use[purpose]

    def allows(self, basis: AccessBasis, kind: PrincipalKind) -> bool:
        return kind in self.bases[basis].kinds


def load_policy(path: Path | str) -> AccessPolicy:
    with open(path, encoding="utf-8") as fh:
        return AccessPolicy.model_validate(yaml.safe_load(fh))


@lru_cache
def default_policy() -> AccessPolicy:
    return load_policy(DEFAULT_PATH)

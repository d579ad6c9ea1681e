"""The evaluation model as data: a YAML file validated with pydantic at load.

Indicators are tried in file order; each record is attributed to the *first*
record indicator that matches it, so every record is counted at most once and
a catch-all indicator at the end picks up whatever the specific ones left.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.enums import DataCategory, Grade, ListKind, Severity
from hub.errors import ErrorCode, HubError

__all__ = [
    "AgeIndicator",
    "Cap",
    "CountIndicator",
    "EvaluationModel",
    "LatestIndicator",
    "ListIndicator",
    "RecordMatch",
    "default_model",
    "load_model",
]

DEFAULT_MODEL_FILE = Path(__file__).with_name("kaifeng-1000-v1.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordMatch(_Strict):
    """Every given field must match; ``details`` compares detail values."""

    category: DataCategory | None = None
    kinds: tuple[str, ...] | None = None
    severities: tuple[Severity, ...] | None = None
    details: dict[str, str | int | float | bool] | None = None

    def matches(
        self, category: str, kind: str, severity: str, details: dict[str, Any] | None
    ) -> bool:
        if self.category is not None and category != self.category:
            return False
        if self.kinds is not None and kind not in self.kinds:
            return False
        if self.severities is not None and severity not in self.severities:
            return False
        if self.details:
            got = details or {}
            return all(got.get(k) == v for k, v in self.details.items())
        return True


class CountIndicator(_Strict):
    """``points`` per matching record, counting at most ``max_count`` records."""

    type: Literal["count"]
    code: str
    description: str  # format fields: {count}, {counted}, {points}
    match: RecordMatch
    points: int
    max_count: int | None = Field(None, ge=1)


class LatestIndicator(_Strict):
    """Points looked up from one detail field of the latest matching record."""

    type: Literal["latest"]
    code: str
    description: str  # format field: {value}
    match: RecordMatch
    field: str
    points: dict[str, int]


class ListIndicator(_Strict):
    """Points once when any membership of ``list_kind`` is in force."""

    type: Literal["list"]
    code: str
    description: str  # format field: {names}
    list_kind: ListKind
    points: int


class AgeIndicator(_Strict):
    """Points per full year since establishment, up to ``max_years``."""

    type: Literal["age"]
    code: str
    description: str  # format fields: {years}, {counted}
    points_per_year: int
    max_years: int = Field(ge=1)


Indicator = Annotated[
    CountIndicator | LatestIndicator | ListIndicator | AgeIndicator,
    Field(discriminator="type"),
]


class Cap(_Strict):
    """The grade may not be better than ``max_grade`` while ``when`` holds."""

    code: str
    description: str
    when: Literal["black_list", "serious_record"]
    max_grade: Grade


class EvaluationModel(_Strict):
    model_version: str = Field(min_length=1, max_length=32)
    standard: str
    base_score: int = Field(ge=0, le=1000)
    max_score: int = Field(1000, ge=1, le=1000)
    indicators: tuple[Indicator, ...]
    caps: tuple[Cap, ...] = ()

    @model_validator(mode="after")
    def _unique_codes(self) -> EvaluationModel:
        codes = [i.code for i in self.indicators] + [c.code for c in self.caps]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"indicator/cap codes must be unique: {dupes}")
        return self


def load_model(path: str | Path) -> EvaluationModel:
    """Read and validate a model file; a bad file is a VALIDATION_ERROR."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return parse_model(raw, source=str(path))


def parse_model(raw: Any, *, source: str = "<data>") -> EvaluationModel:
    try:
        return EvaluationModel.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HubError(
            f"evaluation model {source} is invalid at {where}: {first['msg']}",
            ErrorCode.VALIDATION_ERROR,
        ) from exc


@lru_cache(maxsize=1)
def default_model() -> EvaluationModel:
    return load_model(DEFAULT_MODEL_FILE)

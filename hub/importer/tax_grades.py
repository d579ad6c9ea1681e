"""Tax credit grades that can exist (纳税缴费信用管理办法, 2025).

A ``TAX_RATING`` record's ``details`` carry the grade (``rating``) and, as the
tax bureau states them, ``score`` (0–100), ``serious_dishonesty`` and, for
grade M, ``m_basis``.  The grades:

* A: score ≥ 90; B: 70–89; C: 40–69; D: < 40 — or directly D for serious
  dishonesty (严重失信), whatever the score;
* M: only a new taxpayer (新设立经营主体, ``m_basis: NEW``) or one without
  operating revenue in the year (``NO_REVENUE``), whose score, when stated,
  is at least 70.

A row saying otherwise — A with serious dishonesty, M without either
reason, a score that means another grade — is not a grade the bureau can
have issued; it is quarantined with the reason rather than scored
(``hub.importer.rows``; connectors pass the same check).

>>> tax_grade_problem({"rating": "M", "score": 55})
'grade M is only for a new taxpayer or one without operating revenue: …'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["M_BASES", "TAX_RATINGS", "grade_for_score", "tax_grade_problem"]

TAX_RATINGS = ("A", "B", "M", "C", "D")
M_BASES = ("NEW", "NO_REVENUE")
_SOURCE = "纳税缴费信用管理办法（2025）"


def grade_for_score(score: float) -> str:
    if score >= 90:
        return "A"
    if score >= 70:
        return "B"
    return "C" if score >= 40 else "D"


def tax_grade_problem(details: Mapping[str, Any] | None) -> str | None:
    """Why these details are not a possible grade, or None."""
    d = details or {}
    rating = d.get("rating")
    if rating not in TAX_RATINGS:
        return (
            f"details.rating must be one of {', '.join(TAX_RATINGS)} "
            f"({_SOURCE}), got {rating!r}"
        )
    score = d.get("score")
    if score is not None and (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or not 0 <= score <= 100
    ):
        return f"details.score must be a number from 0 to 100, got {score!r}"
    serious = d.get("serious_dishonesty")
    if serious not in (None, True, False):
        return f"details.serious_dishonesty must be true or false, got {serious!r}"
    if serious and rating != "D":
        return (
            f"grade {rating} with serious dishonesty: serious dishonesty is rated "
            f"D directly ({_SOURCE})"
        )
    if rating == "M":
        basis = d.get("m_basis")
        if basis not in M_BASES:
            return (
                "grade M is only for a new taxpayer or one without operating "
                "revenue: details.m_basis must say which (NEW or NO_REVENUE), "
                f"got {basis!r} ({_SOURCE})"
            )
        if score is not None and score < 70:
            return (
                f"grade M needs a score of at least 70; {score:g} is grade "
                f"{grade_for_score(score)} ({_SOURCE})"
            )
        return None
    if score is not None and not (rating == "D" and serious):
        expected = grade_for_score(score)
        if expected != rating:
            return f"score {score:g} means grade {expected}, not {rating} ({_SOURCE})"
    return None

"""信易批 fast-track approval: 容缺受理 and 告知承诺 (APPROVAL consent)."""

from hub.enums import DataCategory as C
from hub.enums import Purpose
from scenarios.base import TableScenario

__all__ = ["scenario"]

scenario = TableScenario.beside(
    __file__,
    key="fast-track-approval",
    name="信易批 容缺受理 / 告知承诺",
    description=(
        "Tells an agency whether an applicant may use tolerant acceptance "
        "(容缺受理: accepted with non-core documents missing) and the "
        "notification-commitment system (告知承诺制) for permits; both are "
        "FAST_TRACK benefits."
    ),
    purpose=Purpose.APPROVAL,
    categories=frozenset({C.BASIC, C.EVALUATION, C.PENALTY, C.COMMITMENT}),
    benefit_codes=("FAST_TRACK",),
)

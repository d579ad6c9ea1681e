"""Joint punishment: BLACK list or an active SERIOUS record → RESTRICTED.

国办发〔2019〕35号 §10 (深入开展失信联合惩戒): entities on the serious-dishonesty
list get no credit incentives, no fast track and no waivers in any scenario.
This is applied by the engine itself, before and whatever the scenario's
published rules say, and it uses only public information, so it applies even
when the caller holds no consent.
"""

from __future__ import annotations

from hub.decisions.verdict import Reason
from hub.enums import ListKind, RecordStatus, Severity
from hub.evaluation.inputs import EntityData

__all__ = ["BASIS", "joint_punishment_reasons"]

BASIS = "国办发〔2019〕35号 §10（深入开展失信联合惩戒）"


def joint_punishment_reasons(data: EntityData) -> tuple[Reason, ...]:
    """One reason per BLACK list membership in force, one for serious records.

    A DISPUTED serious record does not restrict while its objection is open
    (征信业管理条例 Art 25); a BLACK list membership always does.
    """
    reasons = [
        Reason(
            "JP-BLACK-LIST",
            f"列入严重失信主体名单「{m.list_name}」（认定依据：{m.basis}），"
            "依法实施失信联合惩戒",
            f"{BASIS}；{m.list_name}",
        )
        for m in sorted(data.lists, key=lambda m: (m.since, m.list_name))
        if m.kind == ListKind.BLACK
    ]
    serious = sum(
        1
        for r in data.records
        if r.severity == Severity.SERIOUS and r.status == RecordStatus.ACTIVE
    )
    if serious:
        reasons.append(
            Reason(
                "JP-SERIOUS-RECORD",
                f"存在 {serious} 条公示期内的严重失信记录，依法实施失信联合惩戒",
                f"{BASIS}；信用修复管理办法（严重失信信息公示期 1–3 年）",
            )
        )
    return tuple(reasons)

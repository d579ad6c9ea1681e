"""Joint punishment: a BLACK list membership in force → RESTRICTED.

国办发〔2019〕35号 §八 (认定失信联合惩戒对象) and §十 (深入开展失信联合惩戒):
entities on a serious-dishonesty list (严重失信主体名单, including the courts'
失信被执行人名单) get no credit incentives, no fast track and no waivers in any
scenario.  The engine applies it before, and whatever, the scenario's
published rules say; the lists are public, so it applies without consent.

Punishment follows the lists, never single records outside them: 平信用〔2021〕
1号 §11 ("防止小过重惩") and Henan's 2022 plan ("避免…惩戒泛化").  A SERIOUS
record that no list rests on restricts nothing by itself; under a consent
covering its category a scenario's own rules may still weigh it, as an
ordinary rule with its own legal basis.  Nothing here looks at a record, so
no answer can disclose one.

A membership under objection (DISPUTED) keeps its effect until the objection
removes it (contract v2, "Lists"); an ENDED one is not loaded at all.
"""

from __future__ import annotations

from hub.decisions.verdict import Reason
from hub.enums import ListKind
from hub.evaluation.inputs import EntityData

__all__ = ["BASIS", "joint_punishment_reasons"]

BASIS = "国办发〔2019〕35号 §八/§十（失信联合惩戒）；平信用〔2021〕1号 §11"


def joint_punishment_reasons(data: EntityData) -> tuple[Reason, ...]:
    """One reason per BLACK list membership in force, oldest first."""
    return tuple(
        Reason(
            "JP-BLACK-LIST",
            f"列入严重失信主体名单「{m.list_name}」（认定依据：{m.basis}），"
            "依法实施失信联合惩戒",
            f"{BASIS}；{m.list_name}",
        )
        for m in sorted(data.lists, key=lambda m: (m.since, m.list_name))
        if m.kind == ListKind.BLACK
    )

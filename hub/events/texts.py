"""The subject's notices in Chinese: a title and a body per event type.

A notice names the record by its category and number, never by its content:
the inbox outlives records (negative information is deleted five years after
the act ends, 征信业管理条例 Art 16), and the record itself is shown, live,
when the enterprise opens its notices.

>>> title, body = notice_text(event, client_name="郑州银行")
"""

from __future__ import annotations

from hub.enums import DataCategory, EventType, Purpose
from hub.models import OutboxEvent

__all__ = ["CATEGORY_NAMES", "PURPOSE_NAMES", "notice_text"]

CATEGORY_NAMES = {
    DataCategory.BASIC.value: "基础信息",
    DataCategory.LICENSING.value: "行政许可",
    DataCategory.PENALTY.value: "行政处罚",
    DataCategory.TAX.value: "纳税信用",
    DataCategory.JUDICIAL.value: "司法信息",
    DataCategory.UTILITIES.value: "公用事业缴费",
    DataCategory.SOCIAL_INSURANCE.value: "社会保险",
    DataCategory.COMMITMENT.value: "信用承诺",
    DataCategory.HONOR.value: "荣誉表彰",
    DataCategory.EVALUATION.value: "公共信用综合评价",
}
PURPOSE_NAMES = {
    Purpose.LENDING.value: "信贷审批",
    Purpose.GUARANTEE.value: "融资担保",
    Purpose.INSURANCE.value: "保险承保",
    Purpose.INCENTIVE.value: "守信激励",
    Purpose.APPROVAL.value: "行政审批",
    Purpose.MONITORING.value: "贷后监测",
}
_LIST_KINDS = {
    "RED": "守信红名单",
    "BLACK": "严重失信主体名单",
    "FOCUS": "重点关注名单",
    "WHITE": "信易贷白名单",
}
_REACHES = "此前 12 个月内获得过该记录的机构将收到通知（征信业管理条例第二十五条）。"


def _record(e: OutboxEvent) -> str:
    category = CATEGORY_NAMES.get(e.category or "", e.category or "")
    return f"{category}记录（编号 {e.record_id}）"


def _list(e: OutboxEvent) -> tuple[str, str]:
    raw = (e.data or {}).get("list") or {}
    name = str(raw.get("list_name") or _LIST_KINDS.get(str(raw.get("kind")), "名单"))
    return name, str(raw.get("basis") or "")


def notice_text(e: OutboxEvent, *, client_name: str | None = None) -> tuple[str, str]:
    """(title, body) of the subject's notice of ``e``; ``client_name`` is the
    grantee or requester of a consent event."""
    who = client_name or "相关机构"
    consent = f"（授权编号 {e.consent_id}）" if e.consent_id else ""
    kind = EventType(e.type)
    if kind is EventType.NEW_NEGATIVE_RECORD:
        return (
            "新增负面信用记录",
            f"您的信用档案新增一条{_record(e)}，正在向授权机构提供。"
            "如认为记录有误，可提出异议（征信业管理条例第二十五条）；"
            "符合条件的，可在最短公示期满后申请信用修复。",
        )
    if kind is EventType.RECORD_CORRECTED:
        return "信用记录已更正", f"您的{_record(e)}已更正。{_REACHES}"
    if kind is EventType.RECORD_REVOKED:
        return (
            "信用记录已撤销",
            f"您的{_record(e)}已撤销，不再向任何机构提供。{_REACHES}",
        )
    if kind is EventType.RECORD_REPAIRED:
        return (
            "信用修复已完成",
            f"您的{_record(e)}已完成信用修复，不再向任何机构提供，"
            f"公共信用综合评价将重新计算。{_REACHES}",
        )
    if kind is EventType.RECORD_EXPIRED:
        return (
            "信用记录公示期满",
            f"您的{_record(e)}公示期已满，不再向机构提供，也不再计入评价。",
        )
    if kind is EventType.LISTED:
        name, basis = _list(e)
        return (
            f"列入{name}",
            f"您已被列入{name}" + (f"，依据：{basis}" if basis else "") + "。"
            "如有异议，可向信用主管部门提出。",
        )
    if kind is EventType.DELISTED:
        name, _ = _list(e)
        return f"移出{name}", f"您在{name}中的列入已结束。"
    if kind is EventType.GRADE_CHANGED:
        grade = (e.data or {}).get("grade") or {}
        old = grade.get("from") or "无"
        return (
            "公共信用综合评价等级变更",
            f"您的公共信用综合评价等级由 {old} 级变为 {grade.get('to')} 级"
            f"（{grade.get('score')} 分）。",
        )
    return _consent_text(kind, who, consent, e)


def _consent_text(
    kind: EventType, who: str, consent: str, e: OutboxEvent
) -> tuple[str, str]:
    request = f"（请求编号 {e.consent_request_id}）" if e.consent_request_id else ""
    texts = {
        EventType.CONSENT_REQUESTED: (
            "新的授权请求",
            f"{who}请求您授权查询信用信息{request}，请在 7 日内同意或拒绝；"
            "同意时可缩小授权范围。",
        ),
        EventType.CONSENT_GRANTED: (
            "授权已生效",
            f"您对{who}的授权已生效{consent}。您可随时暂停或撤回。",
        ),
        EventType.CONSENT_AMENDED: ("授权已变更", f"您对{who}的授权已变更{consent}。"),
        EventType.CONSENT_PAUSED: (
            "授权已暂停",
            f"您对{who}的授权已暂停{consent}，恢复前该机构不能查询。",
        ),
        EventType.CONSENT_RESUMED: ("授权已恢复", f"您对{who}的授权已恢复{consent}。"),
        EventType.CONSENT_REVOKED: (
            "授权已撤回",
            f"您对{who}的授权已撤回{consent}，自下一次查询起生效。",
        ),
        EventType.CONSENT_EXPIRING: (
            "授权即将到期",
            f"您对{who}的授权将在 14 日内到期{consent}；如需继续，请重新授权。",
        ),
        EventType.CONSENT_EXPIRED: ("授权已到期", f"您对{who}的授权已到期{consent}。"),
        EventType.CONSENT_REQUEST_DECIDED: (
            "授权请求已处理",
            f"您对{who}的授权请求的处理结果已通知该机构{request}。",
        ),
    }
    return texts[kind]

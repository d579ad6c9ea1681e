"""The verify page of a credit report (``GET /reports/{id}``), server-rendered.

Chinese first, self-contained (no external assets), every value escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from hub.enums import ReportSection
from hub.reports.content import SECTION_TITLES
from hub.reports.pdf import LIST_KINDS, SEVERITY
from hub.reports.service import ReportView

__all__ = ["render_html", "render_missing"]

_STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}.ok{background:#e8f5e9;border:1px solid #2e7d32}
.bad{background:#ffebee;border:1px solid #c62828}
.banner{padding:.8rem 1rem;margin:1rem 0}
code{word-break:break-all;font-size:.8rem}
"""


def _e(value: Any) -> str:
    return escape("—" if value in (None, "") else str(value))


def _rows(rows: list[list[Any]], header: list[str] | None = None) -> str:
    head = (
        "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"
        if header
        else ""
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table>{head}{body}</table>"


def _section(report: dict[str, Any], section: ReportSection) -> str:
    title = f"<h2>{_e(SECTION_TITLES[section])}</h2>"
    if section is ReportSection.BASIC:
        s = report["subject"]
        return title + _rows(
            [
                ["统一社会信用代码", s.get("uscc")],
                ["名称", s.get("name")],
                ["主体类型", s.get("kind")],
                ["所在地代码", s.get("regionCode")],
                ["行业代码", s.get("industryCode")],
                ["成立日期", s.get("establishedOn")],
                ["注册资本（元）", s.get("registeredCapital")],
                ["法定代表人", s.get("legalRepresentative")],
                ["登记状态", s.get("status")],
            ]
        )
    if section is ReportSection.EVALUATION:
        e = report.get("evaluation") or {}
        return title + _rows(
            [
                ["得分", e.get("score")],
                ["等级", e.get("grade")],
                ["评价模型", e.get("model")],
                ["评价时间", e.get("evaluatedAt")],
            ]
        )
    if section is ReportSection.LISTS:
        items = report.get("lists") or []
        rows = [
            [
                LIST_KINDS.get(m["kind"], m["kind"]),
                m["listName"],
                m["basis"],
                f"{m['since']} 至 {m['until'] or '今'}",
            ]
            for m in items
        ]
        header = ["名单", "名单名称", "认定依据", "起止日期"]
    else:
        items = (report.get("records") or {}).get(str(section), [])
        rows = [
            [
                r["decidedOn"],
                r["title"],
                r["authority"],
                SEVERITY.get(r["severity"], r["severity"]),
                r["mark"] or "有效",
            ]
            for r in items
        ]
        header = ["决定日期", "内容", "机关", "程度", "状态"]
    if not items:
        return title + "<p>报告期间内无记录。</p>"
    return title + _rows(rows, header)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def render_html(v: ReportView, *, pdf_url: str, jwks_url: str) -> str:
    row = v.row
    if not v.verified:
        banner = (
            '<div class="banner bad" data-testid="report-status" data-status="INVALID">'
            "✗ 签名无效：本报告内容无法通过核验，请勿采信。</div>"
        )
    elif v.revoked:
        banner = (
            '<div class="banner bad" data-testid="report-status" data-status="REVOKED">'
            f"✗ 签名有效，但本报告已于 {_e(row.revoked_at)} 由出具主体撤回，不再有效。"
            "</div>"
        )
    else:
        banner = (
            '<div class="banner ok" data-testid="report-status" data-status="VALID">'
            "✓ 签名有效，报告未被撤回。</div>"
        )
    body = f"<h1>信用报告（专项）</h1>{banner}"
    report = v.report
    if report is not None:
        body += _rows(
            [
                ["报告编号", report["id"]],
                ["统一社会信用代码", report["subject"]["uscc"]],
                ["主体名称", report["subject"]["name"]],
                ["报告期间", f"{report['period']['from']} 至 {report['period']['to']}"],
                ["报告用途", report["purpose"]],
                ["出具时间", report["issuedAt"]],
            ]
        )
        body += "".join(_section(report, ReportSection(s)) for s in report["sections"])
        body += f'<p><a href="{_e(pdf_url)}">下载 PDF</a></p>'
    body += (
        "<details><summary>签名（JWS，可用 "
        f'<a href="{_e(jwks_url)}">公钥</a> 离线核验）</summary>'
        f"<p><code>{_e(row.signed)}</code></p></details>"
        "<p><small>已修复的失信信息如实列示并标注“已修复”；已届满公示期的信息不予列示。"
        "每次核验均记录在该主体可查阅的访问记录中。</small></p>"
    )
    return _page(f"信用报告 {row.uscc}", body)


def render_missing() -> str:
    return _page(
        "未找到报告", "<h1>未找到该信用报告</h1><p>请核对报告编号或核验地址。</p>"
    )

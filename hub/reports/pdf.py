"""A credit report as PDF, in Chinese (ReportLab).

The text is drawn in a CJK font: ``HUB_REPORT_FONT`` (a TrueType .ttf/.ttc)
or the first usual Debian CJK font found, embedded as a subset so the PDF
shows the same text on any machine; without one, the PDF standard CJK font
STSong-Light (Adobe-GB1), which viewers supply.  Either way the text is real
text (searchable, extractable), and the page carries the verify URL as text
and as a QR code.  Rendered from the *verified* signed content only.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hub.enums import ReportSection
from hub.reports.content import SECTION_TITLES

__all__ = ["FONT_CANDIDATES", "render_pdf", "report_font"]

log = logging.getLogger("hub.reports")

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
CID_FONT = "STSong-Light"
SEVERITY = {"NONE": "—", "MINOR": "轻微", "ORDINARY": "一般", "SERIOUS": "严重"}
LIST_KINDS = {
    "RED": "红名单",
    "BLACK": "黑名单",
    "FOCUS": "重点关注",
    "WHITE": "白名单",
}


@lru_cache
def report_font(configured: str | None) -> str:
    """Register and name the font reports are drawn in (see module doc)."""
    paths = [configured] if configured else []
    paths += [p for p in FONT_CANDIDATES if Path(p).is_file()]
    for path in paths:
        try:
            pdfmetrics.registerFont(TTFont("ReportCJK", path, subfontIndex=0))
            return "ReportCJK"
        except Exception as exc:  # a bad file must not stop reports
            log.warning("report font %s not usable (%s); trying the next", path, exc)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    base.wordWrap = "CJK"  # break lines between Chinese characters
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18),
        "alert": ParagraphStyle("alert", parent=base, textColor=colors.red),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
    }


def _esc(value: Any) -> str:
    text = "—" if value in (None, "") else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(rows: list[list[Any]], st: ParagraphStyle, widths: list[float]) -> Table:
    cells = [[Paragraph(_esc(c), st) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    size = 28 * mm
    drawing = Drawing(
        size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _section(report: dict[str, Any], section: ReportSection, st: dict) -> list[Any]:
    out: list[Any] = [Spacer(1, 4 * mm), Paragraph(SECTION_TITLES[section], st["h2"])]
    body = st["body"]
    if section is ReportSection.BASIC:
        s = report["subject"]
        rows = [
            ["统一社会信用代码", s.get("uscc")],
            ["名称", s.get("name")],
            ["主体类型", s.get("kind")],
            ["登记机关所在地代码", s.get("regionCode")],
            ["行业代码", s.get("industryCode")],
            ["成立日期", s.get("establishedOn")],
            ["注册资本（元）", s.get("registeredCapital")],
            ["法定代表人", s.get("legalRepresentative")],
            ["登记状态", s.get("status")],
        ]
        return [*out, _table(rows, body, [45 * mm, 125 * mm])]
    if section is ReportSection.EVALUATION:
        e = report.get("evaluation") or {}
        rows = [
            ["得分", e.get("score")],
            ["等级", e.get("grade")],
            ["评价模型", e.get("model")],
            ["评价时间", e.get("evaluatedAt")],
        ]
        return [*out, _table(rows, body, [45 * mm, 125 * mm])]
    if section is ReportSection.LISTS:
        items = report.get("lists") or []
        rows = [["名单", "名单名称", "认定依据", "起止日期"]] + [
            [
                LIST_KINDS.get(m["kind"], m["kind"]),
                m["listName"],
                m["basis"],
                f"{m['since']} 至 {m['until'] or '今'}",
            ]
            for m in items
        ]
        widths = [20 * mm, 50 * mm, 60 * mm, 40 * mm]
    else:
        items = (report.get("records") or {}).get(str(section), [])
        rows = [["决定日期", "内容", "机关", "程度", "状态"]] + [
            [
                r["decidedOn"],
                r["title"],
                r["authority"],
                SEVERITY.get(r["severity"], r["severity"]),
                r["mark"] or "有效",
            ]
            for r in items
        ]
        widths = [22 * mm, 70 * mm, 44 * mm, 14 * mm, 20 * mm]
    if not items:
        return [*out, Paragraph("报告期间内无记录。", body)]
    return [*out, _table(rows, body, widths)]


def render_pdf(
    report: dict[str, Any],
    *,
    verify_url: str,
    jwks_url: str,
    revoked_at: str | None,
    font: str,
) -> bytes:
    """The report (its verified signed content) as an A4 PDF."""
    st = _styles(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"信用报告 {report['subject']['uscc']}",
        author=report.get("iss", "xinyi-hub"),
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        invariant=1,  # the same report renders to the same bytes
    )
    story: list[Any] = [Paragraph("信用报告（专项）", st["title"])]
    if revoked_at:
        story.append(
            Paragraph(
                f"本报告已于 {revoked_at} 由出具主体撤回，不再有效。", st["alert"]
            )
        )
    subject = report["subject"]
    meta = [
        ["报告编号", report["id"]],
        ["统一社会信用代码", subject["uscc"]],
        ["主体名称", subject["name"]],
        ["报告期间", f"{report['period']['from']} 至 {report['period']['to']}"],
        ["报告用途", report["purpose"]],
        ["出具时间", report["issuedAt"]],
        ["核验地址", verify_url],
    ]
    story += [
        Spacer(1, 3 * mm),
        Table(
            [[_table(meta, st["body"], [32 * mm, 104 * mm]), _qr(verify_url)]],
            colWidths=[138 * mm, 32 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
    ]
    for name in report["sections"]:
        story += _section(report, ReportSection(name), st)
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            "说明：已修复的失信信息如实列示并标注“已修复”；已届满公示期的信息不予列示。"
            "本报告由出具主体通过信易+平台签发，以数字签名（JWS）保护，任何一字之差都将"
            f"无法通过核验。在线核验：{_esc(verify_url)}；离线核验公钥：{_esc(jwks_url)}。",
            st["small"],
        ),
    ]
    doc.build(story)
    return buf.getvalue()

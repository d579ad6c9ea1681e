"""``GET /reports/{id}`` and ``GET /reports/{id}.pdf``: a report for whoever
holds its link, no token needed.

Each request verifies the stored signature and is audited (``report.verify``)
in the enterprise's access log; the audit event is committed before the
response leaves.  JSON for ``Accept: application/json``, HTML otherwise.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from hub.db import session_scope
from hub.reports import service
from hub.reports.html import render_html, render_missing
from hub.reports.pdf import render_pdf, report_font

__all__ = ["report_page", "report_pdf", "routes"]

# The page shows what the enterprise disclosed to link holders: not for
# search engines, caches or other sites' Referer logs.
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _view(request: Request, fmt: str) -> service.ReportView | None:
    hub = request.app.state.hub
    async with session_scope(hub.sessionmaker) as session:
        return await service.view(
            session, hub, request.path_params["report_id"], fmt=fmt
        )


def _json(v: service.ReportView, urls: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "id": v.row.id,
        "uscc": v.row.uscc,
        "verified": v.verified,
        "revoked": v.revoked,
        "revokedAt": v.revoked_at.isoformat() if v.revoked_at else None,
        "valid": v.valid,
        "report": v.report,
        "signed": v.row.signed,
        "verifyUrl": urls[0],
        "pdfUrl": urls[1],
        "jwksUrl": urls[2],
        "auditEventId": v.audit_event_id,
    }


async def report_page(request: Request) -> Response:
    wants_json = _wants_json(request)
    v = await _view(request, "json" if wants_json else "html")
    if v is None:
        if wants_json:
            return JSONResponse(
                {"error": "not_found", "message": "No such report."},
                status_code=404,
                headers=_HEADERS,
            )
        return HTMLResponse(render_missing(), status_code=404, headers=_HEADERS)
    urls = service.report_urls(request.app.state.hub, v.row.id)
    if wants_json:
        return JSONResponse(_json(v, urls), headers=_HEADERS)
    page = render_html(v, pdf_url=urls[1], jwks_url=urls[2])
    return HTMLResponse(page, headers=_HEADERS)


async def report_pdf(request: Request) -> Response:
    v = await _view(request, "pdf")
    if v is None:
        return Response("No such report.", status_code=404, headers=_HEADERS)
    if v.report is None:
        # Never lend a PDF's look to content whose signature does not verify.
        return Response(
            "This report's signature does not verify.",
            status_code=409,
            headers=_HEADERS,
        )
    hub = request.app.state.hub
    verify_url, _, jwks_url = service.report_urls(hub, v.row.id)
    revoked = v.revoked_at.strftime("%Y-%m-%d %H:%M UTC") if v.revoked_at else None
    pdf = await run_in_threadpool(
        lambda: render_pdf(
            v.report,  # type: ignore[arg-type]
            verify_url=verify_url,
            jwks_url=jwks_url,
            revoked_at=revoked,
            font=report_font(hub.settings.report_font),
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            **_HEADERS,
            "Content-Disposition": f'inline; filename="credit-report-{v.row.id}.pdf"',
        },
    )


routes: list[Route] = [
    # The .pdf route first: {report_id} alone would also match "….pdf".
    Route("/reports/{report_id}.pdf", report_pdf, methods=["GET"], name="report_pdf"),
    Route("/reports/{report_id}", report_page, methods=["GET"], name="report"),
]

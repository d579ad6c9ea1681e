"""Signed credit reports: issue, verify (JWKS and /reports/{id}), revoke, PDF."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from datetime import date, timedelta

import jwt
import pytest
from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import AuditEvent, CreditReport
from tests.api import Api

USCC = "91350100M000100Y43"
OTHER = "91110000100017643K"
ISSUE = """mutation($i: CreditReportInput!) { issueCreditReport(input: $i) {
  id uscc from to sections purpose signed verifyUrl pdfUrl revoked issuedAt } }"""
REVOKE = "mutation($id: ID!) { revokeCreditReport(id: $id) { id revoked } }"
SECTIONS = ["BASIC", "PENALTY", "TAX", "LISTS", "EVALUATION"]


def report_input(**over: object) -> dict:
    return {
        "i": {
            "uscc": USCC,
            "from": "2022-01-01",
            "to": "2026-11-23",
            "sections": SECTIONS,
            "purpose": "郑州市政府采购项目 ZZCG-2026-118 投标",
            **over,
        }
    }


@pytest.fixture
async def world(api: Api) -> Api:
    today = api.clock.today()
    await api.entity(USCC)
    await api.entity(OTHER, name="开封示范商贸有限公司")
    await api.record(USCC, "tax-2025")
    penalty = dict(category="PENALTY", kind="ADMIN_PENALTY", severity="ORDINARY")
    recent = today - timedelta(days=60)
    window = dict(
        decided_on=recent,
        publish_from=recent,
        publish_until=today + timedelta(days=300),
    )
    await api.record(USCC, "p-active", title="罚款2万元", **penalty, **window)
    await api.record(
        USCC,
        "p-repaired",
        title="警告（已整改）",
        status="REPAIRED",
        **penalty,
        **window,
    )
    await api.record(
        USCC, "p-revoked", title="撤销的处罚", status="REVOKED", **penalty, **window
    )
    await api.record(
        USCC,
        "p-expired",
        title="过期的处罚",
        status="EXPIRED",
        **penalty,
        decided_on=date(2024, 1, 5),
        publish_from=date(2024, 1, 5),
        publish_until=date(2025, 1, 5),
    )
    await api.record(
        USCC,
        "p-before",
        title="期间之前的处罚",
        **{**penalty, "severity": "NONE"},
        decided_on=date(2021, 6, 1),
        publish_from=date(2021, 6, 1),
    )
    await api.listing(USCC, "RED", list_name="纳税信用A级纳税人名单", basis="2025年度")
    return api


async def issue(api: Api, **over: object) -> dict:
    data = await api.data(ISSUE, report_input(**over), token=api.subject_token(USCC))
    return data["issueCreditReport"]  # type: ignore[no-any-return]


async def jwks_keys(api: Api) -> dict[str, jwt.PyJWK]:
    body = (await api.http.get("/.well-known/jwks.json")).json()
    return {k["kid"]: jwt.PyJWK(k) for k in body["keys"]}


async def offline_check(api: Api, signed: str) -> dict:
    """What a tender office does: verify with the published keys, no hub call."""
    key = (await jwks_keys(api))[jwt.get_unverified_header(signed)["kid"]]
    payload = jwt.api_jws.decode(signed, key.key, algorithms=["ES256", "RS256"])
    return json.loads(payload)  # type: ignore[no-any-return]


def one_byte_changed(signed: str) -> str:
    head, payload, sig = signed.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[len(raw) // 2] ^= 0x01
    changed = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    return ".".join((head, changed, sig))


async def verify_events(api: Api) -> list[AuditEvent]:
    async with api.hub.sessionmaker() as s:
        rows = await s.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject == USCC, AuditEvent.action == "report.verify")
            .order_by(AuditEvent.n)
        )
        return list(rows)


async def test_a_report_verifies_offline_and_online_and_fails_once_changed(
    world: Api,
):
    api = world
    report = await issue(api)
    rid = report["id"]
    # unguessable: at least 128 random bits
    assert len(base64.urlsafe_b64decode(rid + "=" * (-len(rid) % 4))) >= 16
    assert report["verifyUrl"] == f"http://127.0.0.1:8000/reports/{rid}"
    assert report["pdfUrl"] == f"http://127.0.0.1:8000/reports/{rid}.pdf"

    # offline, with the JWKS: the signed content is the report
    doc = await offline_check(api, report["signed"])
    assert (doc["id"], doc["subject"]["uscc"], doc["purpose"]) == (
        rid,
        USCC,
        "郑州市政府采购项目 ZZCG-2026-118 投标",
    )
    assert doc["period"] == {"from": "2022-01-01", "to": "2026-11-23"}
    # repaired items are included and marked; expired, revoked and out-of-period
    # ones are not
    penalties = {r["sourceId"]: r["mark"] for r in doc["records"]["PENALTY"]}
    assert penalties == {"p-active": None, "p-repaired": "已修复"}
    assert [r["sourceId"] for r in doc["records"]["TAX"]] == ["tax-2025"]
    assert [m["listName"] for m in doc["lists"]] == ["纳税信用A级纳税人名单"]
    assert doc["evaluation"]["grade"] in {"A", "B", "C", "D", "E"}
    assert doc["subject"]["name"] == "郑州示范科技有限公司"
    # one byte changed: the signature no longer verifies
    with pytest.raises(jwt.InvalidSignatureError):
        await offline_check(api, one_byte_changed(report["signed"]))

    # online, without a token: JSON for programs …
    r = await api.http.get(f"/reports/{rid}", headers={"accept": "application/json"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert (body["verified"], body["revoked"], body["valid"]) == (True, False, True)
    assert body["report"] == doc and body["signed"] == report["signed"]
    # … and HTML for people
    page = await api.http.get(f"/reports/{rid}", headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-status="VALID"' in page.text
    assert USCC in page.text and "已修复" in page.text and "过期的处罚" not in page.text

    # a stored report changed by one byte is shown as not verifying
    async with api.hub.sessionmaker.begin() as s:
        row = await s.get(CreditReport, rid)
        assert row is not None
        row.signed = one_byte_changed(row.signed)
    tampered = await api.http.get(
        f"/reports/{rid}", headers={"accept": "application/json"}
    )
    assert (tampered.json()["verified"], tampered.json()["report"]) == (False, None)
    page = await api.http.get(f"/reports/{rid}")
    assert 'data-status="INVALID"' in page.text
    assert (await api.http.get(f"/reports/{rid}.pdf")).status_code == 409

    # every check is audited and the enterprise sees it in its access log
    events = await verify_events(api)
    assert [(e.actor_id, e.outcome, e.detail["format"]) for e in events] == [
        ("anonymous", "VERIFIED", "json"),
        ("anonymous", "VERIFIED", "html"),
        ("anonymous", "INVALID", "json"),
        ("anonymous", "INVALID", "html"),
        ("anonymous", "INVALID", "pdf"),
    ]
    assert events[0].detail["basis"] == "REPORT"
    assert body["auditEventId"] == events[0].id
    log = await api.data(
        "query($u: USCC!) { accessLog(uscc: $u, first: 50) "
        "{ edges { node { action outcome } } } }",
        {"u": USCC},
        token=api.subject_token(USCC),
    )
    seen = [e["node"] for e in log["accessLog"]["edges"]]
    assert {"action": "report.verify", "outcome": "VERIFIED"} in seen
    assert {"action": "report.issue", "outcome": "ISSUED"} in seen


async def test_revocation_shows_on_the_verify_page(world: Api):
    api = world
    rid = (await issue(api))["id"]
    token = api.subject_token(USCC)
    out = await api.data(REVOKE, {"id": rid}, token=token)
    assert out["revokeCreditReport"] == {"id": rid, "revoked": True}
    body = (
        await api.http.get(f"/reports/{rid}", headers={"accept": "application/json"})
    ).json()
    # still genuinely signed, but withdrawn: not valid
    assert (body["verified"], body["revoked"], body["valid"]) == (True, True, False)
    assert body["revokedAt"] is not None
    page = await api.http.get(f"/reports/{rid}")
    assert 'data-status="REVOKED"' in page.text and "撤回" in page.text
    own = await api.data(
        "query($id: ID!) { creditReport(id: $id) { revoked revokedAt } }",
        {"id": rid},
        token=token,
    )
    assert own["creditReport"]["revoked"] is True
    assert await api.error_code(REVOKE, {"id": rid}, token=token) == "CONFLICT"
    assert [e.outcome for e in await verify_events(api)] == ["REVOKED", "REVOKED"]
    async with api.hub.sessionmaker() as s:
        [change] = (
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "report.revoke")
            )
        ).all()
    assert (change.subject, change.detail) == (USCC, {"report": rid})


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


async def test_the_pdf_holds_the_uscc_and_chinese_text(world: Api, tmp_path):
    api = world
    rid = (await issue(api))["id"]
    r = await api.http.get(f"/reports/{rid}.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for expected in (USCC, "信用报告", "郑州示范科技有限公司", "行政处罚", "已修复"):
        assert expected in text, expected
    assert "过期的处罚" not in text
    # the check is audited like any other
    assert [e.detail["format"] for e in await verify_events(api)] == ["pdf"]
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftotext"):  # poppler-utils (.ci/run installs it)
        out = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert USCC in out and "信用报告" in out
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                "-png",
                str(path),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        from PIL import Image

        page = Image.open(tmp_path / "page-1.png").convert("L")
        dark = sum(page.histogram()[:128])
        assert dark > 500  # the page carries drawn text, not a blank sheet


async def test_what_may_be_issued_and_by_whom(world: Api):
    api = world
    token = api.subject_token(USCC)
    # at most five years
    assert (
        await api.error_code(ISSUE, report_input(**{"from": "2021-11-22"}), token)
        == "VALIDATION_ERROR"
    )
    # not into the future
    assert (
        await api.error_code(ISSUE, report_input(to="2026-12-31"), token)
        == "VALIDATION_ERROR"
    )
    assert await api.error_code(ISSUE, report_input(sections=[]), token) == (
        "VALIDATION_ERROR"
    )
    # about itself only; clients cannot issue
    assert await api.error_code(ISSUE, report_input(uscc=OTHER), token) == "FORBIDDEN"
    bank = await api.client(PrincipalKind.BANK)
    assert await api.error_code(ISSUE, report_input(), bank.token) == "FORBIDDEN"
    # exactly five years is fine; only the owner reads it through GraphQL
    rid = (await issue(api, **{"from": "2021-11-23"}))["id"]
    other = await api.data(
        "query($id: ID!) { creditReport(id: $id) { id } }",
        {"id": rid},
        token=api.subject_token(OTHER),
    )
    assert other == {"creditReport": None}
    assert (
        await api.error_code(REVOKE, {"id": rid}, api.subject_token(OTHER))
        == "NOT_FOUND"
    )
    # an unknown id is 404, and no subject to audit
    missing = await api.http.get(
        "/reports/nope-nope", headers={"accept": "application/json"}
    )
    assert missing.status_code == 404
    assert (await api.http.get("/reports/nope-nope.pdf")).status_code == 404
    assert await verify_events(api) == []


DOC = {
    "typ": "credit-report",
    "v": 1,
    "id": "r-1",
    "iss": "xinyi-hub",
    "iat": 0,
    "issuedAt": "2026-11-23T09:00:00Z",
    "subject": {"uscc": USCC, "name": "郑州示范科技有限公司"},
    "period": {"from": "2022-01-01", "to": "2026-11-23"},
    "purpose": "投标",
    "sections": ["PENALTY", "LISTS"],
    "records": {
        "PENALTY": [
            {
                "id": "1",
                "kind": "ADMIN_PENALTY",
                "title": "警告",
                "authority": "平顶山市市场监督管理局",
                "severity": "MINOR",
                "status": "REPAIRED",
                "mark": "已修复",
                "decidedOn": "2026-09-24",
                "publishUntil": "2026-12-24",
                "source": "xzcf",
                "sourceId": "平市监罚〔2026〕9号",
            }
        ]
    },
    "lists": [],
}


def test_without_a_font_file_the_standard_cjk_font_still_gives_real_text():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    from hub.reports.pdf import CID_FONT, render_pdf, report_font

    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    pdf = render_pdf(
        DOC,
        verify_url="https://hub.example/reports/r-1",
        jwks_url="https://hub.example/.well-known/jwks.json",
        revoked_at="2026-11-24 08:00 UTC",
        font=CID_FONT,
    )
    text = _pdf_text(pdf)
    for expected in (USCC, "已修复", "本报告已于", "报告期间内无记录"):
        assert expected in text, expected
    # a configured font that cannot be used falls back instead of failing
    assert report_font("/nonexistent/font.ttf") in {"ReportCJK", CID_FONT}

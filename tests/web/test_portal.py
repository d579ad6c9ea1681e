"""The enterprise portal in a real browser: sign-in, consent, who read my data,
objections, CSRF, both languages, accessibility."""

from __future__ import annotations

from typing import Any

import httpx

from hub.enums import PrincipalKind
from tests.consent.helpers import USCC, request_input
from tests.web.conftest import csp_violations, open_page
from tests.web.live import LiveServer, accessibility_violations, screenshot
from tests.web.portal import client_token, given_enterprise, gql, link_for

ASK = """mutation($i: ConsentRequestInput!) { requestConsent(input: $i) { id } }"""
READ = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId consent { id } } }"""
QUEUE = """{ objections(status: OPEN) { edges { node { id status reason
  record { id } } } } }"""
RESOLVE = """mutation($id: ID!) { resolveObjection(id: $id, resolution: UPHELD,
  note: "经核实，记录无误") { id status } }"""
MAIN_PAGES = {
    "portal-profile": "/portal",
    "portal-requests": "/portal/requests",
    "portal-consents": "/portal/consents",
    "portal-access": "/portal/access",
    "portal-rights": "/portal/rights",
    "portal-notices": "/portal/notices",
    "portal-reports": "/portal/reports",
}


def _sign_in(page: Any, live: LiveServer) -> None:
    page.goto(link_for(live, USCC))
    page.click("button[data-action=login]")
    page.wait_for_url(f"{live.url}/portal")


def _clean(page: Any) -> None:
    assert page.outside_requests == []
    assert csp_violations(page) == []
    assert page.console_errors == []


def test_a_one_time_link_signs_in_once(browser: Any, live: LiveServer) -> None:
    given_enterprise(live, USCC)
    link = link_for(live, USCC)
    page = open_page(browser, live.url)
    page.goto(link)
    screenshot(page, "portal-login")
    assert accessibility_violations(page) == []
    page.click("button[data-action=login]")
    page.wait_for_url(f"{live.url}/portal")
    assert "郑州示范科技有限公司" in page.inner_text("[data-testid=entity]")
    # the chart of the evaluation's factors is drawn (ECharts, vendored)
    page.wait_for_selector("#factor-chart svg")
    _clean(page)
    page.context.close()

    # the same link in another browser is refused
    other = open_page(browser, live.url)
    other.goto(link)
    other.click("button[data-action=login]")
    assert other.locator("main").get_attribute("data-code") == "UNAUTHENTICATED"
    other.goto(f"{live.url}/portal")
    assert other.url == f"{live.url}/portal/login"
    other.context.close()


def test_approve_a_request_then_see_the_banks_read(
    browser: Any, live: LiveServer
) -> None:
    # given a bank that asks for consent through the API
    given_enterprise(live, USCC)
    bank = client_token(live, PrincipalKind.BANK, "郑州银行")
    asked = gql(live, bank, ASK, {"i": request_input()})["requestConsent"]["id"]
    page = open_page(browser, live.url)
    _sign_in(page, live)

    # when the enterprise approves it in the portal, without TAX
    page.click("nav.site-nav >> text=授权请求")
    card = page.locator(f"[data-testid=request-{asked}]")
    card.locator("input[value=TAX]").uncheck()
    card.locator("button[data-action=approve]").click()
    page.wait_for_selector("[data-testid=flash][data-done=approve]")
    assert card.get_attribute("data-status") == "APPROVED"

    # then the bank reads through the API under that consent, and another
    # bank, without one, is refused
    read = gql(live, bank, READ, {"u": USCC})["creditProfile"]
    stranger = client_token(live, PrincipalKind.BANK, "某小额贷款公司")
    refused = httpx.post(
        f"{live.url}/graphql",
        json={"query": READ, "variables": {"u": USCC}},
        headers={"authorization": f"Bearer {stranger}"},
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    page.click("nav.site-nav >> text=我的授权")
    row = page.locator(f"[data-testid=consent-{read['consent']['id']}]")
    assert row.get_attribute("data-status") == "ACTIVE"
    assert "TAX" not in row.inner_text()

    # and sees both in "who read my data", the refusal marked
    page.click("nav.site-nav >> text=谁查看了我的数据")
    denied = page.locator("tr[data-outcome^=DENIED]")
    assert "某小额贷款公司" in denied.inner_text()
    assert page.locator("tr[data-action-name='consent.grant']").count() == 1
    screenshot(page, "portal-access")  # docs/img/portal-access.png is a copy
    # filtered to profile reads
    page.select_option("#f-action", "profile.read")
    page.click("button[data-action=filter]")
    event = page.locator(f"[data-testid=event-{read['auditEventId']}]")
    assert "郑州银行" in event.inner_text()
    rows = page.locator("tr[data-testid^=event-]")
    assert rows.filter(has_text="郑州银行").count() == 1
    # (the other read is the enterprise's own, opening its profile here)
    assert rows.count() == 2 and rows.filter(has_text="本企业").count() == 1
    # narrowed to the bank by its name
    page.select_option("#f-actor", label="郑州银行")
    page.click("button[data-action=filter]")
    assert page.locator("tr[data-testid^=event-]").count() == 1

    # and pauses the consent: the bank's next read is refused, and logged
    page.click("nav.site-nav >> text=我的授权")
    row.locator("button[data-action=pause]").click()
    assert row.get_attribute("data-status") == "PAUSED"
    _clean(page)
    page.context.close()


def test_an_objection_reaches_the_admin_and_the_answer_comes_back(
    browser: Any, live: LiveServer
) -> None:
    [record] = given_enterprise(live, USCC)
    admin = client_token(live, PrincipalKind.ADMIN, "平台管理员")
    page = open_page(browser, live.url)
    _sign_in(page, live)
    # when the enterprise objects to its record from the profile page
    page.click(f"[data-testid=record-{record}] >> [data-action=object]")
    page.fill("#objection-reason", "该纳税信用等级已于复评后调整")
    page.click("button[data-action=object]")
    page.wait_for_selector("[data-testid=flash][data-done=objection]")
    # then it is in the admins' queue
    queue = gql(live, admin, QUEUE)["objections"]["edges"]
    [case] = [e["node"] for e in queue if e["node"]["record"]["id"] == str(record)]
    assert case["reason"] == "该纳税信用等级已于复评后调整"
    page.click("nav.site-nav >> text=我的信用档案")
    marked = page.locator(f"[data-testid=record-{record}]")
    assert marked.get_attribute("data-status") == "DISPUTED"
    # and when the admin answers through the API, the portal shows the answer
    gql(live, admin, RESOLVE, {"id": case["id"]})
    page.click("nav.site-nav >> text=异议与修复")
    row = page.locator(f"[data-testid=objection-{case['id']}]")
    assert row.get_attribute("data-status") == "UPHELD"
    assert "经核实，记录无误" in row.inner_text()
    _clean(page)
    page.context.close()


def test_a_form_with_a_forged_token_is_refused(browser: Any, live: LiveServer) -> None:
    given_enterprise(live, USCC)
    bank = client_token(live, PrincipalKind.BANK, "郑州银行")
    asked = gql(live, bank, ASK, {"i": request_input()})["requestConsent"]["id"]
    page = open_page(browser, live.url)
    _sign_in(page, live)
    page.goto(f"{live.url}/portal/requests")
    card = page.locator(f"[data-testid=request-{asked}]")
    card.locator("input[name=csrf_token]").first.evaluate(
        "e => { e.value = 'forged-token-forged-token-forged' }"
    )
    card.locator("button[data-action=approve]").click()
    assert page.locator("main").get_attribute("data-code") == "CSRF_REFUSED"
    page.goto(f"{live.url}/portal/requests")
    assert card.get_attribute("data-status") == "PENDING"
    page.context.close()


def test_every_main_page_in_both_languages_is_accessible(
    browser: Any, live: LiveServer
) -> None:
    given_enterprise(live, USCC, records=2)
    bank = client_token(live, PrincipalKind.BANK, "郑州银行")
    gql(live, bank, ASK, {"i": request_input()})
    page = open_page(browser, live.url)
    _sign_in(page, live)
    for name, path in MAIN_PAGES.items():
        page.goto(f"{live.url}{path}")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert accessibility_violations(page) == [], name
        screenshot(page, name)
    page.goto(f"{live.url}/portal/access?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text("h1") == "Who read my data"
    page.goto(f"{live.url}/portal/requests")  # the choice is remembered
    assert page.inner_text("h1").startswith("Consent requests")
    assert accessibility_violations(page) == []
    screenshot(page, "portal-requests-en")
    page.goto(f"{live.url}/portal?lang=zh")
    assert page.inner_text("h1") == "我的信用档案"
    _clean(page)
    page.context.close()

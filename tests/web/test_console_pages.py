"""Every console page in a real browser: content, actions, accessibility, CSP."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import csp_violations
from tests.web.live import (
    LiveServer,
    accessibility_violations,
    make_admin,
    screenshot,
    sign_in,
)
from tests.web.seed import USCC, seed

PAGES = [
    ("dashboard", "/console", "统计"),
    ("clients", "/console/clients", "客户端"),
    ("consents", "/console/consents", "授权"),
    ("audit", "/console/audit", "审计"),
    ("queues", "/console/queues", "待办队列"),
    ("white-list", "/console/white-list", "白名单申请"),
    ("rules", "/console/rules", "场景规则"),
    ("rules-credit-loan", "/console/rules/credit-loan", "信"),
    ("imports", "/console/imports", "数据导入"),
]


def _clean(page: Any) -> None:
    assert page.outside_requests == []
    assert csp_violations(page) == []
    assert page.console_errors == []


def test_every_console_page_is_accessible_in_chinese_and_english(
    page: Any, live: LiveServer
) -> None:
    seed(live)
    sign_in(page, live, *make_admin(live))
    for name, path, heading in PAGES:
        page.goto(f"{live.url}{path}")
        assert heading in page.locator("h1").inner_text(), name
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        if name == "dashboard":
            page.wait_for_selector(".chart[data-rendered=true] canvas")
        assert accessibility_violations(page) == [], name
        screenshot(page, f"console-{name}")
        _clean(page)
    # English, remembered from one ?lang=en on
    page.goto(f"{live.url}/console?lang=en")
    assert page.locator("h1").inner_text() == "Statistics"
    for name, path, _ in PAGES:
        page.goto(f"{live.url}{path}")
        assert page.locator("html").get_attribute("lang") == "en", name
        assert accessibility_violations(page) == [], name
    screenshot(page, "console-dashboard-en")
    _clean(page)


def test_admin_works_the_queues_and_verifies_the_chain(
    page: Any, live: LiveServer
) -> None:
    seeded = seed(live)
    sign_in(page, live, *make_admin(live))

    # the objection is in the queue with its deadline, and is answered
    page.goto(f"{live.url}/console/queues")
    row = page.locator(f"[data-testid=objection-{seeded.objection}]")
    assert row.get_attribute("data-status") == "OPEN"
    row.locator("select[name=resolution]").select_option("UPHELD")
    row.locator("input[name=note]").fill("经核实，记录无误")
    row.locator("button[data-action=resolve]").click()
    page.goto(f"{live.url}/console/queues?all=1")
    row = page.locator(f"[data-testid=objection-{seeded.objection}]")
    assert row.get_attribute("data-status") == "UPHELD"
    assert "经核实，记录无误" in row.inner_text()

    # the repair application is approved
    page.goto(f"{live.url}/console/queues")
    row = page.locator(f"[data-testid=repair-{seeded.repair}]")
    row.locator("input[name=note]").fill("已完成信用修复")
    row.locator("button[data-action=approve]").click()
    page.goto(f"{live.url}/console/queues?all=1")
    assert (
        page.locator(f"[data-testid=repair-{seeded.repair}]").get_attribute(
            "data-status"
        )
        == "APPROVED"
    )

    # the white-list application is decided
    page.goto(f"{live.url}/console/white-list")
    row = page.locator(f"[data-testid=application-{seeded.application}]")
    row.locator("input[name=note]").fill("符合条件")
    row.locator("button[data-action=approve]").click()
    page.goto(f"{live.url}/console/white-list?all=1")
    row = page.locator(f"[data-testid=application-{seeded.application}]")
    assert row.get_attribute("data-status") == "APPROVED"

    # the consent is found by the enterprise's USCC
    page.goto(f"{live.url}/console/consents")
    page.fill("#q-uscc", USCC)
    page.click("form[role=search] button[type=submit]")
    assert page.locator(f"[data-testid=consent-{seeded.consent}]").is_visible()

    # every action above is on the audit trail, and the chain verifies
    page.goto(f"{live.url}/console/audit?action=objection.resolve")
    assert page.locator("tr[data-testid^=event-]").count() == 1
    page.click("button[data-action=verify]")
    page.wait_for_selector("#verification[data-state=done]")
    assert page.locator("#verification [data-result=ok]").is_visible()
    _clean(page)


def test_scenario_rules_diff_dry_run_and_publish(page: Any, live: LiveServer) -> None:
    seed(live, more_entities=24)
    sign_in(page, live, *make_admin(live))
    page.goto(f"{live.url}/console/rules/credit-loan")
    builtin = page.locator("tr[data-testid^=version-]").first.get_attribute(
        "data-testid"
    )
    assert builtin is not None
    old = builtin.removeprefix("version-")
    rules = page.locator("#rules").input_value()
    proposed = re.sub(
        r"^version: .*$", "version: console-test-1", rules, count=1, flags=re.M
    )
    assert proposed != rules
    page.fill("#rules", proposed)
    page.click("button[data-action=dry-run]")
    summary = page.locator("[data-testid=dry-run]")
    assert "console-test-1" in summary.inner_text()
    page.click("button[data-action=publish]")
    page.wait_for_selector("tr[data-testid=version-console-test-1]")
    page.goto(f"{live.url}/console/rules/credit-loan?old={old}&new=console-test-1")
    diff = page.locator("[data-testid=diff]").inner_text()
    assert "+version: console-test-1" in diff
    _clean(page)

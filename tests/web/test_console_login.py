"""The console's sign-in page in a real browser."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import csp_violations
from tests.web.live import LiveServer, accessibility_violations, screenshot


def test_login_page_renders_in_chinese_then_english(
    page: Any, live: LiveServer
) -> None:
    # when the sign-in page is opened without a language
    page.goto(f"{live.url}/console/login")
    # then it is in Simplified Chinese, with labelled fields
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "管理控制台登录"
    assert page.get_by_label("客户端 ID").is_visible()
    assert page.get_by_label("客户端密钥").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "console-login")
    # when English is chosen, then it is English, and remembered
    page.click("text=English")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Admin console sign-in"
    page.goto(f"{live.url}/console/login")
    assert page.get_by_label("Client secret").is_visible()
    assert page.outside_requests == []
    assert csp_violations(page) == []
    assert page.console_errors == []


def _sign_in_with_token(page: Any, live: LiveServer, query: str, change: str) -> int:
    """The sign-in form posted after ``change`` (JS) ran on its token field: status."""
    page.goto(f"{live.url}/console/login{query}")
    page.eval_on_selector("input[name=csrf_token]", change)
    page.fill("#client_id", "admin-x")
    page.fill("#client_secret", "secret")
    with page.expect_response(f"{live.url}/console/login") as answer:
        page.click("button[data-action=login]")
    return int(answer.value.status)


def test_a_form_with_a_forged_csrf_token_is_refused(
    page: Any, live: LiveServer
) -> None:
    # given the sign-in form, its token replaced as a forged page would,
    # when it is submitted
    status = _sign_in_with_token(page, live, "", "el => el.value = 'forged-0000'")
    # then it is refused with the coded, translated page
    assert status == 403
    assert page.locator("main").get_attribute("data-code") == "CSRF_REFUSED"
    assert "安全令牌" in page.locator("main").inner_text()
    # and without the field at all
    assert _sign_in_with_token(page, live, "?lang=en", "el => el.remove()") == 403
    assert "security token" in page.locator("main").inner_text()

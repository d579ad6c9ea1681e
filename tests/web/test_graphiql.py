"""GraphiQL at /graphql works with every outside request blocked."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import csp_violations
from tests.web.live import LiveServer, screenshot


def test_graphiql_renders_offline_and_runs_a_query(page: Any, live: LiveServer) -> None:
    # given a browser that can reach the hub and nothing else
    # when GraphiQL is opened
    page.goto(f"{live.url}/graphql")
    # then the editor renders from the hub's own files
    page.wait_for_selector(".graphiql-container")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    # and it runs a query against the hub (the schema's own introspection)
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("{ __typename }")
    page.locator(".graphiql-execute-button").click()
    # (a selector wait: a polled JS predicate would need 'unsafe-eval')
    page.wait_for_selector(".result-window:has-text('__typename')")
    assert '"Query"' in page.inner_text(".result-window")
    screenshot(page, "graphiql")
    assert page.outside_requests == []
    assert csp_violations(page) == []
    assert page.console_errors == []

"""Every text the pages show has its English translation."""

from __future__ import annotations

from web import catalogs
from web.i18n import DOMAINS, translations


def test_every_msgid_found_in_the_code_is_translated_to_english() -> None:
    found = catalogs.found_msgids()
    assert found["common"] and found["console"]
    assert catalogs.missing("en") == {}


def test_catalogs_are_kept_per_area() -> None:
    # a console text is in the console catalog, not in common
    assert "管理控制台登录" in catalogs.translated("en", "console")
    assert "管理控制台登录" not in catalogs.translated("en", "common")
    assert set(catalogs.found_msgids()) <= set(DOMAINS)


def test_chinese_is_the_msgid_and_english_is_merged_from_every_domain() -> None:
    assert translations("zh").gettext("退出") == "退出"
    assert translations("en").gettext("退出") == "Sign out"
    assert translations("en").gettext("管理控制台") == "Admin console"

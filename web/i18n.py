"""Languages of the pages: Simplified Chinese by default, English on request.

The language is chosen per request: ``?lang=en`` (or ``?lang=zh``) picks it
and is remembered in the ``hub_lang`` cookie (set by :func:`web.render.page`);
otherwise the cookie; otherwise Chinese.  ``Accept-Language`` is not read:
the programme's pages are Chinese first, whatever the browser says.

Catalogs are gettext ``.po`` files, one per area (*domain*), so each area's
strings live in its own file::

    web/locale/<lang>/LC_MESSAGES/common.po    layout, errors, login forms
    web/locale/<lang>/LC_MESSAGES/console.po   the admin console
    web/locale/<lang>/LC_MESSAGES/portal.po    the enterprise portal

The msgids are the Chinese texts; the ``zh`` catalogs are therefore empty
(a msgid is its own translation) and the ``en`` catalogs translate every
msgid (``tests/web/test_i18n.py`` fails on a missing one).  The ``.po``
files are compiled in memory when first needed (Babel), so nothing is built
at install time and a ``pip install -e .`` serves edits at the next start.

In a template: ``{% trans %}客户端{% endtrans %}`` or ``{{ _("客户端") }}``; in
Python: ``translator(request).gettext("…")``.  A new domain is a new file
name in :data:`DOMAINS`.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import HTTPConnection

__all__ = [
    "COOKIE",
    "DEFAULT",
    "DOMAINS",
    "LANGUAGES",
    "LOCALE_DIR",
    "chosen",
    "language_of",
    "translations",
    "translator",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS = ("common", "console", "portal")
#: Language code → the value of the page's ``lang`` attribute.
LANGUAGES = {"zh": "zh-Hans", "en": "en"}
DEFAULT = "zh"
COOKIE = "hub_lang"


def chosen(request: HTTPConnection) -> str | None:
    """The language asked for in this request's ``?lang=``, if a known one."""
    asked = request.query_params.get("lang", "").strip().lower()[:8]
    if asked.startswith("zh"):
        return "zh"
    return asked if asked in LANGUAGES else None


def language_of(request: HTTPConnection) -> str:
    """``?lang=`` first, then the ``hub_lang`` cookie, then Chinese."""
    asked = chosen(request)
    if asked is not None:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    return remembered if remembered in LANGUAGES else DEFAULT


def _compiled(path: Path) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=path.stem)


@cache
def translations(language: str) -> NullTranslations:
    """Every domain's catalog of ``language`` merged into one (cached)."""
    merged: NullTranslations = NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for domain in DOMAINS:
        path = folder / f"{domain}.po"
        if not path.exists():
            continue
        compiled = _compiled(path)
        if isinstance(merged, Translations):
            merged.merge(compiled)
        else:
            merged = compiled
    return merged


def translator(request: HTTPConnection) -> NullTranslations:
    """The catalog of the request's language."""
    return translations(language_of(request))

"""Which texts each catalog must translate: the msgids found in the code.

Texts are found with Babel's extractors (Jinja2 templates and Python), by
area: files under ``templates/<area>/`` or ``web/<area>/`` belong to that
area's domain, everything else to ``common``.  ``tests/web/test_i18n.py``
checks every found msgid has an English translation;
``python -m web.catalogs`` lists the ones that do not yet.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import DOMAINS, LOCALE_DIR

__all__ = ["domain_of", "found_msgids", "missing", "translated"]

WEB_DIR = Path(__file__).parent
_METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
_OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
_SKIP = ("static", "locale")


def domain_of(relative: str) -> str:
    parts = Path(relative).parts
    for area in DOMAINS:
        if area != "common" and area in parts[:2]:
            return area
    return "common"


def found_msgids() -> dict[str, set[str]]:
    """Domain → the msgids the code asks for."""
    found: dict[str, set[str]] = defaultdict(set)
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(WEB_DIR),
        method_map=_METHODS,
        options_map=_OPTIONS,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
        directory_filter=lambda path: Path(path).name not in _SKIP,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found[domain_of(filename)].add(msgid)
    return found


def translated(language: str, domain: str) -> dict[str, str]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy
    }


def missing(language: str = "en") -> dict[str, list[str]]:
    """Domain → msgids without a ``language`` translation."""
    out: dict[str, list[str]] = {}
    for domain, msgids in found_msgids().items():
        have = translated(language, domain)
        lacking = sorted(m for m in msgids if m not in have)
        if lacking:
            out[domain] = lacking
    return out


if __name__ == "__main__":
    for domain, msgids in missing().items():
        print(f"# {domain}")
        for msgid in msgids:
            print(msgid)

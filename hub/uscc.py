"""Unified social credit codes (GB 32100-2015) with both check digits.

>>> is_valid("91350100M000100Y43")
True
>>> check_uscc("91350100m000100Y43")
Traceback (most recent call last):
...
hub.errors.HubError: ...
"""

from __future__ import annotations

import random
from functools import lru_cache

from hub.errors import ErrorCode, HubError

__all__ = ["CHARSET", "check_uscc", "invalid_reason", "is_valid", "make_uscc"]

# GB 32100-2015: 31 symbols, no I O S V Z.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714 organisation code (positions 9-17): digits and Latin capitals.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int | None:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    return None


def _uscc_check(body: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def _org_check(body: str) -> str | None:
    values = [_org_value(c) for c in body]
    known = [v for v in values if v is not None]
    if len(known) != len(values):
        return None
    c9 = 11 - sum(v * w for v, w in zip(known, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def invalid_reason(code: object) -> str | None:
    """Why ``code`` is not a valid USCC, or ``None`` when it is."""
    if not isinstance(code, str):
        return "a USCC must be a string"
    if len(code) != 18:
        return f"a USCC has 18 characters, got {len(code)}"
    bad = [c for c in code if c not in _VALUE]
    if bad:
        return (
            f"character {bad[0]!r} is not allowed (upper-case digits and letters "
            "without I, O, S, V, Z)"
        )
    org = code[8:17]
    if _org_check(org[:8]) != org[8]:
        return "organisation-code check digit (position 17, GB 11714) does not match"
    if _uscc_check(code[:17]) != code[17]:
        return "check character (position 18, GB 32100) does not match"
    return None


def is_valid(code: object) -> bool:
    return invalid_reason(code) is None


# A bank asks for the same enterprises again and again: each code checked once.
_checked = lru_cache(maxsize=16384)(invalid_reason)


def check_uscc(code: object) -> str:
    """Return ``code`` unchanged if valid, else raise ``INVALID_USCC``."""
    reason = _checked(code) if type(code) is str else invalid_reason(code)
    if reason is not None:
        raise HubError(
            f"Invalid USCC {code!r}: {reason}. Codes are case-sensitive and "
            "never padded.",
            ErrorCode.INVALID_USCC,
        )
    return code  # type: ignore[return-value]


def make_uscc(
    rng: random.Random, region_code: str = "410100", prefix: str = "91"
) -> str:
    """Generate a valid USCC (used by the demo generator and tests)."""
    org_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "".join(rng.choice(org_alphabet) for _ in range(8))
        check = _org_check(body)
        if check is None or check not in _VALUE:
            continue
        first17 = prefix + region_code + body + check
        return first17 + _uscc_check(first17)

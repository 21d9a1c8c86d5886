"""Citizens' numbers written one way, so a text from +8613800138000 finds the report an operator
typed as 138 0013 8000; and whether a number can receive a text at all."""

from __future__ import annotations

import re

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def national(phone: str) -> str:
    """Digits only, without the mainland's country code (+86, 0086, 86 before 11 digits)."""
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def canonical(phone: str) -> str:
    """+86 and the 11 digits for a mainland mobile; the number as given otherwise."""
    digits = national(phone)
    return f"+86{digits}" if MOBILE_RE.match(digits) else (phone or "").strip()


def variants(phone: str) -> list[str]:
    """Ways a report may hold this number (intake keeps what the source sent)."""
    digits = national(phone)
    if not MOBILE_RE.match(digits):
        return [(phone or "").strip()]
    return [f"+86{digits}", f"86{digits}", f"0086{digits}", digits]


def can_text(phone: str) -> bool:
    """Only mobiles receive texts; a landline caller gets no receipt by SMS."""
    return bool(MOBILE_RE.match(national(phone)))

"""Personal data in what citizens write: phone numbers, ID-card numbers and e-mail addresses are
masked for readers without the right to see them (command.access_rules), and always in logs.

Masks keep the shape, so a reader still sees that a number was given: 137****7000,
0451-****6666, 230102********1234, z***@example.com.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import phonenumbers

REGION = "CN"  # numbers without a country code are read as mainland numbers
# Mainland resident ID (GB 11643-1999): area (6), birth date (8), sequence (3), check digit.
ID_CARD_RE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# ASCII only: `\w` would swallow the Chinese text around an address.
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)
DIGITS_RE = re.compile(r"\d")
# A landline with its extension after a dash (0451-86661234-801): the matcher reads the whole
# as one number, too long to be valid, and so would leave it unmasked.
EXTENSION_RE = re.compile(r"(?<![\d-])(0\d{2,3}[- ]?\d{7,8})(?=[-－]\d{1,6}(?!\d))")


def mask_phone(phone: str) -> str:
    """A reporter's phone field: 138****1234 for a mobile; else the first 3 and last 2 digits."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 5:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"


@lru_cache(maxsize=2048)
def mask_text(text: str) -> str:
    """`text` with every phone number, ID-card number and e-mail address masked.

    Cached: an incident's summary is masked again for every event it has, and finding numbers
    with phonenumbers' matcher costs about 0.15 ms for a text that holds one."""
    if not text:
        return text
    if "@" in text:
        text = EMAIL_RE.sub(_mask_email, text)
    if DIGITS_RE.search(text) is None:
        return text
    text = ID_CARD_RE.sub(_mask_id_card, text)
    text = EXTENSION_RE.sub(_mask_before_extension, text)
    return _mask_phones(text)


def _mask_email(match: re.Match[str]) -> str:
    return f"{match[1][0]}***@{match[2]}"


def _mask_id_card(match: re.Match[str]) -> str:
    number = match[0]
    if not _id_checksum_ok(number):
        return number  # an order or waybill number that happens to have 18 digits
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def _id_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


def _mask_before_extension(match: re.Match[str]) -> str:
    try:
        number = phonenumbers.parse(match[1], REGION)
    except phonenumbers.NumberParseException:
        return match[1]
    return _mask_number(match[1], number) if phonenumbers.is_valid_number(number) else match[1]


def _mask_phones(text: str) -> str:
    parts, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, REGION):
        parts.append(text[last : match.start])
        parts.append(_mask_number(match.raw_string, match.number))
        last = match.end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _mask_number(raw: str, number: phonenumbers.PhoneNumber) -> str:
    """Star the subscriber digits, keep the prefix, the area code (or a mobile's first three)
    and the last four, and every separator where it was."""
    positions = [i for i, char in enumerate(raw) if char.isdigit()]
    national = phonenumbers.national_significant_number(number)
    prefix = max(len(positions) - len(national), 0)  # +86, 0086 or the trunk 0
    head = prefix + (phonenumbers.length_of_geographical_area_code(number) or 3)
    hidden = positions[head:-4] or positions[:-4]
    chars = list(raw)
    for i in hidden:
        chars[i] = "*"
    return "".join(chars)


class PhoneMaskingFilter(logging.Filter):
    """Rewrites every record so no phone number, ID-card number or e-mail address is written
    to a log in full (installed on every handler in settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text.__wrapped__(message)  # log lines rarely repeat: not worth caching
        if masked != message:
            record.msg, record.args = masked, None
        return True

"""Citizens' phone numbers: masked for display (138****1234) and scrubbed from log lines."""

import logging
import re

# Mainland mobiles (1xx xxxx xxxx) and landlines with area code; digits only or with +86.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile; for anything else keep the first 3 and last 2 digits."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 5:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"


def scrub_phones(text: str) -> str:
    return PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class PhoneMaskingFilter(logging.Filter):
    """Rewrites every record so no full mobile number is ever written to a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub_phones(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True

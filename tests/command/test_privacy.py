"""Citizens' phone numbers: masked for display, never written to a log."""

import logging

import pytest

from command.privacy import PhoneMaskingFilter, mask_phone, scrub_phones


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 1234", "138****1234"),
        ("8613812341234", "138****1234"),
        ("0451-86661234", "045*******34"),
        ("110", "***"),
        ("", ""),
    ],
)
def test_phones_are_masked_for_display(phone, shown):
    assert mask_phone(phone) == shown


def test_mobile_numbers_are_scrubbed_from_free_text():
    text = "来电人13812341234反映，另一号码+8613900001111也打过"
    assert scrub_phones(text) == "来电人138****1234反映，另一号码139****1111也打过"


def test_the_log_filter_masks_numbers_in_formatted_messages(caplog):
    logger = logging.getLogger("citydesk.test")
    logger.addFilter(PhoneMaskingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="citydesk.test"):
            logger.info("SMS from %s about %s", "13812341234", "停水")
    finally:
        logger.filters.clear()
    assert caplog.messages == ["SMS from 138****1234 about 停水"]
    assert "13812341234" not in caplog.text


def test_the_project_logging_config_installs_the_filter_on_every_handler():
    from django.conf import settings

    handlers = settings.LOGGING["handlers"]
    assert handlers
    assert all("mask_phones" in h.get("filters", []) for h in handlers.values())

"""Personal data in free text (phones, ID-card numbers, e-mail addresses): masked for display,
never written to a log."""

import logging

import pytest

from command.privacy import PhoneMaskingFilter, mask_phone, mask_text

# 18-digit ID-card numbers with a valid check digit (GB 11643), one ending in X.
ID_CARD = "230102198512035678"
ID_CARD_X = "11010519491231002X"


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
def test_the_reporter_phone_field_is_masked_for_display(phone, shown):
    assert mask_phone(phone) == shown


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("…联系13700137000", "…联系137****7000"),
        ("电话137 0013 7000谢谢", "电话137 **** 7000谢谢"),
        ("请拨+86-137-0013-7000", "请拨+86-137-****-7000"),
        ("+8613700137000", "+86137****7000"),
        ("008613700137000", "0086137****7000"),
        ("单位电话0451-8888 6666", "单位电话0451-**** 6666"),
        ("(0451)88886666", "(0451)****6666"),
        ("（0451）88886666", "（0451）****6666"),
        ("0451 8888 6666", "0451 **** 6666"),
        ("010-12345678", "010-****5678"),
        ("电话0451-86661234-801", "电话0451-****1234-801"),  # with an extension
        ("电话0451-86661234转801", "电话0451-****1234转801"),
        ("邮箱13700137000@qq.com", "邮箱1***@qq.com"),
        ("１３７００１３７０００", "１３７****７０００"),  # full-width digits, as IMEs type them
        ("13700137000和13800138000", "137****7000和138****8000"),
        (f"身份证{ID_CARD}号", "身份证230102********5678号"),
        (f"证件{ID_CARD_X}", "证件110105********002X"),
        (f"证件{ID_CARD_X.lower()}", "证件110105********002x"),
        ("邮箱zhang.san@example.com或", "邮箱z***@example.com或"),
        ("mail a@b.cn", "mail a***@b.cn"),
    ],
)
def test_personal_data_in_free_text_is_masked_keeping_its_shape(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "工单20261201-0042已派发",  # a tracking number
        "坐标45.7740,126.6177",
        "lat 45.774063 lon 126.617712",
        "价格1380元，金额12,345.67元",
        "区划230102",  # a 6-digit district code
        "报警110，12345热线",
        "订单号202612011234567890",  # 18 digits that fail the ID checksum
        "230102198512035679",  # an ID-card number with the wrong check digit
        "时间2026-12-05 13:16:00",
        "第3栋2单元1301室",
        "2026-12-05-0042",  # dashes, but no area code and number
        "中央大街与西十二道街交口自来水管爆裂",
        "",
    ],
)
def test_numbers_that_are_not_personal_data_are_left_alone(text):
    assert mask_text(text) == text


def test_the_log_filter_masks_personal_data_in_formatted_messages(caplog):
    logger = logging.getLogger("citydesk.test")
    logger.addFilter(PhoneMaskingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="citydesk.test"):
            logger.info("SMS from %s about %s", "13812341234", "停水")
            logger.info("ID %s, mail %s, 110", ID_CARD, "li@example.org")
    finally:
        logger.filters.clear()
    assert caplog.messages == [
        "SMS from 138****1234 about 停水",
        "ID 230102********5678, mail l***@example.org, 110",
    ]
    assert "13812341234" not in caplog.text
    assert ID_CARD not in caplog.text


def test_the_project_logging_config_installs_the_filter_on_every_handler():
    from django.conf import settings

    handlers = settings.LOGGING["handlers"]
    assert handlers
    assert all("mask_phones" in h.get("filters", []) for h in handlers.values())

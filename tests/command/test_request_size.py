"""Request bodies are capped (1 MB, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, as at the proxy)."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_a_report_over_the_body_cap_is_a_json_413(api, settings):
    text = "水" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 1)  # 3 bytes each in UTF-8
    body = json.dumps({"source": "web", "external_id": "big", "text": text}, ensure_ascii=False)

    answer = api("intake").generic(
        "POST", "/api/v1/reports", body.encode(), content_type="application/json"
    )

    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_the_cap_is_one_megabyte(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1_048_576

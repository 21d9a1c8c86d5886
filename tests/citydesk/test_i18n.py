"""Translations: Chinese first, English second, and catalogs that stay complete.

After changing a translatable string, refresh both catalogs, fill the new entries (English
msgids in zh_Hans, Chinese msgids in en), and compile; the .mo files are committed:
    manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=staticfiles
        --ignore=var --ignore=bench --ignore=tests
    manage.py compilemessages --ignore=.venv
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from command.models import Incident, IncidentStatus

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PROJECT_APPS = ("command", "hotline", "duty", "dashboards", "integrations")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def read_po(path: Path) -> list[Entry]:
    """Live entries of a .po file, header (msgid "") first; obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    current, part = Entry(), None  # part: which string a continuation line "..." extends
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "msgctxt", "msgid ")) and part == "msgstr":
            entries.append(current)
            current, part = Entry(), None
        if line.startswith("#~"):
            current, part = Entry(), None
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "#,":
            current.flags |= {flag.strip() for flag in rest.split(",")}
        elif keyword == "msgctxt":
            current.msgctxt, part = _unquote(rest), "msgctxt"
        elif keyword == "msgid":
            current.msgid, part = _unquote(rest), "msgid"
        elif keyword == "msgid_plural":
            current.msgid_plural, part = _unquote(rest), "msgid_plural"
        elif keyword.startswith("msgstr"):
            current.msgstrs.append(_unquote(rest))
            part = "msgstr"
        elif line.startswith('"'):
            if part == "msgstr":
                current.msgstrs[-1] += _unquote(line)
            elif part is not None:
                setattr(current, part, getattr(current, part) + _unquote(line))
    if part == "msgstr":
        entries.append(current)
    return entries


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def _compiled_as_written(compiled: gettext.GNUTranslations, entry: Entry) -> bool:
    """The singular form the .mo answers equals the .po's (the msgid when untranslated)."""
    expected = entry.msgstrs[0] or entry.msgid
    if entry.msgid_plural is None:
        args, method = (entry.msgid,), "gettext"
    else:
        args, method = (entry.msgid, entry.msgid_plural, 1), "ngettext"
    if entry.msgctxt is not None:
        args, method = (entry.msgctxt, *args), {"gettext": "pgettext"}.get(method, "npgettext")
    return getattr(compiled, method)(*args) == expected


def project_labels() -> list[Promise]:
    """Every label the project marks for translation: app names, model and field names,
    choice labels. Plain strings (Django's automatic names) are not marked, so not here."""
    labels: list[object] = []
    for app_name in PROJECT_APPS:
        config = apps.get_app_config(app_name)
        labels.append(config.verbose_name)
        for model in config.get_models():
            # Set in Meta only: Django's automatic plural is lazy too, but never a msgid.
            labels += [model._meta.original_attrs.get("verbose_name")]
            labels += [model._meta.original_attrs.get("verbose_name_plural")]
            for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
                labels.append(model_field.verbose_name)
                labels += [label for _value, label in model_field.flatchoices]
    return [label for label in labels if isinstance(label, Promise)]


def test_chinese_is_the_default_language() -> None:
    with translation.override("zh-hans"):
        assert Incident._meta.get_field("tracking_no").verbose_name == "工单编号"
        assert Incident._meta.get_field("deadline").verbose_name == "办理时限"
        assert Incident._meta.verbose_name == "事件工单"
        assert IncidentStatus.NEW.label == "待派单"
        assert apps.get_app_config("hotline").verbose_name == "12345热线"


def test_english_translates_the_chinese_labels() -> None:
    with translation.override("en"):
        assert Incident._meta.get_field("tracking_no").verbose_name == "tracking number"
        assert Incident._meta.verbose_name == "incident"
        assert IncidentStatus.NEW.label == "Awaiting dispatch"
        assert IncidentStatus.ACCEPTED.label == "Signed"
        assert apps.get_app_config("hotline").verbose_name == "12345 Hotline"


# Anonymous, "/" leads to the sign-in page; tests/citydesk/test_accounts.py covers the rest.
@pytest.mark.django_db
def test_start_page_speaks_english_when_asked(client) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert '<html lang="en">' in page
    assert "City Operations Command Platform" in page
    assert "<h1>Sign in</h1>" in page
    # Only the language switch, which names Chinese in Chinese.
    assert "".join(CJK.findall(page)) == "简体中文"


@pytest.mark.django_db
def test_start_page_speaks_chinese_when_asked(client) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "城市运行指挥平台" in page
    assert "<h1>登录</h1>" in page
    assert "City Operations Command Platform" not in page


def test_every_marked_label_shows_in_the_active_language() -> None:
    """Catches a new label whose catalog entry was never made (makemessages not run)."""
    labels = project_labels()
    assert len(labels) > 50
    with translation.override("zh-hans"):
        not_chinese = sorted({str(label) for label in labels if not CJK.search(str(label))})
    with translation.override("en"):
        not_english = sorted({str(label) for label in labels if CJK.search(str(label))})
    assert not_chinese == []
    assert not_english == []


@pytest.mark.parametrize(
    ("locale", "needs_translation"),
    [
        ("zh_Hans", lambda msgid: not CJK.search(msgid)),  # English msgids need Chinese
        ("en", lambda msgid: bool(CJK.search(msgid))),  # Chinese msgids need English
    ],
)
def test_po_entries_are_translated_where_needed(
    locale: str, needs_translation: Callable[[str], bool]
) -> None:
    entries = read_po(po_path(locale))
    header, body = entries[0], entries[1:]
    assert header.msgid == ""
    assert f"Language: {locale}\n" in header.msgstrs[0]
    assert "charset=UTF-8" in header.msgstrs[0]
    assert len(body) > 50
    # msgfmt drops fuzzy entries: a fuzzy translation is no translation at runtime.
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        entry.msgid for entry in body if needs_translation(entry.msgid) and not all(entry.msgstrs)
    ]
    assert fuzzy == []
    assert untranslated == []


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_compiled_catalogs_match_the_po_files(locale: str) -> None:
    """The .mo files are committed; this catches a .po edited without compilemessages."""
    po = po_path(locale)
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [entry.msgid for entry in read_po(po)[1:] if not _compiled_as_written(compiled, entry)]
    assert stale == []

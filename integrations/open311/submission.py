"""A POSTed service request, from the spec's form to the intake's ReportIn (source web).

Location: `lat`/`long` (WGS-84, as the spec says) or `address_string`; an `address_id` is kept
and shown back, but alone it locates nothing (the city has no address registry behind it), so
it is refused. Idempotency: the intake's external id is a hash of the api key and either the
client's `Idempotency-Key` header or everything the request says plus the day (UTC), so a
client that sends the same request again gets the same service_request_id back.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from command import api_keys, intake, roles
from integrations.open311 import attributes
from integrations.open311.render import Open311Error

SOURCE = "web"
MAX_DESCRIPTION = 4000  # the spec's limit, and the intake's
MAX_ADDRESS = 255
MAX_NAME = 64
MAX_ID = 128
MAX_URL = 1000
MAX_KEY = 200
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
CJK = re.compile(r"[\u3400-\u9fff]")
_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Submission:
    service_code: str
    report: intake.ReportIn


def intake_key(raw: str) -> api_keys.ApiKey:
    """The API key a POST came with, if it may submit reports: an intake key whose holder's role
    may (`reports.submit`). Anything else is the spec's 403."""
    if not raw:
        raise Open311Error(403, "api_key: missing; ask the city for an intake key.")
    key = api_keys.valid_key(raw) if len(raw) <= MAX_KEY else None
    if key is None:
        raise Open311Error(403, "api_key: not valid -- can't proceed with create_request.")
    if not key.allows("intake"):
        raise Open311Error(403, "api_key: this key may not submit requests (no intake scope).")
    if not roles.may(key.user, "reports.submit"):
        raise Open311Error(403, "api_key: its holder's role may not submit requests.")
    return key


def read(
    form: Mapping[str, str],
    lists: Mapping[str, Sequence[str]],
    key_id: int,
    idempotency_key: str,
    service_name: str,
    today: datetime,
) -> Submission:
    """The request as the intake's ReportIn, or Open311Error(400) naming every field that is
    wrong. `lists` holds every value of each field (attribute[code][] may repeat); the service
    code has been checked to exist."""
    problems: list[str] = []
    code = form.get("service_code", "").strip()
    try:
        answers = attributes.read(code, _attribute_values(lists))
    except Open311Error as error:
        problems.extend(error.descriptions)
    before = len(problems)
    location = _location(form, problems)
    address = _bounded(form, "address_string", MAX_ADDRESS, problems)
    address_id = _bounded(form, "address_id", MAX_ID, problems)
    if location is None and not address and len(problems) == before:
        problems.append(
            "location: send lat and long (WGS-84) or address_string"
            + ("; address_id alone cannot be located here." if address_id else ".")
        )
    description = _bounded(form, "description", MAX_DESCRIPTION, problems, strip=False)
    email = _checked(form, "email", _email, 254, problems)
    media_url = _checked(form, "media_url", _url, MAX_URL, problems)
    phone = _bounded(form, "phone", 32, problems)
    name = _name(form, problems)
    private = {name: _bounded(form, name, MAX_ID, problems) for name in ("device_id", "account_id")}
    if problems:
        raise Open311Error(400, *problems)
    text = "\n".join([description.strip() or service_name, *answers.lines])
    payload = {
        "open311": {"service_code": code, "attributes": answers.given, "email": email, **private},
        "media_url": media_url,
        "address_id": address_id,
    }
    report = intake.ReportIn(
        source=SOURCE,
        external_id=_external_id(key_id, idempotency_key, form, lists, today),
        text=text,
        category=code,
        priority=answers.priority,
        location=location,
        address=address,
        reporter_phone=phone,
        reporter_name=name,
        payload=payload,
    )
    return Submission(code, report)


def _attribute_values(lists: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for field, sent in lists.items():
        match = ATTRIBUTE.match(field)
        if match:
            values.setdefault(match.group(1), []).extend(sent)
    return values


def _location(form: Mapping[str, str], problems: list[str]) -> intake.Location | None:
    lat, lon = form.get("lat", "").strip(), form.get("long", "").strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        problems.append("lat, long: send both, or neither.")
        return None
    try:
        y, x = float(lat[:40]), float(lon[:40])
    except ValueError:
        problems.append("lat, long: numbers (WGS-84 degrees).")
        return None
    if not (math.isfinite(y) and math.isfinite(x) and -90 <= y <= 90 and -180 <= x <= 180):
        problems.append("lat, long: latitude -90..90 and longitude -180..180.")
        return None
    return intake.Location(y, x, "wgs84")


def _bounded(
    form: Mapping[str, str], field: str, limit: int, problems: list[str], *, strip: bool = True
) -> str:
    value = form.get(field, "")
    value = value.strip() if strip else value
    if len(value) > limit:
        problems.append(f"{field}: at most {limit} characters.")
        return ""
    return value


def _checked(
    form: Mapping[str, str],
    field: str,
    validator: Callable[[str], None],
    limit: int,
    problems: list[str],
) -> str:
    value = _bounded(form, field, limit, problems)
    if not value:
        return ""
    try:
        validator(value)
    except ValidationError:
        problems.append(f"{field}: not a valid {'e-mail address' if field == 'email' else 'URL'}.")
        return ""
    return value


def _name(form: Mapping[str, str], problems: list[str]) -> str:
    first = form.get("first_name", "").strip()
    last = form.get("last_name", "").strip()
    # A Chinese name is written family name first, without a space.
    name = f"{last}{first}" if CJK.search(first + last) else f"{first} {last}".strip()
    if len(name) > MAX_NAME:
        problems.append(f"first_name, last_name: at most {MAX_NAME} characters together.")
        return ""
    return name


def _external_id(
    key_id: int,
    idempotency_key: str,
    form: Mapping[str, str],
    lists: Mapping[str, Sequence[str]],
    today: datetime,
) -> str:
    if idempotency_key:
        basis: object = [key_id, "key", idempotency_key]
    else:
        said = {name: list(values) for name, values in lists.items() if name != "api_key"}
        basis = [key_id, "content", today.date().isoformat(), sorted(said.items())]
    digest = hashlib.sha256(json.dumps(basis, ensure_ascii=False).encode("utf-8", "replace"))
    return f"open311:{digest.hexdigest()[:48]}"

"""Each simulated report as its source's HTTP request: the intake API for hotline and web, a
Twilio-signed form for SMS, the 110 and 12319 feeds' signed records (integrations.feeds'
docstring). Pure: the clock and the credentials are arguments."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from integrations.feeds import signing
from integrations.simulator.generate import SimReport

CST = timezone(timedelta(hours=8))
API_PATH = "/api/v1/reports"
SMS_PATH = "/integrations/twilio/sms/"
FEED_PATHS = {"110": "/integrations/feeds/110/", "12319": "/integrations/feeds/12319/"}
HOTLINE_NUMBER = "+8645112345"  # the number citizens text (To)

# 110's incident class and type (警情类别, 警情类型) for the problems it hears of; the rest are
# 求助 (assistance) calls passed on to 12345.
POLICE_TYPES = {
    "fight": ("治安类", "打架斗殴"),
    "theft": ("刑事类", "盗窃"),
    "illegal_parking": ("交通类", "违法停车"),
    "signal_out": ("交通类", "交通设施故障"),
    "night_construction": ("治安类", "噪声扰民"),
    "shop_noise": ("治安类", "噪声扰民"),
    "neighbour_noise": ("治安类", "噪声扰民"),
    "gas_smell": ("灾害事故类", "燃气泄漏"),
    "stray_dogs": ("求助类", "动物伤人"),
    "elevator_stuck": ("求助类", "电梯困人"),
}
# 12319's 大类 codes, GB/T 30428 style: 部件 and 事件 number theirs apart.
URBAN_MAJOR_CODES = {
    ("部件", "公用设施"): "01",
    ("部件", "道路交通"): "02",
    ("部件", "市容环境"): "03",
    ("部件", "园林绿化"): "04",
    ("事件", "市容环境"): "01",
    ("事件", "施工管理"): "03",
    ("事件", "突发事件"): "04",
    ("事件", "街面秩序"): "05",
    ("事件", "市政公用"): "06",
    ("事件", "其他事件"): "09",
}


@dataclass(frozen=True)
class Credentials:
    """What the simulator signs with. `api_key`: the intake key (hotline, web); `twilio_token`
    and `public_base_url`: what the server checks SMS webhooks against; `feeds`: per source
    ("110", "12319") the FeedSystem's code and secret."""

    api_key: str = ""
    twilio_token: str = ""
    public_base_url: str = ""
    feeds: dict[str, tuple[str, str]] | None = None

    def missing(self, sources: list[str] | tuple[str, ...]) -> list[str]:
        """What a run over `sources` lacks, in words."""
        lacking = []
        if {"hotline", "web"} & set(sources) and not self.api_key:
            lacking.append("the intake API key (hotline, web)")
        if "sms" in sources and not (self.twilio_token and self.public_base_url):
            lacking.append("the Twilio token and public base URL (sms)")
        for source in ("110", "12319"):
            if source in sources and source not in (self.feeds or {}):
                lacking.append(f"the {source} feed system's code and secret")
        return lacking


@dataclass(frozen=True)
class Request:
    source: str
    ref: str
    path: str
    headers: dict[str, str]
    body: bytes


def request_for(report: SimReport, credentials: Credentials, now: datetime) -> Request:
    """The HTTP request that sends `report` as its source would, at `now` (aware)."""
    build = {"hotline": _api, "web": _api, "sms": _sms, "110": _police, "12319": _urban}
    return build[report.source](report, credentials, now)


def _api(report: SimReport, credentials: Credentials, now: datetime) -> Request:
    body = {
        "source": report.source,
        "external_id": f"sim-{report.ref}",
        "text": report.text,
        "category": report.category_given,
        "location": (
            {"lat": report.point[0], "lon": report.point[1], "datum": report.datum}
            if report.point
            else None
        ),
        "address": report.address,
        "reporter": {"phone": report.phone} if report.phone else None,
    }
    headers = {
        "Authorization": f"Bearer {credentials.api_key}",
        "Content-Type": "application/json; charset=utf-8",
    }
    return Request(report.source, report.ref, API_PATH, headers, _json(body))


def sms_params(report: SimReport) -> dict[str, str]:
    # Twilio's MessageSid: "SM" and 32 hex digits; one per report, so a resend is a replay.
    sid = "SM" + hashlib.md5(report.ref.encode(), usedforsecurity=False).hexdigest()
    return {
        "MessageSid": sid,
        "From": f"+86{report.phone}",
        "To": HOTLINE_NUMBER,
        "Body": report.text,
    }


def _sms(report: SimReport, credentials: Credentials, now: datetime) -> Request:
    params = sms_params(report)
    url = credentials.public_base_url.rstrip("/") + SMS_PATH
    signature = RequestValidator(credentials.twilio_token).compute_signature(url, params)
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    }
    return Request("sms", report.ref, SMS_PATH, headers, urlencode(params).encode())


def police_record(report: SimReport, now: datetime) -> dict:
    """A 110 接处警 record (integrations.feeds' docstring)."""
    jqlb, jqlx = POLICE_TYPES.get(report.problem, ("求助类", "市政设施求助"))
    record = {
        "jjdbh": f"HRB110{now.astimezone(CST):%Y%m%d}{report.ref}",
        "bjsj": f"{now.astimezone(CST):%Y-%m-%d %H:%M:%S}",
        "bjrdh": report.phone,
        "bjrxm": "",
        "sfdz": report.address,
        "jqlb": jqlb,
        "jqlx": jqlx,
        "bjnr": report.text,
        "fkzt": "",
    }
    if report.point:
        record.update(zbx=report.point[1], zby=report.point[0], zbxt=report.datum)
    return record


def urban_case(report: SimReport, now: datetime) -> dict:
    """A 12319 数字城管 case (integrations.feeds' docstring): GCJ-02 points say no datum, others
    do; a case without a point gives its grid cell."""
    ajlx, dl, xl = (report.category_given or "事件/其他事件/其他").split("/")
    dlbm = URBAN_MAJOR_CODES.get((ajlx, dl), "09")
    case = {
        "ajbh": f"{report.district}-{now.astimezone(CST):%Y}-{report.ref}",
        "slsj": now.astimezone(CST).replace(microsecond=0).isoformat(),
        "ajlx": ajlx,
        "dl": dl,
        "xl": xl,
        "dlbm": dlbm,
        "xlbm": dlbm + f"{_stable(xl) % 90 + 10}",  # a 小类's code: the same for the same name
        "wtms": report.text,
        "wz": report.address,
        "zp": [],
        "sbr_dh": report.phone,
    }
    if report.point:
        case.update(x=report.point[1], y=report.point[0])
        if report.datum != "gcj02":
            case["zbxt"] = report.datum
    else:
        case["wgbm"] = grid_code(report)
    return case


def grid_code(report: SimReport) -> str:
    """单元网格编码: the district's adcode, a street (3 digits) and a cell (3 digits); the same
    place gives the same cell."""
    digest = _stable(report.place)
    return f"{report.district}{digest % 20 + 1:03d}{digest // 20 % 200 + 1:03d}"


def _stable(text: str) -> int:
    """A number of `text`, the same in every process (hash() is salted per process)."""
    return int(hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(), 16)


def _police(report: SimReport, credentials: Credentials, now: datetime) -> Request:
    return _feed(report, credentials, {"records": [police_record(report, now)]}, now)


def _urban(report: SimReport, credentials: Credentials, now: datetime) -> Request:
    return _feed(report, credentials, {"cases": [urban_case(report, now)]}, now)


def _feed(report: SimReport, credentials: Credentials, payload: dict, now: datetime) -> Request:
    system, secret = (credentials.feeds or {})[report.source]
    body = _json(payload)
    headers = signing.signed_headers(system, secret, body, now=now.timestamp())
    return Request(report.source, report.ref, FEED_PATHS[report.source], headers, body)


def _json(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def utc_now() -> datetime:
    return datetime.now(UTC)

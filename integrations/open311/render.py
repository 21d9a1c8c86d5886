"""The spec's two formats. JSON follows its Spark convention: the root element's children become
a list (an object for a single-element root such as a service definition). XML is built with
xml.etree, never by concatenating strings, with the declaration the spec asks for."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# A list field's elements in XML: <attributes><attribute>..., <values><value>...
ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all (control characters a client may have sent).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """An answer in the spec's error format: HTTP `status`, one or more descriptions."""

    def __init__(self, status: int, *descriptions: str, retry_after: float | None = None) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions
        self.retry_after = retry_after  # seconds, sent as Retry-After (429, 503)


def listing(fmt: str, root: str, item: str, rows: Sequence[Mapping[str, Any]], status: int = 200):
    """<root><item>...</item>...</root>, or a JSON list of the items."""
    if fmt == JSON:
        return _json(list(rows), status)
    element = ET.Element(root)
    for row in rows:
        _fill(ET.SubElement(element, item), row)
    return _xml(element, status)


def single(fmt: str, root: str, row: Mapping[str, Any]) -> HttpResponse:
    """<root>fields</root>, or one JSON object (discovery, a service definition)."""
    if fmt == JSON:
        return _json(dict(row), 200)
    element = ET.Element(root)
    _fill(element, row)
    return _xml(element, 200)


def errors(fmt: str, error: Open311Error) -> HttpResponse:
    rows = [{"code": error.status, "description": text} for text in error.descriptions]
    response = listing(fmt, "errors", "error", rows, status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(int(error.retry_after))
    return response


def _fill(element: ET.Element, row: Mapping[str, Any]) -> None:
    for name, value in row.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list | tuple):
            tag = ITEM_TAGS[name]
            for entry in value:
                sub = ET.SubElement(child, tag)
                if isinstance(entry, Mapping):
                    _fill(sub, entry)
                else:
                    sub.text = _text(entry)
        elif isinstance(value, Mapping):
            _fill(child, value)
        else:
            child.text = _text(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _json(body: Any, status: int) -> HttpResponse:
    text = json.dumps(body, ensure_ascii=False, allow_nan=False)
    body = text.encode("utf-8", "replace")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[JSON])


DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _xml(element: ET.Element, status: int) -> HttpResponse:
    # Serialised to text, then encoded once: ET.tostring(encoding="UTF-8") encodes every small
    # write on its own, two thirds of a 1000-request list's XML time.
    body = (DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[XML])

"""Site photos a unit takes before and after handling: checked to be a real PNG or JPEG (by
their bytes, not their name), kept through Django's storage API and recorded on the timeline by
command.lifecycle (`note` with the photo). Shown only through a view that checks access."""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from command import lifecycle
from command.errors import InvalidPhoto, TooLarge
from command.models import Incident, PhotoKind

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments.
SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class Image:
    content_type: str
    extension: str
    width: int
    height: int


def max_bytes() -> int:
    return settings.CITYDESK["PHOTO_MAX_BYTES"]


def check_size(size: int) -> None:
    if size > max_bytes():
        limit = max_bytes() // (1024 * 1024)
        raise TooLarge(f"The photo is larger than {limit} MB.", {"photo": [f"At most {limit} MB."]})


def read_image(data: bytes) -> Image:
    """What `data` is, if it is a whole PNG or JPEG with a size; raises InvalidPhoto otherwise.

    Pillow is not among the dependencies, so the structure is read here: a PNG's header chunk
    (with its CRC) and its end chunk, a JPEG's segments up to the frame header and its end
    marker. A text file named .jpg fails at the first bytes."""
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg(data)
    raise InvalidPhoto(
        "The file is not a PNG or JPEG image.", {"photo": ["Upload a PNG or JPEG photo."]}
    )


def _png(data: bytes) -> Image:
    header = data[8:33]
    if len(header) < 25 or header[4:8] != b"IHDR" or struct.unpack(">I", header[:4])[0] != 13:
        raise _broken("PNG")
    width, height = struct.unpack(">II", header[8:16])
    crc = struct.unpack(">I", header[21:25])[0]
    if zlib.crc32(header[4:21]) != crc or not width or not height:
        raise _broken("PNG")
    if data[-12:] != b"\x00\x00\x00\x00IEND\xaeB`\x82":
        raise _broken("PNG")
    return Image("image/png", "png", width, height)


def _jpeg(data: bytes) -> Image:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise _broken("JPEG")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in SOF_MARKERS:
            segment = data[at + 4 : at + 2 + length]
            if len(segment) < 5:
                break
            height, width = struct.unpack(">HH", segment[1:5])
            if not width or not height or b"\xff\xd9" not in data[-32:]:
                break
            return Image("image/jpeg", "jpg", width, height)
        if length < 2:
            break
        at += 2 + length
    raise _broken("JPEG")


def _broken(kind: str) -> InvalidPhoto:
    return InvalidPhoto(
        f"The file starts like a {kind} image but is not a whole one.",
        {"photo": ["The image is damaged or cut short."]},
    )


def add_photo(
    incident: Incident,
    *,
    data: bytes,
    kind: str,
    actor: AbstractBaseUser,
    version: int,
    note: str = "",
) -> Incident:
    """Check, store and record one photo of `incident` (its version as the actor saw it). The
    file is removed again if the lifecycle refuses (a stale version, a wrong state)."""
    check_size(len(data))
    if kind not in PhotoKind.values:
        raise InvalidPhoto("Say whether the photo is from before or after handling.")
    image = read_image(data)
    name = default_storage.save(
        f"incident_photos/{incident.tracking_no}/{uuid.uuid4().hex}.{image.extension}",
        ContentFile(data),
    )
    photo = {"file": name, "kind": kind, "content_type": image.content_type, "size": len(data)}
    request = lifecycle.Request(
        "note", actor=actor, note=note, expected_version=version, data={"photo": photo}
    )
    try:
        return lifecycle.apply(incident.id, request)
    except Exception:
        default_storage.delete(name)
        raise

"""Site photos from the unit console: a real PNG or JPEG is stored through the storage API and
recorded on the timeline; a non-image named .jpg, a cut-short image or an oversized file is
refused with a message; a photo is served only to those who may see its incident."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from command import lifecycle, photos
from command.errors import InvalidPhoto
from command.models import Incident, IncidentPhoto, IncidentStatus

pytestmark = pytest.mark.django_db
NOISE = "中央大街附近工地夜间施工噪音扰民"
JPEG = (Path(__file__).parents[1] / "data" / "site_16x16.jpg").read_bytes()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int = 3, height: int = 2) -> bytes:
    """A real RGB PNG, red, written out by hand (no image library among the dependencies)."""
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        photos.PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def signed(city, report, user, media) -> Incident:
    """A ticket daoli has signed: photos may be added now."""
    incident = report(NOISE).incident
    return lifecycle.apply(incident.id, lifecycle.Request("sign", actor=user("daoli")))


@pytest.fixture
def daoli(user) -> Client:
    client = Client()
    client.force_login(user("daoli"))
    return client


def upload(client: Client, incident: Incident, data: bytes, name: str, **fields):
    body = {
        "version": incident.version,
        "kind": "before",
        "photo": SimpleUploadedFile(name, data, content_type="image/jpeg"),
        **fields,
    }
    return client.post(f"/units/{incident.tracking_no}/photos", body)


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_a_real_png_and_jpeg_are_stored_recorded_and_served(signed, daoli, media):
    first = upload(daoli, signed, png(), "现场.png", note="处置前")
    signed.refresh_from_db()
    second = upload(daoli, signed, JPEG, "after.jpg", kind="after")

    assert [first.status_code, second.status_code] == [302, 302]
    before, after = IncidentPhoto.objects.filter(incident=signed).order_by("id")
    assert (before.kind, before.content_type, before.size) == ("before", "image/png", len(png()))
    assert (after.kind, after.content_type) == ("after", "image/jpeg")
    assert len(stored_files(media)) == 2
    entries = list(signed.timeline.filter(action="note").values_list("note", "data"))
    assert entries[0][0] == "处置前"
    assert [data["photo"]["id"] for _, data in entries] == [before.id, after.id]
    served = daoli.get(f"/units/{signed.tracking_no}/photos/{after.id}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == JPEG
    shown = daoli.get(f"/units/{signed.tracking_no}/").content.decode()
    assert f"/units/{signed.tracking_no}/photos/{before.id}" in shown


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("这不是照片，只是一段文字".encode(), "site.jpg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "site.png"),
        (png()[:40], "cut.png"),  # the header is whole, the rest is missing
        (JPEG[:200], "cut.jpg"),
        (b"\xff\xd8\xff" + b"\x00" * 64, "zeros.jpg"),
    ],
)
def test_a_file_that_is_not_a_whole_image_is_refused(signed, daoli, media, data, name):
    answer = upload(daoli, signed, data, name)

    assert answer.status_code == 400
    assert "不是完整的 PNG 或 JPEG 图片" in answer.content.decode()
    assert not IncidentPhoto.objects.exists()
    assert stored_files(media) == []
    assert Incident.objects.get(pk=signed.pk).version == signed.version


def test_an_oversized_photo_is_refused(signed, daoli, media, settings):
    settings.CITYDESK = {**settings.CITYDESK, "PHOTO_MAX_BYTES": len(JPEG) - 1}

    answer = upload(daoli, signed, JPEG, "big.jpg")

    assert answer.status_code == 413
    assert "超过了大小限制" in answer.content.decode()
    assert not IncidentPhoto.objects.exists()
    assert stored_files(media) == []


def test_no_file_at_all_is_a_clear_400(signed, daoli):
    answer = daoli.post(f"/units/{signed.tracking_no}/photos", {"version": signed.version})

    assert answer.status_code == 400
    assert "photo" in answer.content.decode()


def test_a_photo_from_a_stale_page_is_refused_and_not_kept(signed, daoli, media, user):
    stale = Incident.objects.get(pk=signed.pk)
    lifecycle.apply(signed.id, lifecycle.Request("note", actor=user("daoli"), note="别人先写"))

    answer = upload(daoli, stale, png(), "site.png")

    assert answer.status_code == 409
    assert "刚被其他人更新过" in answer.content.decode()
    assert not IncidentPhoto.objects.exists()
    assert stored_files(media) == []


def test_no_photo_before_signing(city, report, daoli, media):
    incident = report(NOISE).incident
    assert incident.status == IncidentStatus.DISPATCHED

    answer = upload(daoli, incident, png(), "site.png")

    assert answer.status_code == 409
    assert stored_files(media) == []


def test_another_unit_cannot_add_or_see_a_photo(signed, daoli, user, media):
    upload(daoli, signed, png(), "site.png")
    photo = IncidentPhoto.objects.get()
    other = Client()
    other.force_login(user("water"))
    signed.refresh_from_db()

    seen = other.get(f"/units/{signed.tracking_no}/photos/{photo.id}")
    added = upload(other, signed, png(), "mine.png")

    assert seen.status_code == 404
    assert added.status_code == 404
    assert IncidentPhoto.objects.count() == 1


def test_photos_have_no_public_path(signed, daoli, media):
    upload(daoli, signed, png(), "site.png")
    photo = IncidentPhoto.objects.get()

    assert Client().get(f"/media/{photo.file.name}").status_code == 404
    assert daoli.get(f"/media/{photo.file.name}").status_code == 404


def test_read_image_reads_the_size_from_the_bytes():
    assert photos.read_image(png(7, 5)).width == 7
    assert (photos.read_image(JPEG).width, photos.read_image(JPEG).height) == (16, 16)
    with pytest.raises(InvalidPhoto):
        photos.read_image(b"")

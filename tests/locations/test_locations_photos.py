import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.db import db
from locations import photos
from locations.models import LocationPhoto, LocationStatus


def photo_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LocationPhoto))


def upload(client, location, data: bytes, headers, name="photo.jpg", caption=""):
    return client.post(
        f"/api/v1/locations/{location.id}/photos",
        data={"file": (io.BytesIO(data), name), "caption": caption},
        headers=headers,
        content_type="multipart/form-data",
    )


def fetch(client, url: str) -> tuple[int, str, bytes]:
    """Status, media type and body of a file response, closed (it holds an open file)."""
    with client.get(url) as response:
        return response.status_code, response.mimetype, response.data


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Secret camera"  # Model
    exif[0x8825] = {2: (50.0, 27.0, 34.0), 1: "N"}  # GPS IFD
    return exif.tobytes()


def test_upload_strips_exif_and_makes_a_thumbnail(
    client, api_as, create_location, image_bytes, upload_folder
):
    location = create_location()
    original = image_bytes("JPEG", size=(1600, 1200), exif=gps_exif())
    assert b"Secret camera" in original
    response = upload(client, location, original, api_as("scout"), caption="Façade")
    assert response.status_code == 201, response.json
    assert response.json["is_cover"] and response.json["caption"] == "Façade"
    assert (response.json["width"], response.json["height"]) == (1600, 1200)
    status, media_type, stored = fetch(client, response.json["full"])
    assert status == 200 and media_type == "image/jpeg"
    assert b"Secret camera" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    thumbnail = Image.open(io.BytesIO(fetch(client, response.json["thumb"])[2]))
    assert max(thumbnail.size) <= 480
    assert len(list((upload_folder / "locations" / str(location.id)).iterdir())) == 2


@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted(
    client, api_as, create_location, image_bytes, upload_folder, fmt, media_type
):
    response = upload(client, create_location(), image_bytes(fmt), api_as("scout"), "x.img")
    assert response.status_code == 201 and response.json["media_type"] == media_type


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html>not an image</html>", "not a readable"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "not a readable"),  # a JPEG header and nothing else
        (None, "GIF images are not accepted"),
    ],
)
def test_fake_or_unsupported_images_are_refused_and_nothing_is_stored(
    client, api_as, create_location, image_bytes, upload_folder, data, words
):
    location = create_location()
    data = data if data is not None else image_bytes("GIF")
    response = upload(client, location, data, api_as("scout"))
    assert response.status_code == 400 and response.json["field"] == "file"
    assert words in response.json["detail"]
    assert photo_count() == 0 and not upload_folder.exists()


def test_oversized_photo_is_a_413(app, client, api_as, create_location, image_bytes, upload_folder):
    location = create_location()
    app.config["LOCATION_PHOTO_MAX_BYTES"] = 1000
    try:
        response = upload(client, location, image_bytes("PNG", size=(400, 400)), api_as("scout"))
    finally:
        app.config["LOCATION_PHOTO_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 413 and response.json["field"] == "file"
    assert photo_count() == 0
    # Over the whole-request limit, Flask refuses before the view runs.
    app.config["MAX_CONTENT_LENGTH"] = 2000
    try:
        too_big = upload(client, location, b"x" * 5000, api_as("scout"))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert too_big.status_code == 413


def test_order_cover_and_deletion(client, api_as, create_location, image_bytes, upload_folder):
    location = create_location()
    headers = api_as("scout")
    ids = [upload(client, location, image_bytes(), headers).json["id"] for _ in range(3)]
    base = f"/api/v1/locations/{location.id}/photos"

    def order():
        photos = client.get(base).json["photos"]
        return [p["id"] for p in photos], [p["id"] for p in photos if p["is_cover"]]

    assert order() == (ids, [ids[0]])
    assert (
        client.patch(f"{base}/{ids[2]}", json={"position": 0}, headers=headers).status_code == 200
    )
    assert order() == ([ids[2], ids[0], ids[1]], [ids[0]])
    client.patch(f"{base}/{ids[1]}", json={"is_cover": True}, headers=headers)
    assert order()[1] == [ids[1]]
    assert client.delete(f"{base}/{ids[1]}", headers=headers).status_code == 204
    assert order() == ([ids[2], ids[0]], [ids[2]])  # the first remaining one is the cover
    bad = client.patch(f"{base}/{ids[0]}", json={"position": -1}, headers=headers)
    assert bad.status_code == 400 and bad.json["field"] == "position"


def test_photos_follow_the_location_visibility(
    client, api_as, create_location, image_bytes, upload_folder
):
    draft = create_location(status=LocationStatus.DRAFT)
    response = upload(client, draft, image_bytes(), api_as("scout"))
    assert fetch(client, response.json["thumb"])[0] == 404
    assert upload(client, draft, image_bytes(), {}).status_code == 401
    assert upload(client, draft, image_bytes(), api_as("officer")).status_code == 403


def test_photo_files_follow_the_transaction(create_location, image_bytes, upload_folder):
    """A rolled-back upload leaves no file; a rolled-back deletion keeps them."""
    location = create_location()
    db.session.commit()  # the location outlives the rollbacks below
    photos.add_photo(db.session, location, image_bytes(), upload_folder, None)
    assert len(list(upload_folder.rglob("*.*"))) == 2  # the photo and its thumbnail
    db.session.rollback()
    assert list(upload_folder.rglob("*.*")) == []

    kept = photos.add_photo(db.session, location, image_bytes(), upload_folder, None)
    db.session.commit()
    photos.delete_photo(db.session, location, kept, upload_folder)
    db.session.rollback()
    assert len(list(upload_folder.rglob("*.*"))) == 2
    photos.delete_photo(db.session, location, db.session.get(LocationPhoto, kept.id), upload_folder)
    db.session.commit()
    assert list(upload_folder.rglob("*.*")) == []


def test_deleting_a_location_removes_its_photo_files_after_the_commit(
    client, api_as, create_location, image_bytes, upload_folder
):
    """Found in issue 10: the rows went (ON DELETE CASCADE), the files stayed on disk and in
    every backup."""
    location = create_location()
    headers = api_as("admin")
    assert upload(client, location, image_bytes(), headers).status_code == 201
    assert len(list(upload_folder.rglob("*.*"))) == 2
    response = client.delete(f"/api/v1/locations/{location.id}", headers=headers)
    assert response.status_code == 200 and response.json["result"] == "deleted"
    assert list(upload_folder.rglob("*.*")) == []

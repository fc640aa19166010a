"""Location photos: uploads checked by decoding them, re-encoded without metadata, thumbnails.

Files live in UPLOAD_FOLDER/locations/<location id>/; the database keeps their order and cover.
"""

from __future__ import annotations

import io
import uuid
import warnings
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from core.auth.models import User
from core.errors import InvalidInput, NotFound
from locations.models import Location, LocationPhoto

# Pillow format name -> (media type, file extension)
ACCEPTED_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 50_000_000  # a 50-megapixel photo is plenty; larger is a decompression bomb risk
THUMBNAIL_SIZE = (480, 360)


class PayloadTooLarge(InvalidInput):
    """A photo too large to take: bad input of its own status."""

    status = 413
    error = "payload_too_large"


def photo_folder(upload_root: str | Path, location_id: int) -> Path:
    return Path(upload_root) / "locations" / str(location_id)


def decode_image(data: bytes) -> Image.Image:
    """The decoded image, or a 4xx: not an image, not an accepted format, too many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    "file",
                    _l(
                        "%(format)s images are not accepted: send JPEG, PNG or WebP",
                        format=image.format,
                    ),
                )
            if image.width * image.height > MAX_PIXELS:
                raise PayloadTooLarge(
                    "file",
                    _l(
                        "the image has %(width)s×%(height)s pixels; the limit is %(limit)s "
                        "megapixels",
                        width=image.width,
                        height=image.height,
                        limit=MAX_PIXELS // 1_000_000,
                    ),
                )
            image.load()  # decodes every pixel: a truncated or fake file fails here
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PayloadTooLarge("file", _l("the image has too many pixels")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput("file", _l("is not a readable JPEG, PNG or WebP image")) from None
    return image


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    """Re-encoded pixels only: EXIF (GPS position, camera serial…), XMP and comments dropped."""
    buffer = io.BytesIO()
    if pillow_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=90, optimize=True)
    elif pillow_format == "WEBP":
        image.save(buffer, "WEBP", quality=90)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def read_upload(upload: FileStorage | None, max_bytes: int) -> bytes:
    if upload is None or not upload.filename:
        raise InvalidInput("file", _l("is required (multipart/form-data field 'file')"))
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            "file",
            _l("larger than the %(mib)s MiB limit per photo", mib=max_bytes // (1024 * 1024)),
        )
    if not data:
        raise InvalidInput("file", _l("is empty"))
    return data


def add_photo(
    session: Session,
    location: Location,
    data: bytes,
    upload_root: str | Path,
    user: User | None,
    caption: str = "",
) -> LocationPhoto:
    """Store a photo (last in order; the cover if it is the first one)."""
    decoded = decode_image(data)
    pillow_format = decoded.format or "JPEG"
    image = ImageOps.exif_transpose(decoded)  # keep the intended orientation, drop the tag
    media_type, extension = ACCEPTED_FORMATS[pillow_format]
    content = _encode(image, pillow_format)
    count, last = session.execute(
        select(func.count(), func.max(LocationPhoto.position)).where(
            LocationPhoto.location_id == location.id
        )
    ).one()
    photo = LocationPhoto(
        location_id=location.id,
        stored_name=f"{uuid.uuid4().hex}.{extension}",
        media_type=media_type,
        width=image.width,
        height=image.height,
        byte_size=len(content),
        caption=caption.strip()[:300],
        position=(last + 1) if last is not None else 0,
        is_cover=count == 0,
        created_by_id=user.id if user else None,
    )
    folder = photo_folder(upload_root, location.id)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / photo.stored_name, folder / photo.thumbnail_name]
    _files(session, WRITTEN).extend(written)  # removed again if the transaction rolls back
    written[0].write_bytes(content)
    written[1].write_bytes(_thumbnail(image))
    session.add(photo)
    session.flush()
    return photo


def get_photo(session: Session, location: Location, photo_id: int) -> LocationPhoto:
    photo = session.get(LocationPhoto, photo_id)
    if photo is None or photo.location_id != location.id:
        raise NotFound(f"No photo {photo_id} for location {location.id}.")
    return photo


def ordered_photos(session: Session, location: Location) -> list[LocationPhoto]:
    return list(
        session.scalars(
            select(LocationPhoto)
            .where(LocationPhoto.location_id == location.id)
            .order_by(LocationPhoto.position, LocationPhoto.id)
        )
    )


def move_photo(session: Session, location: Location, photo: LocationPhoto, position: int) -> None:
    """Put PHOTO at POSITION (0 = first) and renumber the others 0..n-1."""
    photos = [p for p in ordered_photos(session, location) if p.id != photo.id]
    photos.insert(min(position, len(photos)), photo)
    for number, each in enumerate(photos):
        each.position = number
    session.flush()


def make_cover(session: Session, location: Location, photo: LocationPhoto) -> None:
    # Unset the old cover first: the partial unique index allows one cover per location.
    session.execute(
        update(LocationPhoto)
        .where(LocationPhoto.location_id == location.id, LocationPhoto.id != photo.id)
        .values(is_cover=False)
    )
    photo.is_cover = True
    session.flush()


def delete_photo(
    session: Session, location: Location, photo: LocationPhoto, upload_root: str | Path
) -> None:
    was_cover = photo.is_cover
    session.delete(photo)
    session.flush()
    if was_cover:
        remaining = ordered_photos(session, location)
        if remaining:
            make_cover(session, location, remaining[0])
    folder = photo_folder(upload_root, location.id)
    # Removed once the deletion is committed: a failed commit keeps the row and its files.
    _files(session, DOOMED).extend(
        folder / name for name in (photo.stored_name, photo.thumbnail_name)
    )


def forget_files(session: Session, location: Location, upload_root: str | Path) -> None:
    """The files of every photo of LOCATION, removed once its deletion is committed."""
    folder = photo_folder(upload_root, location.id)
    for photo in session.scalars(
        select(LocationPhoto).where(LocationPhoto.location_id == location.id)
    ):
        _files(session, DOOMED).extend((folder / photo.stored_name, folder / photo.thumbnail_name))


# Files follow the transaction: nothing is half-stored when a commit fails or a request errs.
WRITTEN = "tournages.files_written"
DOOMED = "tournages.files_doomed"


def _files(session: Session, kind: str) -> list[Path]:
    return session.info.setdefault(kind, [])


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _settle_files_after_commit(session: Session) -> None:
    session.info.pop(WRITTEN, None)
    _remove(session.info.pop(DOOMED, []))


@event.listens_for(Session, "after_rollback")
def _settle_files_after_rollback(session: Session) -> None:
    session.info.pop(DOOMED, None)
    _remove(session.info.pop(WRITTEN, []))


def photo_dict(photo: LocationPhoto, urls: dict[str, str]) -> dict:
    return {
        "id": photo.id,
        "media_type": photo.media_type,
        "width": photo.width,
        "height": photo.height,
        "byte_size": photo.byte_size,
        "caption": photo.caption,
        "position": photo.position,
        "is_cover": photo.is_cover,
        **urls,
    }

"""Fixtures of the location tests: API helpers and images made with Pillow."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

PRIVATE_VALUES = {
    "contact_name": "Jeanne Propriétaire",
    "contact_phone": "+32 470 11 22 33",
    "contact_email": "jeanne@example.be",
    "owner_notes": "Clé chez la voisine",
}


def point_feature(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"name": "Château de test", **properties},
    }


@pytest.fixture
def image_bytes() -> Callable[..., bytes]:
    """Factory: image_bytes("JPEG", size=(64, 48), exif=None) -> encoded image."""

    def make(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bytes | None = None):
        image = Image.new("RGB", size, (200, 120, 40))
        buffer = io.BytesIO()
        options = {"exif": exif} if exif else {}
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    return make


@pytest.fixture
def upload_folder(app, tmp_path):
    previous = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = previous


@pytest.fixture
def api_as(make_user, token_for) -> Callable[[str], dict[str, str]]:
    """Factory: api_as("scout") -> Authorization headers of a new user with that role."""

    def headers(role: str) -> dict[str, str]:
        return token_for(make_user(role))

    return headers

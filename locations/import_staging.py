"""An uploaded import file between its dry run and the user's confirmation.

The import page checks a file first (a dry run: the report table) and imports it only when the
user confirms. The file waits in the upload folder, which every app node shares (so the
confirmation may reach another node), under a random token and the user's id: only its
uploader can confirm it. Files older than MAX_AGE are removed whenever a new one is staged.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

from core.auth.models import User

FOLDER = "import-staging"
MAX_AGE_SECONDS = 3600  # an hour to read the report and confirm
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # what stage() makes: never a path


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(user: User, token: str) -> Path | None:
    return _folder() / f"{user.id}-{token}" if TOKEN.match(token or "") else None


def stage(user: User, content: bytes) -> str:
    """Keep CONTENT for USER's confirmation; the token that names it."""
    _remove_expired()
    token = secrets.token_urlsafe(32)
    path = _path(user, token)
    assert path is not None  # token_urlsafe(32) matches TOKEN
    path.write_bytes(content)
    return token


def staged(user: User, token: str) -> bytes | None:
    """The file USER staged under TOKEN, or None (unknown, expired or another user's)."""
    path = _path(user, token)
    if path is None or not path.is_file() or _expired(path):
        return None
    return path.read_bytes()


def discard(user: User, token: str) -> None:
    path = _path(user, token)
    if path is not None:
        path.unlink(missing_ok=True)


def _expired(path: Path) -> bool:
    return time.time() - path.stat().st_mtime > MAX_AGE_SECONDS


def _remove_expired() -> None:
    for path in _folder().iterdir():
        if path.is_file() and _expired(path):
            path.unlink(missing_ok=True)

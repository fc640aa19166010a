"""Accounts and tokens as plain functions over a Session."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from zxcvbn import zxcvbn

from core.auth.models import ApiToken, Role, User
from core.communes.models import Commune
from core.db import DriverStatement
from core.errors import InvalidInput

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# A real hash of a random password: verifying against it when the e-mail is unknown keeps
# the time of a failed log-in the same whether or not the account exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's score 3: about 10^8 guesses or more. It knows the common-password lists, keyboard
# patterns, repeats, dates and dictionary words, and counts the user's own e-mail as known.
MIN_PASSWORD_SCORE = 3
# zxcvbn's time grows fast with the length; a passphrase strong in its first 100 characters
# is strong, so the rest is not examined.
_ZXCVBN_PREFIX = 100
# Used once per stale period, not on every request: a busy token writes once a minute.
TOKEN_USE_RESOLUTION_SECONDS = 60


def check_password(password: str, email: str) -> None:
    """Refuse a password shorter than MIN_PASSWORD_LENGTH, equal to the e-mail or containing
    its name part, or that zxcvbn rates easy to guess (common, a pattern, a repeat)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        reason = _l("must have at least %(count)d characters", count=MIN_PASSWORD_LENGTH)
        raise InvalidInput("password", reason)
    if len(password) > MAX_PASSWORD_LENGTH:
        reason = _l("must have at most %(count)d characters", count=MAX_PASSWORD_LENGTH)
        raise InvalidInput("password", reason)
    address = email.strip().lower()
    name = address.partition("@")[0]
    lowered = password.lower()
    if lowered == address or (len(name) >= 4 and name in lowered):
        raise InvalidInput("password", _l("must not be or contain your e-mail address"))
    if zxcvbn(password[:_ZXCVBN_PREFIX], user_inputs=[address, name])["score"] < (
        MIN_PASSWORD_SCORE
    ):
        raise InvalidInput("password", _l("is too common or too easy to guess"))


def hash_password(password: str, email: str) -> str:
    check_password(password, email)
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return user.password_hash is not None and _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    role: Role | str,
    *,
    password: str | None = None,
    commune_nis: str | None = None,
    display_name: str | None = None,
) -> User:
    """Create an account; officers must be bound to an existing commune, others to none."""
    email = email.strip()
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput("email", "is not an e-mail address")
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput("role", f"must be one of {allowed}") from None
    if role is Role.OFFICER:
        if not commune_nis:
            raise InvalidInput("commune", "an officer must be bound to a commune")
        if session.get(Commune, commune_nis) is None:
            raise InvalidInput("commune", f"unknown commune NIS code {commune_nis!r}")
    elif commune_nis:
        raise InvalidInput("commune", "only officers are bound to a commune")
    if find_user(session, email) is not None:
        raise InvalidInput("email", "an account with this e-mail already exists")
    user = User(
        email=email,
        role=role,
        commune_nis=commune_nis,
        display_name=display_name,
        password_hash=hash_password(password, email) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, or None."""
    user = find_user(session, email)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_enabled or user.password_hash is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def end_sessions(user: User) -> None:
    """Every session of USER, on every device, stops being accepted (core.auth_setup)."""
    user.session_version += 1


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions end."""
    if not verify_password(user, current):
        raise InvalidInput("current_password", _l("is not your current password"))
    user.password_hash = hash_password(new, user.email)
    end_sessions(user)


def disable_user(session: Session, user: User) -> int:
    """Disable USER: no more log-ins, every session ends and every token is revoked (a
    re-enabled account starts with none). Returns the number of tokens revoked."""
    user.is_enabled = False
    end_sessions(user)
    return session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    ).rowcount


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str | None = None) -> str:
    """Create an API token for USER and return it; only its hash is kept."""
    token = "trn_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_digest(token), label=label))
    session.flush()
    return token


# The look-up runs on every API request: the driver's cursor (core.db.DriverStatement) and the
# user built from its columns cost a fifth of an ORM query (docs/shoots.md, "Profile").
_USER_COLUMNS = tuple(User.__mapper__.column_attrs)
_TOKEN_OWNER = DriverStatement(
    text(f"""
    SELECT {", ".join(f"u.{attribute.columns[0].name}" for attribute in _USER_COLUMNS)},
           t.id, t.last_used_at, now()
    FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL AND u.is_enabled""")
)


def user_for_token(session: Session, token: str) -> User | None:
    """The enabled user owning an unrevoked TOKEN, or None: one statement, one ORM object.

    The token's last use is recorded at most once per TOKEN_USE_RESOLUTION_SECONDS, committed
    on its own: the request's own unit of work starts after it."""
    row = _TOKEN_OWNER.first(session, {"token_hash": _digest(token)})
    if row is None:
        return None
    *columns, token_id, last_used_at, now = row
    user = _persistent_user(session, columns)
    if last_used_at is None or (now - last_used_at).total_seconds() > TOKEN_USE_RESOLUTION_SECONDS:
        # Part of the request's unit of work (immediate in a read-only view's autocommit).
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    return user


def _persistent_user(session: Session, columns: Sequence[Any]) -> User:
    """The User of a users row, in SESSION as if a query had loaded it (no pending change)."""
    values = {attribute.key: value for attribute, value in zip(_USER_COLUMNS, columns, strict=True)}
    known = session.identity_map.get(identity_key(User, values["id"]))
    if known is not None:
        return known  # type: ignore[return-value]
    values["role"] = Role(values["role"])
    user = User(**values)
    make_transient_to_detached(user)
    session.add(user)
    return user


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    """USER's tokens, newest first, revoked ones included (their hashes are never shown)."""
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = func.now()


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(func.lower(User.email))).all()


def set_language(user: User, language: str | None) -> None:
    """USER's pages in LANGUAGE from now on, in every browser (None: each browser's own).
    The languages are the app's (config LANGUAGES; the users_language_known constraint)."""
    known = current_app.config["LANGUAGES"]
    if language is not None and language not in known:
        raise InvalidInput("language", _l("must be one of %(expected)s", expected=", ".join(known)))
    user.language = language


DISPLAY_NAME_MAX = 120  # users.display_name


def set_display_name(user: User, name: str | None) -> None:
    """The name USER's pages, documents and audit trails show for them (empty: their e-mail
    address). Kept as typed, spaces at the ends aside: it is text wherever it is shown."""
    cleaned = (name or "").strip()
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise InvalidInput(
            "display_name", _l("must have at most %(max)d characters", max=DISPLAY_NAME_MAX)
        )
    if any(ord(c) < 32 for c in cleaned):
        raise InvalidInput("display_name", _l("must be on one line"))
    user.display_name = cleaned or None

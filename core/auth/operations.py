"""Accounts and tokens as plain functions over a Session."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.models import ApiToken, Role, User
from core.communes.models import Commune
from core.errors import InvalidInput

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# A real hash of a random password: verifying against it when the e-mail is unknown keeps
# the time of a failed log-in the same whether or not the account exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


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
        password_hash=hash_password(password) if password else None,
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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str | None = None) -> str:
    """Create an API token for USER and return it; only its hash is kept."""
    token = "trn_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The enabled user owning an unrevoked TOKEN, or None: one query, one ORM object."""
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _digest(token),
            ApiToken.revoked_at.is_(None),
            User.is_enabled.is_(True),
        )
    )

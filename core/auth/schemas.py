"""Schemas of the accounts API (they document it in the OpenAPI description)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from core.auth.models import Role


class UserOut(BaseModel):
    """An account; `commune` is the NIS code of an officer's commune."""

    id: int
    email: str
    display_name: str | None
    role: Role
    commune: str | None
    enabled: bool


class UserList(BaseModel):
    """Every account, by e-mail."""

    users: list[UserOut]


class TokenOut(BaseModel):
    """An API token; the token itself is shown only when it is created."""

    id: int
    label: str | None
    user: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenList(BaseModel):
    """API tokens, newest first, revoked ones included."""

    tokens: list[TokenOut]


class TokenQuery(BaseModel):
    """`user`: another account's id (administrators); default: your own tokens."""

    user: int | None = Field(default=None, ge=1, le=2**31 - 1)  # PostgreSQL integer

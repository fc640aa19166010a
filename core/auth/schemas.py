"""Schemas of the accounts API (they document it in the OpenAPI description)."""

from __future__ import annotations

from pydantic import BaseModel

from core.auth.models import Role


class UserOut(BaseModel):
    """An account; `commune` is the NIS code of an officer's commune."""

    id: int
    email: str
    display_name: str | None
    role: Role
    commune: str | None


class UserList(BaseModel):
    """Every account, by e-mail."""

    users: list[UserOut]

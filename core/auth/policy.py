"""Who may do what: the one place every view asks.

Each action maps to a rule `(user, target) -> bool`; `user` is None for anonymous visitors.
Feature packages add their actions here so the whole policy can be read in one file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, make_response
from flask_login import current_user
from werkzeug.exceptions import Forbidden, NotFound

from core.auth.models import Role, User

Rule = Callable[[User | None, Any], bool]


def _anyone(user: User | None, target: Any = None) -> bool:
    return True


def _signed_in(user: User | None, target: Any = None) -> bool:
    return user is not None


def _roles(*roles: Role) -> Rule:
    def rule(user: User | None, target: Any = None) -> bool:
        return user is not None and user.role in roles

    return rule


CORE_RULES: dict[str, Rule] = {
    "communes.read": _anyone,
    "account.view": _signed_in,
    "users.manage": _roles(Role.ADMIN),
}

# ---- locations -------------------------------------------------------------------------------


def _sees_location(user: User | None, location: Any) -> bool:
    """Everyone sees published locations; the people who build the library see every one."""
    if location is None or getattr(location, "status", None) == "published":
        return True
    return user is not None and user.role in (Role.SCOUT, Role.COORDINATOR, Role.ADMIN)


LOCATION_RULES: dict[str, Rule] = {
    "locations.search": _anyone,
    "locations.view": _sees_location,
    # Drafts and archived locations: the library's editors only.
    "locations.view_unpublished": _roles(Role.SCOUT, Role.COORDINATOR, Role.ADMIN),
    # Owner and contact details: never shown to scouts or the public.
    "locations.view_private": _roles(Role.COORDINATOR, Role.ADMIN),
    "locations.create": _roles(Role.SCOUT, Role.COORDINATOR, Role.ADMIN),
    "locations.edit": _roles(Role.SCOUT, Role.COORDINATOR, Role.ADMIN),
    "locations.import": _roles(Role.SCOUT, Role.COORDINATOR, Role.ADMIN),
    "locations.publish": _roles(Role.ADMIN),
    "locations.delete": _roles(Role.ADMIN),
    "locations.manage_categories": _roles(Role.ADMIN),
}

# ---- shoots ----------------------------------------------------------------------------------

SHOOT_RULES: dict[str, Rule] = {}

# ---- permits ---------------------------------------------------------------------------------

PERMIT_RULES: dict[str, Rule] = {}

# ---- maps ------------------------------------------------------------------------------------

MAP_RULES: dict[str, Rule] = {}

# ----------------------------------------------------------------------------------------------

RULES: dict[str, Rule] = {
    **CORE_RULES,
    **LOCATION_RULES,
    **SHOOT_RULES,
    **PERMIT_RULES,
    **MAP_RULES,
}


def allowed(user: User | None, action: str, target: Any = None) -> bool:
    return RULES[action](user, target)


def acting_user() -> User | None:
    """The signed-in user (session or bearer token), or None for anonymous visitors."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def authorize(action: str, target: Any = None, *, hide: bool = False) -> User | None:
    """Stop anonymous visitors (401 JSON, or the log-in page) and others not allowed (403, or
    404 when HIDE: where even the existence of TARGET is private)."""
    user = acting_user()
    if allowed(user, action, target):
        return user
    if user is None:
        from core.extensions import login_manager

        abort(make_response(login_manager.unauthorized()))
    if hide:
        raise NotFound()
    raise Forbidden("Your role does not allow this.")

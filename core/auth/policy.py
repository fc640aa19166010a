"""Who may do what: the one place every view asks.

Each action maps to a rule `(user, target) -> bool`; `user` is None for anonymous visitors.
Feature packages add their actions here so the whole policy can be read in one file.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import abort, make_response
from flask_babel import lazy_gettext as _
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


def _token_owner_or_admin(user: User | None, token: Any) -> bool:
    """A token is revoked by its owner or by an administrator (TARGET: the ApiToken)."""
    if user is None or token is None:
        return False
    return user.role is Role.ADMIN or token.user_id == user.id


CORE_RULES: dict[str, Rule] = {
    "communes.read": _anyone,
    "account.view": _signed_in,  # one's own account, password and tokens
    "users.manage": _roles(Role.ADMIN),  # every account and every account's tokens
    "tokens.revoke": _token_owner_or_admin,
}

# ---- locations -------------------------------------------------------------------------------


# Drafts and archived locations: the library's editors only (officers and the public see the
# published ones). Queries filter with locations.models.Location.visible_to, built on this.
_sees_unpublished_locations = _roles(Role.SCOUT, Role.COORDINATOR, Role.ADMIN)


def _sees_location(user: User | None, location: Any) -> bool:
    """Everyone sees published locations; the people who build the library see every one."""
    if location is None or getattr(location, "status", None) == "published":
        return True
    return _sees_unpublished_locations(user)


LOCATION_RULES: dict[str, Rule] = {
    "locations.search": _anyone,
    "locations.view": _sees_location,
    "locations.view_unpublished": _sees_unpublished_locations,
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


def coordinates(user: User | None, production: Any) -> bool:
    """USER is a coordinator listed on PRODUCTION (admins are not, whatever they may do)."""
    return (
        user is not None
        and production is not None
        and user.role is Role.COORDINATOR
        and any(c.id == user.id for c in production.coordinators)
    )


def is_commune_officer(user: User | None, nis: Any) -> bool:
    """USER is an officer of the commune with NIS code NIS."""
    return user is not None and user.role is Role.OFFICER and nis == user.commune_nis


def _is_admin(user: User | None) -> bool:
    return user is not None and user.role is Role.ADMIN


def _edits_production(user: User | None, production: Any) -> bool:
    """Admins edit every production; a coordinator only those listing them as coordinator."""
    return _is_admin(user) or coordinates(user, production)


def _manages_commune(user: User | None, commune_nis: Any = None) -> bool:
    """Admins, or the officers of that commune (TARGET: a NIS code; None: some commune)."""
    if commune_nis is None:
        return _roles(Role.ADMIN, Role.OFFICER)(user)
    return _is_admin(user) or is_commune_officer(user, commune_nis)


class ProductionView(StrEnum):
    """How much of a production a user may see."""

    FULL = "full"  # the file: title, company, contacts, notes, crew, vehicles
    OCCUPANCY = "occupancy"  # that a place is taken: footprint, period, rule, distance
    NOTHING = "nothing"


# A request in one of these states has reached the commune (drafts are the applicant's own).
_DRAFT_PERMIT = "draft"


def production_view(user: User | None, production: Any) -> ProductionView:
    """What of PRODUCTION may USER see: the one owner of productions' confidentiality.

    Admins (the film commission) see everything; a production's coordinators their own; a
    commune's officers the productions that sent their commune a request (submitted or
    later) or an amendment of a shoot. Other coordinators and officers see occupancy only,
    labelled "another production"; anonymous visitors nothing (the public sees approved
    shoots, see shoots.models.Production.public_title).
    """
    if user is None or production is None:
        return ProductionView.NOTHING
    if user.role is Role.ADMIN:
        return ProductionView.FULL
    if coordinates(user, production):
        return ProductionView.FULL
    if any(
        is_commune_officer(user, request.commune_nis)
        and getattr(request.status, "value", request.status) != _DRAFT_PERMIT
        for request in getattr(production, "permit_requests", ())
    ):
        return ProductionView.FULL
    # An amendment bringing a shoot onto a commune's ground asks that commune too.
    if any(
        is_commune_officer(user, review.commune_nis)
        for review in getattr(production, "amendment_reviews", ())
    ):
        return ProductionView.FULL
    if user.role in (Role.COORDINATOR, Role.OFFICER):
        return ProductionView.OCCUPANCY
    return ProductionView.NOTHING


def production_label(user: User | None, production: Any) -> str:
    """The name of PRODUCTION that USER may read: its title in full view or when the
    production is listed, else "another production"."""
    if production_view(user, production) is ProductionView.FULL or production.listed:
        return production.title
    return str(_("another production"))


def _sees_production(user: User | None, production: Any) -> bool:
    return production_view(user, production) is ProductionView.FULL


SHOOT_RULES: dict[str, Rule] = {
    # Productions and their schedules are private to the film office, producers and communes.
    "productions.read": _roles(Role.ADMIN, Role.COORDINATOR, Role.OFFICER),
    # One production's file (target: the production): production_view decides.
    "productions.view": _sees_production,
    # The film commission relays a message between productions (no address revealed).
    "productions.introduce": _roles(Role.ADMIN),
    "productions.create": _roles(Role.ADMIN, Role.COORDINATOR),
    "productions.edit": _edits_production,  # target: the production (its shoots too)
    "shoots.read": _roles(Role.ADMIN, Role.COORDINATOR, Role.OFFICER),
    "conflicts.check": _roles(Role.ADMIN, Role.COORDINATOR),
    "conflicts.report": _roles(Role.ADMIN, Role.COORDINATOR, Role.OFFICER),
    "blackouts.read": _signed_in,
    "blackouts.manage": _manages_commune,  # target: the blackout's commune NIS (None: any)
    # A commune's notice, notification address and warning thresholds (target: its NIS).
    "communes.configure": _manages_commune,
    "calendars.commune": _roles(Role.ADMIN, Role.COORDINATOR, Role.OFFICER),
}

# ---- permits ---------------------------------------------------------------------------------


def _applicant(user: User | None, permit: Any) -> bool:
    return permit is not None and coordinates(user, permit.production)


def _commune_officer(user: User | None, permit: Any) -> bool:
    return permit is not None and is_commune_officer(user, permit.commune_nis)


def _permit_reader(user: User | None, permit: Any) -> bool:
    """Admins, the production's coordinators and the commune's officers; nobody else learns
    that the request exists."""
    if _is_admin(user) and permit is not None:
        return True
    return _applicant(user, permit) or _commune_officer(user, permit)


def _amendment_reader(user: User | None, amendment: Any) -> bool:
    """Admins, the production's coordinators and the officers of every commune the amendment
    concerns (target: the amendment; its reviews name the communes)."""
    if amendment is None:
        return False
    if _is_admin(user) or coordinates(user, amendment.production):
        return True
    return any(is_commune_officer(user, review.commune_nis) for review in amendment.reviews)


PERMIT_RULES: dict[str, Rule] = {
    "permits.list": _roles(Role.ADMIN, Role.COORDINATOR, Role.OFFICER),
    "permits.inbox": _roles(Role.ADMIN, Role.OFFICER),
    "permits.create": _roles(Role.COORDINATOR),  # target: None (the form) or the production
    "permits.create_for": coordinates,
    "permits.view": _permit_reader,
    "permits.act_as_applicant": _applicant,  # submit, resubmit, withdraw, attach insurance
    "permits.act_as_officer": _commune_officer,  # review and decide (a request, or a review)
    "permits.view_amendment": _amendment_reader,
    "permits.public": _anyone,
}

# ---- maps ------------------------------------------------------------------------------------


def _production_coordinator_or_admin(user: User | None, production: Any = None) -> bool:
    """Admins see every production's map, coordinators those they coordinate (PRODUCTION None:
    the list of their productions)."""
    if production is None:
        return _is_admin(user) or (user is not None and user.role is Role.COORDINATOR)
    return _edits_production(user, production)


MAP_RULES: dict[str, Rule] = {
    # The location library is for the people who plan shoots, not for the public.
    "maps.locations": _signed_in,
    "maps.commune": _manages_commune,  # target: a commune's NIS code (None: some commune)
    "maps.production": _production_coordinator_or_admin,  # target: a Production
    "maps.public": _anyone,
}

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
    """The signed-in user (session or bearer token), or None for anonymous visitors: the User
    itself, not Flask-Login's proxy (a proxy handed to login_user would stand for itself)."""
    if not current_user.is_authenticated:
        return None
    return current_user._get_current_object()  # type: ignore[attr-defined]


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

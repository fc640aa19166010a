"""Productions: create, edit, delete; their coordinators may edit them and their shoots."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.auth.models import Role, User
from core.auth.policy import ProductionView, production_view
from core.errors import Conflict, InvalidInput, NotFound
from core.versioning import check_version
from shoots.models import (
    Production,
    ProductionStatus,
    Shoot,
    ShootStatus,
    production_coordinators,
)
from shoots.operations import holds
from shoots.schemas import ProductionIn, ProductionPatch


def get_production(session: Session, production_id: int) -> Production:
    production = session.get(Production, production_id)
    if production is None:
        raise NotFound(f"No production {production_id}.")
    return production


def productions_for(session: Session, user: User) -> list[Production]:
    """The productions USER reads in full (core.auth.policy.production_view): admins every
    one, a coordinator those they coordinate, an officer those that sent their commune a
    request."""
    query = select(Production).order_by(Production.title, Production.id)
    if user.role is Role.COORDINATOR:
        query = query.join(production_coordinators).where(
            production_coordinators.c.user_id == user.id
        )
    query = query.options(selectinload(Production.coordinators))
    if user.role is Role.OFFICER:
        query = query.options(selectinload(Production.permit_requests))  # type: ignore[attr-defined]
    return [p for p in session.scalars(query) if production_view(user, p) is ProductionView.FULL]


def next_shoots(session: Session, user: User, limit: int) -> list[Shoot]:
    """The LIMIT next live shoots (not over yet) of the productions USER reads in full."""
    readable = [production.id for production in productions_for(session, user)]
    query = (
        select(Shoot)
        .where(
            Shoot.is_live,
            Shoot.production_id.in_(readable),
            func.upper(Shoot.period) > func.now(),
        )
        .options(selectinload(Shoot.production), selectinload(Shoot.location))
        .order_by(func.lower(Shoot.period), Shoot.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def _coordinators(session: Session, emails: list[str]) -> list[User]:
    users = []
    for email in emails:
        user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is None or user.role not in (Role.COORDINATOR, Role.ADMIN):
            raise InvalidInput(
                "coordinators", _l("%(email)s is not a coordinator's account", email=email)
            )
        users.append(user)
    return users


def _apply(session: Session, production: Production, data: ProductionPatch) -> None:
    values = data.model_dump(exclude_unset=True, exclude={"coordinators", "version"})
    if values.get("file_reference") == "":
        values["file_reference"] = None  # no reference yet: not a unique empty one
    # No flush before _flush: loading the coordinators would store a duplicate file reference
    # outside the savepoint that turns it into a 400 (found by schemathesis: a 500).
    with session.no_autoflush:
        for name, value in values.items():
            setattr(production, name, value)
        if data.coordinators is not None:
            production.coordinators = _coordinators(session, data.coordinators)


def _flush(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "file_reference" in str(exc.orig):
            raise InvalidInput(
                "file_reference", _l("is already used by another production")
            ) from None
        raise


def create_production(session: Session, user: User, data: ProductionIn) -> Production:
    """A new production; its creator coordinates it unless coordinators are given."""
    production = Production()
    _apply(session, production, data)
    if data.coordinators is None and user.role is Role.COORDINATOR:
        production.coordinators = [user]
    session.add(production)
    _flush(session)
    return production


def update_production(session: Session, production: Production, data: ProductionPatch) -> None:
    check_version(production, data.version)
    was_cancelled = production.status is ProductionStatus.CANCELLED
    _apply(session, production, data)
    if production.status is ProductionStatus.CANCELLED and not was_cancelled:
        # A shoot a commune has before it is cancelled only through an amendment of it, never
        # behind the officer's back by cancelling its production: 409 naming the request.
        # Without autoflush: the changed file reference is stored by _flush, in its savepoint
        # (found by schemathesis: a duplicate one was a 500 here).
        with session.no_autoflush:
            holds.refuse_removal(session, [shoot.id for shoot in production.shoots])
            _cancel_shoots(production)
    _flush(session)


def _cancel_shoots(production: Production) -> None:
    """A cancelled production's shoots are cancelled too: they free their places for the
    database's no-double-booking constraint as they already did for Shoot.is_live, and
    calendars get a new SEQUENCE. Reviving the production revives none of them: each goes
    back through the conflict engine when its coordinator plans it again."""
    for shoot in production.shoots:
        shoot.status = ShootStatus.CANCELLED


def delete_production(session: Session, production: Production) -> None:
    """Delete a production that has no shoots. One with shoots is kept, with its shoots'
    history (permit requests, audit, calendars): a 409 says to cancel it instead."""
    if production.shoots:
        raise Conflict(
            _l(
                "Production %(id)s has %(count)s shoots: cancel it (status cancelled) "
                "instead, or delete its shoots first.",
                id=production.id,
                count=len(production.shoots),
            )
        )
    session.delete(production)
    session.flush()

"""The web shell: navigation and the helpers every template uses, registered here once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from core.auth.models import Role, User
from core.auth.policy import ProductionView, acting_user, allowed, production_label, production_view
from core.dates import period, when
from core.forms import ActionForm
from core.numbers import metres, money, number

ROLE_LABELS = {
    Role.ADMIN: _l("administrator"),
    Role.COORDINATOR: _l("coordinator"),
    Role.SCOUT: _l("location scout"),
    Role.OFFICER: _l("municipal officer"),
}


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: LazyString | str
    action: str  # the policy action a user needs to see the entry
    summary: LazyString | str  # what one does there, in a sentence (the home page's card)
    # How many things there wait for the signed-in user to act (the home page's count).
    waiting: Callable[[User], int] | None = None
    group: LazyString | str | None = None  # the menu's drop-down it sits in (None: its own)


NAVIGATION: list[NavEntry] = []


def add_navigation(
    endpoint: str,
    label: LazyString | str,
    action: str,
    summary: LazyString | str,
    waiting: Callable[[User], int] | None = None,
    group: LazyString | str | None = None,
) -> None:
    """Feature packages call this when they register their blueprints."""
    if all(entry.endpoint != endpoint for entry in NAVIGATION):
        NAVIGATION.append(NavEntry(endpoint, label, action, summary, waiting, group))


def _reachable(user: User | None) -> list[NavEntry]:
    """The entries USER may see: the policy action of each."""
    return [entry for entry in NAVIGATION if allowed(user, entry.action)]


def menu(user: User | None, endpoint: str | None) -> list[dict]:
    """The menu's items for USER on the page ENDPOINT, in the order the packages registered
    them: an entry is {url, label, active}; the entries of a group are one item {label,
    entries, active} where the group's first entry stands (a drop-down, so that the menu
    keeps to one row at 1280 px in every language)."""
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for entry in _reachable(user):
        link = {"url": url_for(entry.endpoint), "label": entry.label}
        link["active"] = endpoint == entry.endpoint
        if entry.group is None:
            items.append(link)
            continue
        key = str(entry.group)
        if key not in groups:
            groups[key] = {"label": entry.group, "entries": [], "active": False}
            items.append(groups[key])
        groups[key]["entries"].append(link)
        groups[key]["active"] |= link["active"]
    return items


@dataclass(frozen=True)
class HomePanel:
    """What the home page shows a role of a package's work: TEMPLATE drawn with `panel`, the
    data DATA gives for the user (None: nothing to show them)."""

    template: str
    action: str  # the policy action a user needs to see the panel
    data: Callable[[User | None], Any]


HOME_PANELS: list[HomePanel] = []


def add_home_panel(template: str, action: str, data: Callable[[User | None], Any]) -> None:
    """Feature packages call this in their init_app, like add_navigation."""
    if all(panel.template != template for panel in HOME_PANELS):
        HOME_PANELS.append(HomePanel(template, action, data))


def home_panels(user: User | None) -> list[tuple[str, Any]]:
    """(template, data) of the panels USER may see and that have something to show."""
    shown = ((p.template, p.data(user)) for p in HOME_PANELS if allowed(user, p.action))
    return [(template, data) for template, data in shown if data is not None]


def home_cards(user: User | None) -> list[dict]:
    """The home page: every place of the navigation USER may go, what it is for and, signed
    in, how much waits there for them; the same entries and rights as the menu."""
    return [
        {
            "url": url_for(entry.endpoint),
            "label": entry.label,
            "summary": entry.summary,
            "waiting": entry.waiting(user) if entry.waiting and user is not None else None,
        }
        for entry in _reachable(user)
    ]


def init_app(app: Flask) -> None:
    # Every date people read (core.dates); globals, not context, so imported macros see them.
    app.add_template_filter(when, "when")
    app.add_template_filter(number, "number")  # every number people read (core.numbers)
    app.add_template_filter(money, "money")  # every amount (permits.fees)
    app.add_template_filter(metres, "metres")  # lengths a decree states (permits.issued)
    app.add_template_global(period, "period")

    @app.context_processor
    def shell_helpers() -> dict:
        return {
            "navigation": lambda: menu(acting_user(), request.endpoint),
            "current_locale": lambda: str(get_locale() or "fr"),
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "may": lambda action, target=None: allowed(acting_user(), action, target),
            # Another production's shoot in a page: its label and whether its file may be shown.
            "production_label": lambda production: production_label(acting_user(), production),
            "reads_production": lambda production: (
                production_view(acting_user(), production) is ProductionView.FULL
            ),
            # A button's form (only the CSRF token), made where a template draws one.
            "action_form": lambda: ActionForm(formdata=None),
        }

"""The web shell: navigation and the helpers every template uses, registered here once."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from core.auth.models import Role
from core.auth.policy import ProductionView, acting_user, allowed, production_label, production_view
from core.dates import period, when
from core.forms import ActionForm

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


NAVIGATION: list[NavEntry] = []


def add_navigation(endpoint: str, label: LazyString | str, action: str) -> None:
    """Feature packages call this when they register their blueprints."""
    if all(entry.endpoint != endpoint for entry in NAVIGATION):
        NAVIGATION.append(NavEntry(endpoint, label, action))


def init_app(app: Flask) -> None:
    # Every date people read (core.dates); globals, not context, so imported macros see them.
    app.add_template_filter(when, "when")
    app.add_template_global(period, "period")

    @app.context_processor
    def shell_helpers() -> dict:
        def navigation() -> list[dict]:
            user = acting_user()
            return [
                {
                    "url": url_for(entry.endpoint),
                    "label": entry.label,
                    "active": request.endpoint == entry.endpoint,
                }
                for entry in NAVIGATION
                if allowed(user, entry.action)
            ]

        return {
            "navigation": navigation,
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

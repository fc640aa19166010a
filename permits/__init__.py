"""Permits. `init_app` registers the package's blueprints, navigation and demo data."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import demo
from core.db import db
from core.shell import add_home_panel, add_navigation
from shoots.operations import holds


def init_app(app: Flask) -> None:
    from permits.amendments import KEEPER
    from permits.api import amendments_bp, introductions_bp
    from permits.api import bp as api_bp
    from permits.cli import outbox_cli, permits_cli
    from permits.demo_data import load_demo
    from permits.views import bp, home_panel, public_home_panel
    from permits.workflow import waiting_for

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(introductions_bp)
    app.register_blueprint(amendments_bp)
    holds.install(app, KEEPER)  # shoots asks permits before changing a shoot it holds
    app.cli.add_command(outbox_cli)
    app.cli.add_command(permits_cli)
    add_navigation(
        "permits.index",
        _l("Permit requests"),
        "permits.list",
        _l("Ask the communes for their permission, follow and decide requests and amendments."),
        lambda user: waiting_for(db.session, user),
    )
    add_navigation(
        "permits.settings",
        _l("Commune settings"),
        "communes.configure",
        _l("Your commune's minimum notice, notification address and warning thresholds."),
        group=_l("Communes"),
    )
    add_navigation(
        "permits.public",
        _l("Upcoming shoots"),
        "permits.public",
        _l("The approved shoots of the coming weeks: where, when and which streets."),
    )
    add_home_panel("permits/_home.html", "permits.list", home_panel)
    add_home_panel("permits/_home_public.html", "permits.public", public_home_panel)
    demo.register("permits", load_demo)

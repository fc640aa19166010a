"""Shoots: productions, their schedules, the conflict engine, blackouts and calendars."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from core import demo
    from core.shell import add_home_panel, add_navigation
    from locations import bookings
    from shoots.api import bp as api_bp
    from shoots.cli import shoots_cli
    from shoots.demo import load_demo
    from shoots.forms import blackout_label, status_label, type_label
    from shoots.operations.location_bookings import ShootBookings
    from shoots.views import bp as views_bp
    from shoots.views import home_panel

    app.add_template_filter(type_label, "production_type")
    app.add_template_filter(status_label, "production_status")
    app.add_template_filter(blackout_label, "blackout_kind")
    bookings.register(ShootBookings())  # the location library's questions about shoots
    app.register_blueprint(api_bp)
    app.register_blueprint(views_bp)
    add_navigation(
        "shoots.production_list",
        _l("Productions"),
        "productions.read",
        _l("Your productions and their shoots, drawn on a map and checked for clashes."),
    )
    add_navigation(
        "shoots.commune_schedule",
        _l("Shoots by commune"),
        "conflicts.report",
        _l("A commune's schedule: its shoots by day and the clashes between them."),
        group=_l("Communes"),
    )
    add_navigation(
        "shoots.blackout_list",
        _l("Blackouts"),
        "blackouts.read",
        _l("Places and periods closed to filming: markets, works, events."),
        group=_l("Communes"),
    )
    add_home_panel("shoots/_home.html", "conflicts.check", home_panel)
    demo.register("shoots", load_demo)
    app.cli.add_command(shoots_cli)

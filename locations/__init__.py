"""Locations. `init_app` registers the package's blueprints, navigation, commands and demo."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from core import demo
    from core.shell import add_home_panel, add_navigation
    from locations import picker
    from locations.api import bp as api_bp
    from locations.cli import locations_cli
    from locations.demo import load_demo_locations
    from locations.places_api import bp as places_api_bp
    from locations.views import bp as views_bp
    from locations.views import home_panel

    app.config.setdefault("LOCATION_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    app.register_blueprint(api_bp)
    app.register_blueprint(places_api_bp)
    picker.init_app(app)
    app.register_blueprint(views_bp)
    app.cli.add_command(locations_cli)
    add_navigation(
        "locations.search_page",
        _l("Locations"),
        "locations.search",
        _l("Search the library of filming locations by place, category and facilities."),
    )
    add_home_panel("locations/_home.html", "locations.import", home_panel)
    demo.register("locations", load_demo_locations)

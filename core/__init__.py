"""Tournages: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from core import config as configuration
from core import errors, security
from core.db import db
from core.validation import CodeConverter, reject_deep_json, reject_nul_characters

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; CONFIG overrides settings read from the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(configuration.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    configuration.check(app.config)

    app.url_map.converters["code"] = CodeConverter
    db.init_app(app)
    errors.register(app)
    security.init_app(app)  # first: it refuses oversized bodies before anything reads them
    app.before_request(reject_nul_characters)
    app.before_request(reject_deep_json)

    from core import auth_setup, i18n, shell

    i18n.init_app(app)
    auth_setup.init_app(app)
    shell.init_app(app)
    _register_blueprints(app)

    from core.cli import register_commands

    register_commands(app)
    return app


# ogc comes last: it serves collections read from the other packages' tables.
FEATURE_PACKAGES = ("locations", "shoots", "permits", "maps", "ogc")


def _register_blueprints(app: Flask) -> None:
    import importlib

    from core.apidocs import bp as apidocs_bp
    from core.auth.api import bp as auth_api
    from core.auth.views import bp as auth_bp
    from core.communes_api import bp as communes_api
    from core.health import bp as health_bp
    from core.mapping import bp as mapping_bp
    from core.pages import bp as pages_bp

    blueprints = (pages_bp, health_bp, auth_bp, auth_api, communes_api, apidocs_bp, mapping_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    from core import demo
    from core.demo_accounts import load_demo_accounts

    demo.register("accounts", load_demo_accounts)
    # Each feature package registers its own blueprints, navigation entries and demo data.
    for name in FEATURE_PACKAGES:
        importlib.import_module(name).init_app(app)

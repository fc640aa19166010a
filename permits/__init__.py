"""Permits. `init_app` registers the package's blueprints, navigation and demo data."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""

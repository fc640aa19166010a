"""Shoots: productions, their schedules, the conflict engine, blackouts and calendars."""

from flask import Flask


def init_app(app: Flask) -> None:
    from core import demo
    from shoots.api import bp as api_bp
    from shoots.demo import load_demo

    app.register_blueprint(api_bp)
    demo.register("shoots", load_demo)

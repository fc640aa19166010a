"""Maps. `init_app` registers the package's blueprints, navigation and demo data.

Other packages build their maps with maps.builder (see docs/maps.md).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from maps.views import bp

    app.register_blueprint(bp)

"""OGC API – Features under /ogc: open feeds for GIS software and portals (Part 1 Core, Part 2
CRS by reference, Part 3 queryables).

A package of its own rather than part of core: it reads the feature packages' tables
(locations, shoots, and permits after the merge), and core must not depend on them.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from ogc.sources import register_collections
    from ogc.views import bp, init_errors

    register_collections()
    app.register_blueprint(bp)
    init_errors(app)

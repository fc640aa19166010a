"""Maps. `init_app` registers the package's blueprints, navigation and demo data.

Other packages build their maps with core.mapping.builder (see docs/maps.md).
"""

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.shell import add_navigation


def init_app(app: Flask) -> None:
    from maps.views import bp

    app.register_blueprint(bp)
    add_navigation(
        "maps.locations",
        _l("Locations map"),
        "maps.locations",
        _l("Every published filming location of Wallonia on one map."),
        group=_l("Maps"),
    )
    add_navigation(
        "maps.productions",
        _l("Production maps"),
        "maps.production",
        _l("A production's shoots, parking and blackouts on a map, by period."),
        group=_l("Maps"),
    )
    add_navigation(
        "maps.communes",
        _l("Commune map"),
        "maps.commune",
        _l("A commune's shoots and requests on its map."),
        group=_l("Maps"),
    )
    # The public map (/maps/public) has no entry of its own: permits links "Upcoming shoots" to
    # its page of the same approved shoots (one of the two should go, see docs/maps.md).

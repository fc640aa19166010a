"""The site plan of a request as SVG drawn from its geometries: the shoots' parts on the
commune's ground, parking zones, the commune boundary, a scale bar and north.

The drawing is frozen with each version (permits.versions) without imagery: the basemap
(core.mapping.basemap, the configured tiles) goes under it when a document is rendered
(`with_basemap`), with its credit; without network the drawing stays alone and says so."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.mapping.basemap import basemap
from core.mapping.palette import (
    FOOTPRINT,
    INACTIVE,
    NEIGHBOUR_GROUND,
    OWN_GROUND,
    PARKING,
    PLAN_INK,
    PLAN_MUTED,
    PLAN_PAPER,
)

WIDTH, HEIGHT = 680, 440  # px; the PDF scales the drawing to the page width
# Where a rendered document puts the basemap: above the paper, under the drawing.
BASEMAP_SLOT = "<!--basemap-->"
_WINDOW = re.compile(r'data-window="([-0-9. ]+)"')
MIN_SPAN_M = 150.0
MARGIN_SHARE = 0.25

_EXTENT = text("""
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Extent(g) AS e FROM (
    SELECT s.footprint AS g FROM permit_request_shoots p JOIN shoots s ON s.id = p.shoot_id
    WHERE p.request_id = :id AND p.shoot_id = :shoot
    UNION ALL
    SELECT parking_part FROM permit_request_shoots WHERE request_id = :id AND shoot_id = :shoot
) parts) extent
""")

_COMMUNES = text("""
SELECT nis = :nis, ST_AsSVG(ST_Intersection(boundary, env), 0, 1)
FROM communes, ST_MakeEnvelope(:x0, :y0, :x1, :y1, 3812) AS env
WHERE retired_at IS NULL AND boundary && env AND ST_Intersects(boundary, env)
ORDER BY nis = :nis
""")

_PARTS = text("""
SELECT p.shoot_id,
       ST_AsSVG(p.footprint_part, 0, 1),
       ST_AsSVG(p.parking_part, 0, 1),
       ST_AsSVG(ST_Difference(s.footprint, COALESCE(p.footprint_part, 'SRID=3812;POLYGON EMPTY')),
                0, 1),
       ST_X(ST_PointOnSurface(COALESCE(p.footprint_part, p.parking_part))),
       ST_Y(ST_PointOnSurface(COALESCE(p.footprint_part, p.parking_part)))
FROM permit_request_shoots p JOIN shoots s ON s.id = p.shoot_id
WHERE p.request_id = :id AND p.shoot_id = :shoot
""")


@dataclass(frozen=True)
class Window:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def scale(self) -> float:  # px per metre
        return WIDTH / (self.x1 - self.x0)

    def px(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.x0) * self.scale, (self.y1 - y) * self.scale


def _window(x0: float, y0: float, x1: float, y1: float) -> Window:
    """The extent with a margin, at least MIN_SPAN_M wide, shaped like the drawing."""
    pad = 1 + 2 * MARGIN_SHARE
    width = max((x1 - x0) * pad, (y1 - y0) * pad * WIDTH / HEIGHT, MIN_SPAN_M)
    height = width * HEIGHT / WIDTH
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return Window(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def nice_length(metres: float) -> int:
    """The largest 1, 2 or 5 × 10ⁿ metres not above METRES."""
    power = 10 ** math.floor(math.log10(metres))
    return int(max(step * power for step in (1, 2, 5) if step * power <= metres))


def _scale_bar(window: Window) -> str:
    length = nice_length((window.x1 - window.x0) / 4)
    bar = length * window.scale
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    x, y = 16, HEIGHT - 18
    return (
        f'<g class="scale-bar"><rect x="{x - 6}" y="{y - 22}" width="{bar + 12:.1f}" height="32" '
        'fill="white" fill-opacity="0.85"/>'
        f'<rect x="{x}" y="{y - 4}" width="{bar / 2:.1f}" height="6" fill="{PLAN_INK}"/>'
        f'<rect x="{x + bar / 2:.1f}" y="{y - 4}" width="{bar / 2:.1f}" height="6" fill="white" '
        f'stroke="{PLAN_INK}"/>'
        f'<text x="{x}" y="{y - 8}" font-size="11">0</text>'
        f'<text x="{x + bar:.1f}" y="{y - 8}" font-size="11" text-anchor="end">{label}</text></g>'
    )


def _north_arrow() -> str:
    # Lambert 2008 grid north is within a degree of true north across Wallonia.
    x, y = WIDTH - 30, 20
    return (
        f'<g class="north-arrow"><circle cx="{x}" cy="{y + 18}" r="17" fill="white" '
        'fill-opacity="0.85"/>'
        f'<path d="M{x} {y} L{x + 8} {y + 28} L{x} {y + 22} L{x - 8} {y + 28} Z" '
        f'fill="{PLAN_INK}"/>'
        f'<text x="{x}" y="{y + 44}" font-size="12" text-anchor="middle" '
        'font-weight="bold">N</text></g>'
    )


def site_plans(session: Session, request_id: int, commune_nis: str) -> dict[int, Markup]:
    """One plan per shoot of the request, each framed on that shoot."""
    shoots = session.scalars(
        text("SELECT shoot_id FROM permit_request_shoots WHERE request_id = :id ORDER BY 1"),
        {"id": request_id},
    )
    return {shoot: site_plan_svg(session, request_id, shoot, commune_nis) for shoot in shoots}


def site_plan_svg(session: Session, request_id: int, shoot_id: int, commune_nis: str) -> Markup:
    """The plan of one shoot's part of the request."""
    ids = {"id": request_id, "shoot": shoot_id}
    extent = session.execute(_EXTENT, ids).one()
    if extent[0] is None:
        return Markup("")
    window = _window(*extent)
    k = window.scale
    stroke = 1.4 / k
    frame = f'transform="scale({k:.6f}) translate({-window.x0:.1f},{window.y1:.1f})"'
    box = {"x0": window.x0, "y0": window.y0, "x1": window.x1, "y1": window.y1, "nis": commune_nis}
    layers = []
    for own, path in session.execute(_COMMUNES, box):
        fill, colour = (OWN_GROUND, PLAN_INK) if own else (NEIGHBOUR_GROUND, PLAN_MUTED)
        layers.append(
            f'<path class="ground" d="{path}" fill="{fill}" stroke="{colour}" '
            f'stroke-width="{stroke * (2 if own else 1):.3f}" fill-rule="evenodd"/>'
        )
    labels = []
    for label, footprint, parking, elsewhere, x, y in session.execute(_PARTS, ids):
        if elsewhere:
            layers.append(
                f'<path d="{elsewhere}" fill="{INACTIVE}" fill-opacity="0.35" stroke="{INACTIVE}" '
                f'stroke-width="{stroke:.3f}" stroke-dasharray="{4 * stroke:.3f}"/>'
            )
        if footprint:
            layers.append(
                f'<path d="{footprint}" fill="{FOOTPRINT}" fill-opacity="0.55" '
                f'stroke="{FOOTPRINT}" '
                f'stroke-width="{stroke:.3f}"/>'
            )
        if parking:
            layers.append(
                f'<path d="{parking}" fill="{PARKING}" fill-opacity="0.45" stroke="{PARKING}" '
                f'stroke-width="{stroke:.3f}"/>'
            )
        px, py = window.px(x, y)
        labels.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="9" fill="white" stroke="{FOOTPRINT}"/>'
            f'<text x="{px:.1f}" y="{py + 4:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(str(label))}</text>"
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="site-plan" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, sans-serif" '
        f'data-window="{window.x0:.1f} {window.y0:.1f} {window.x1:.1f} {window.y1:.1f}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{PLAN_PAPER}" stroke="{PLAN_INK}"/>'
        f"{BASEMAP_SLOT}<g {frame}>{''.join(layers)}</g>{''.join(labels)}"
        f"{_scale_bar(window)}{_north_arrow()}</svg>"
    )


def with_basemap(svg: str, language: str) -> Markup:
    """SVG, a plan of this module, over the configured basemap with its credit; without one,
    the drawing alone with a line saying so. Plans frozen before basemaps stay as they are."""
    found = _WINDOW.search(svg)
    if found is None or BASEMAP_SLOT not in svg:
        return Markup(svg)
    config = current_app.config
    x0, y0, x1, y1 = (float(v) for v in found.group(1).split())
    image = basemap(
        (x0, y0, x1, y1),
        (WIDTH, HEIGHT),
        config["TOURNAGES_PLAN_TILES"],
        config["TOURNAGES_PLAN_ATTRIBUTION"],
        Path(config["TOURNAGES_TILE_CACHE"]),
    )
    with force_locale(language):
        if image is None:
            note = _("Basemap unavailable: the plan is drawn from the geometries alone.")
            layer = _caption(note)
        else:
            layer = (
                f'<image href="{image.data_uri}" width="{WIDTH}" height="{HEIGHT}" '
                'preserveAspectRatio="none"/>'
                "<style>.ground{fill-opacity:0.12}</style>"
            )
            note = image.attribution
    credit = _caption(note) if image is not None else ""
    return Markup(svg.replace(BASEMAP_SLOT, layer, 1).replace("</svg>", f"{credit}</svg>"))


def _caption(text_: str) -> str:
    """A line of small text at the plan's bottom right, on a light band."""
    return (
        f'<g class="plan-note"><rect x="{WIDTH - 420}" y="{HEIGHT - 16}" width="420" height="16" '
        'fill="white" fill-opacity="0.8"/>'
        f'<text x="{WIDTH - 4}" y="{HEIGHT - 4}" font-size="10" text-anchor="end">'
        f"{escape(text_)}</text></g>"
    )

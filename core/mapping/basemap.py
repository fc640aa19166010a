"""A basemap under a drawing made in Lambert 2008 (EPSG:3812): XYZ tiles (OpenStreetMap, the
SPW's orthophotos through WMTS in the Web Mercator grid) fetched by the server, kept in a disk
cache, stitched and warped onto the drawing's window.

Over the few hundred metres of a site plan, Web Mercator and Lambert 2008 differ by a rotation
of at most two degrees and a scale: an affine transform fitted on the window's corners places
the imagery to well under a pixel, so no raster reprojection library is needed. When a tile
cannot be had (no network, an error), `basemap` answers None at once and remembers the failure
for a minute: a page never waits on a dead tile server twice.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pyproj import Transformer

TILE_PX = 256
MAX_ZOOM = 19
MAX_TILES = 36  # a plan needs 4 to 12; more means a window too large for a basemap
TIMEOUT_S = 3
RETRY_AFTER_S = 60
USER_AGENT = "Tournages/1.0 (site plans of filming permits; Walloon film commission)"
_TO_MERCATOR = Transformer.from_crs(3812, 3857, always_xy=True)
_HALF_WORLD = 20037508.342789244
_failed_at: dict[str, float] = {}  # tile server (template) -> when it last failed


@dataclass(frozen=True)
class Basemap:
    """The imagery of a window as a JPEG data URI, and the credit its source asks for."""

    data_uri: str
    attribution: str


class TileUnavailable(Exception):
    """A tile could not be fetched: the drawing goes without a basemap."""


def _zoom_for(width_m: float, width_px: int) -> int:
    """The zoom whose ground resolution is the finest not finer than the drawing's."""
    metres_per_px = width_m / width_px
    zoom = math.floor(math.log2(2 * _HALF_WORLD / (TILE_PX * metres_per_px)))
    return max(0, min(MAX_ZOOM, zoom))


def _tile_of(x: float, y: float, zoom: int) -> tuple[float, float]:
    """Web Mercator metres as fractional tile numbers at ZOOM (y downwards)."""
    n = 2**zoom
    return (x + _HALF_WORLD) / (2 * _HALF_WORLD) * n, (_HALF_WORLD - y) / (2 * _HALF_WORLD) * n


def _fetch(template: str, zoom: int, x: int, y: int, cache: Path) -> Image.Image:
    url = template.format(z=zoom, x=x, y=y)
    cached = cache / f"{hashlib.sha256(url.encode()).hexdigest()}.tile"
    if not cached.exists():
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                data = answer.read(2_000_000)
        except (OSError, ValueError) as exc:
            raise TileUnavailable(f"{url}: {exc}") from None
        cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(cached)  # whole or not at all, for the other processes
    try:
        return Image.open(io.BytesIO(cached.read_bytes())).convert("RGB")
    except OSError:
        cached.unlink(missing_ok=True)  # not an image: ask again next time
        raise TileUnavailable(f"{url}: not an image") from None


def basemap(
    window: tuple[float, float, float, float],
    size: tuple[int, int],
    template: str,
    attribution: str,
    cache: Path,
) -> Basemap | None:
    """The imagery of WINDOW (x0, y0, x1, y1 in EPSG:3812) at SIZE pixels from the tile URL
    TEMPLATE ({z}/{x}/{y}), or None when there is none to be had now."""
    if not template or time.monotonic() - _failed_at.get(template, -math.inf) < RETRY_AFTER_S:
        return None
    x0, y0, x1, y1 = window
    width, height = size
    corners = [_TO_MERCATOR.transform(x, y) for x, y in ((x0, y1), (x1, y1), (x0, y0))]
    zoom = _zoom_for(x1 - x0, width)
    tiles = [_tile_of(x, y, zoom) for x, y in corners]
    (tx0, ty0), (tx1, _), (_, ty2) = tiles
    columns = range(math.floor(min(tx0, tx1, tiles[2][0])), math.floor(max(tx0, tx1)) + 1)
    rows = range(math.floor(min(ty0, tiles[1][1])), math.floor(max(ty2, ty0)) + 1)
    if len(columns) * len(rows) > MAX_TILES:
        return None
    mosaic = Image.new("RGB", (len(columns) * TILE_PX, len(rows) * TILE_PX), "white")
    try:
        for i, column in enumerate(columns):
            for j, row in enumerate(rows):
                tile = _fetch(template, zoom, column, row, cache)
                mosaic.paste(tile.resize((TILE_PX, TILE_PX)), (i * TILE_PX, j * TILE_PX))
    except TileUnavailable:
        _failed_at[template] = time.monotonic()
        return None
    _failed_at.pop(template, None)
    # The drawing's top-left, top-right and bottom-left corners in the mosaic's pixels: the
    # affine map from the drawing's pixels to the mosaic's (what Image.transform asks for).
    (ax, ay), (bx, by), (cx, cy) = (
        ((tx - columns[0]) * TILE_PX, (ty - rows[0]) * TILE_PX) for tx, ty in tiles
    )
    coefficients = (
        (bx - ax) / width,
        (cx - ax) / height,
        ax,
        (by - ay) / width,
        (cy - ay) / height,
        ay,
    )
    warped = mosaic.transform((width, height), Image.Transform.AFFINE, coefficients, Image.BILINEAR)
    out = io.BytesIO()
    warped.save(out, "JPEG", quality=80)
    return Basemap(
        f"data:image/jpeg;base64,{base64.b64encode(out.getvalue()).decode()}", attribution
    )

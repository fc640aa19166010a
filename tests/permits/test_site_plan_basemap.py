"""Site plans over a basemap fetched by the server (core.mapping.basemap): from a local tile
server serving real PNG tiles, cached on disk, credited; without it, the drawing alone, saying
so. Never the internet."""

from __future__ import annotations

import io
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from pypdf import PdfReader

from core.mapping import basemap
from core.mapping.basemap import MAX_TILES, _zoom_for
from permits.siteplan import WIDTH

GREEN = (40, 160, 60)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), GREEN).save(out, "PNG")
    return out.getvalue()


class TileServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        tile, requests = _png(), self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/{{z}}/{{x}}/{{y}}.png"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tiles(app, tmp_path) -> Iterator[TileServer]:
    server = TileServer()
    basemap._failed_at.clear()
    app.config.update(
        TOURNAGES_PLAN_TILES=server.url,
        TOURNAGES_PLAN_ATTRIBUTION="© Tuiles de test",
        TOURNAGES_TILE_CACHE=str(tmp_path / "tiles"),
    )
    yield server
    server.stop()
    app.config["TOURNAGES_PLAN_TILES"] = ""
    basemap._failed_at.clear()


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_the_pdf_plan_shows_the_tiles_and_credits_them(
    client, login, coordinator, namur_permit, tiles
):
    login(coordinator)
    pdf = client.get(f"/permits/{namur_permit.id}.pdf").data
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert images, "no basemap image in the PDF"
    r, g, b = images[0].image.convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert g > r + 60 and g > b + 60  # the test server's green, warped onto the plan
    assert "© Tuiles de test" in _text(pdf)
    fetched = len(tiles.requests)
    assert 1 <= fetched <= MAX_TILES
    client.get(f"/permits/{namur_permit.id}.pdf")
    assert len(tiles.requests) == fetched  # the second document reads the disk cache


def test_without_the_tile_server_the_plan_says_it_is_drawn_alone(
    client, login, coordinator, namur_permit, tiles
):
    tiles.stop()
    login(coordinator)
    page = client.get(f"/permits/{namur_permit.id}/document?lang=de").text
    # The document speaks the commune's language (French for Namur), whoever reads it.
    assert "Fond de plan indisponible : le plan est dessiné à partir des seules géométries." in page
    assert "<image" not in page


def test_the_zoom_matches_the_plans_resolution():
    # A 150 m plan on 680 px: 0.22 m a pixel, zoom 19's 0.30 m is the finest not finer.
    assert _zoom_for(150, WIDTH) == 19
    assert _zoom_for(1_500, WIDTH) == 16

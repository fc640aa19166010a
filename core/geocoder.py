"""Street addresses from a Nominatim-style geocoder (`GEOCODER_URL`), when one is configured.

The geocoder is a help, never a dependency: a slow, failing or absent geocoder gives no
addresses, and whatever asked (the place search) answers with what it found itself. Nothing it
sends is trusted: numbers are checked, text is kept as text.

Point GEOCODER_URL at a Nominatim of your own (or a provider that allows it): the public
nominatim.openstreetmap.org forbids searching as one types.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 2.0
MAX_RESPONSE_BYTES = 512 * 1024
USER_AGENT = "Tournages (Walloon film commission)"
# Wallonia's bounding box (lon/lat), for the geocoder to prefer and keep to; the caller still
# checks that each result lies in a Walloon commune.
WALLONIA_VIEWBOX = "2.84,50.82,6.41,49.49"
# Administrative boundaries are the communes and provinces the app knows itself.
SKIPPED_CATEGORIES = {"boundary"}
# Nominatim's address parts, from the most precise to the town.
STREET_PARTS = ("road", "pedestrian", "square", "footway", "path")
TOWN_PARTS = ("city", "town", "village", "hamlet", "suburb", "municipality")


@dataclass(frozen=True)
class GeocodedPlace:
    """An address (a street, a building) or a locality (a village, a hamlet) the geocoder found."""

    kind: str  # "address" or "locality"
    label: str
    lon: float
    lat: float
    bbox: tuple[float, float, float, float] | None  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class Geocoder:
    url: str
    timeout_s: float = DEFAULT_TIMEOUT_S

    def search(self, text: str, language: str, limit: int) -> list[GeocodedPlace]:
        """What the geocoder finds for TEXT in Belgium, labelled in LANGUAGE; [] on any error."""
        query = urlencode(
            {
                "q": text,
                "format": "jsonv2",
                "countrycodes": "be",
                "addressdetails": 1,
                "limit": limit,
                "accept-language": language,
                "viewbox": WALLONIA_VIEWBOX,
                "bounded": 1,
            }
        )
        request = Request(
            f"{self.url.rstrip('/')}/search?{query}",
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        try:
            answer = json.loads(self._read(request))
        except (URLError, OSError, ValueError) as exc:  # timeouts are OSErrors
            log.warning("geocoder %s: %s", self.url, exc)
            return []
        if not isinstance(answer, list):
            log.warning("geocoder %s: not a list of results", self.url)
            return []
        places = [_place(item) for item in answer if isinstance(item, dict)]
        return [place for place in places if place is not None]

    def _read(self, request: Request) -> bytes:
        """The response body, within timeout_s in all (urlopen's timeout is per socket
        operation: a server sending a byte a second would otherwise hold the search)."""
        deadline = time.monotonic() + self.timeout_s
        with urlopen(request, timeout=self.timeout_s) as response:
            body = b""
            while chunk := response.read1(16 * 1024):  # what has arrived, not 16 kB
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise ValueError("response too large")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.timeout_s} s")
            return body


def configured() -> Geocoder | None:
    """The app's geocoder (GEOCODER_URL, GEOCODER_TIMEOUT_S), or None without one."""
    if not has_app_context() or not current_app.config.get("GEOCODER_URL"):
        return None
    return Geocoder(
        current_app.config["GEOCODER_URL"],
        float(current_app.config.get("GEOCODER_TIMEOUT_S") or DEFAULT_TIMEOUT_S),
    )


def _number(value: Any, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _bbox(value: Any) -> tuple[float, float, float, float] | None:
    """Nominatim's boundingbox [south, north, west, east] as (west, south, east, north)."""
    if not isinstance(value, list) or len(value) != 4:
        return None
    south, north = (_number(v, -90, 90) for v in value[:2])
    west, east = (_number(v, -180, 180) for v in value[2:])
    if None in (south, north, west, east):
        return None
    return west, south, east, north  # type: ignore[return-value]


def _label(item: dict[str, Any]) -> str | None:
    """A short label: "Rue de Fer 25, 5000 Namur" rather than the whole display_name (which
    ends with the province, the region and the country in three languages)."""
    address = item.get("address") if isinstance(item.get("address"), dict) else {}
    text = {key: value for key, value in address.items() if isinstance(value, str)}
    street = next((text[part] for part in STREET_PARTS if part in text), None)
    town = next((text[part] for part in TOWN_PARTS if part in text), None)
    name = item.get("name") if isinstance(item.get("name"), str) else None
    first = " ".join(filter(None, [street, text.get("house_number")])) or name
    second = " ".join(filter(None, [text.get("postcode"), town]))
    label = ", ".join(part for part in dict.fromkeys([first, second]) if part)
    if label:
        return label
    display = item.get("display_name")
    return display if isinstance(display, str) and display else None


def _place(item: dict[str, Any]) -> GeocodedPlace | None:
    if item.get("category") in SKIPPED_CATEGORIES:
        return None
    lon, lat = _number(item.get("lon"), -180, 180), _number(item.get("lat"), -90, 90)
    label = _label(item)
    if lon is None or lat is None or label is None:
        return None
    kind = "locality" if item.get("category") == "place" else "address"
    return GeocodedPlace(kind, label[:300], lon, lat, _bbox(item.get("boundingbox")))

"""Addresses in the place search from a Nominatim-style geocoder (core.geocoder): a local HTTP
server stands in for it. A geocoder that fails, answers rubbish or hangs costs the addresses,
never the answer: communes and library locations are still found."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from core.geocoder import Geocoder
from locations.places import GEOCODER_MIN_CHARACTERS, GEOCODER_SLOTS

RUE_DE_FER = {  # Namur
    "place_id": 1,
    "category": "highway",
    "type": "residential",
    "name": "Rue de Fer",
    "lat": "50.4651",
    "lon": "4.8662",
    "display_name": "25, Rue de Fer, Namur, Namur, Wallonie, 5000, België / Belgique / Belgien",
    "address": {"house_number": "25", "road": "Rue de Fer", "city": "Namur", "postcode": "5000"},
    "boundingbox": ["50.4650", "50.4652", "4.8661", "4.8663"],
}
GRAND_PLACE_BRUSSELS = {  # in Belgium, not in Wallonia
    "category": "place",
    "type": "square",
    "name": "Grand-Place",
    "lat": "50.8467",
    "lon": "4.3525",
    "address": {"square": "Grand-Place", "city": "Bruxelles", "postcode": "1000"},
}
NAMUR_BOUNDARY = {  # a commune the app knows itself
    "category": "boundary",
    "type": "administrative",
    "name": "Namur",
    "lat": "50.46",
    "lon": "4.87",
}
JAMBES = {  # a locality: a former commune, now part of Namur
    "category": "place",
    "type": "suburb",
    "name": "Jambes",
    "lat": "50.4561",
    "lon": "4.8751",
    "address": {"suburb": "Jambes", "city": "Namur", "postcode": "5100"},
}
NAMUR_CITY = {  # the commune's seat, found again as a place
    "category": "place",
    "type": "city",
    "name": "Namur",
    "lat": "50.4665",
    "lon": "4.8672",
    "address": {"city": "Namur", "postcode": "5000"},
}
BROKEN = [
    {"category": "highway", "name": "No coordinates"},
    {"category": "highway", "name": "Not a number", "lat": "north", "lon": "4.8"},
    {"category": "highway", "name": "Infinite", "lat": "inf", "lon": "4.8"},
    {"category": "highway", "lat": "50.46", "lon": "4.86"},  # no name at all
    "not an object",
]


@dataclass
class StandIn:
    """What the stand-in geocoder answers, and the questions it was asked."""

    url: str = ""
    status: int = 200
    body: object = field(default_factory=list)
    hold: threading.Event | None = None  # answer only once set (a geocoder that hangs)
    drip: bool = False  # send the body a byte at a time, slowly
    questions: list[dict[str, list[str]]] = field(default_factory=list)
    answered: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def geocoder(app) -> Iterator[StandIn]:
    stand_in = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            stand_in.questions.append({"path": [url.path], **parse_qs(url.query)})
            if stand_in.hold is not None:
                stand_in.hold.wait(10)
            payload = json.dumps(stand_in.body).encode()
            try:
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if stand_in.drip:
                    for byte in payload:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.05)
                else:
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                return  # the app stopped waiting, as it should
            stand_in.answered.set()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_port}"
    saved = {key: app.config.get(key) for key in ("GEOCODER_URL", "GEOCODER_TIMEOUT_S")}
    app.config.update(GEOCODER_URL=stand_in.url, GEOCODER_TIMEOUT_S=0.5)
    try:
        yield stand_in
    finally:
        app.config.update(saved)
        if stand_in.hold is not None:
            stand_in.hold.set()
        server.shutdown()
        server.server_close()
        thread.join()


def places(client, q: str, **params) -> list[dict]:
    response = client.get("/api/v1/places", query_string={"q": q, **params})
    assert response.status_code == 200, response.json
    return response.json["places"]


def test_addresses_in_wallonia_come_after_the_apps_own_places(client, geocoder, create_location):
    geocoder.body = [NAMUR_BOUNDARY, RUE_DE_FER, GRAND_PLACE_BRUSSELS, *BROKEN]
    create_location(4.8617, 50.4596, name="Citadelle de Namur")
    found = places(client, "Namur", lang="de")
    assert [(p["kind"], p["label"]) for p in found] == [
        ("commune", "Namur"),
        ("province", "Provinz Namur"),
        ("location", "Citadelle de Namur"),
        ("address", "Rue de Fer 25, 5000 Namur"),  # Brussels, the boundary and rubbish: left out
    ]
    address = found[-1]
    assert address["commune_nis"] == "92094" and address["context"] == "Namur"
    assert address["point"] == [4.8662, 50.4651]
    assert address["bbox"] == [4.8661, 50.465, 4.8663, 50.4652]
    (question,) = geocoder.questions
    assert question["path"] == ["/search"] and question["q"] == ["Namur"]
    assert question["format"] == ["jsonv2"] and question["countrycodes"] == ["be"]
    assert question["accept-language"] == ["de"]


def test_localities_come_as_such_but_not_a_communes_seat_again(client, geocoder):
    geocoder.body = [NAMUR_CITY, JAMBES]
    found = places(client, "Namur", kind=["commune", "locality"])
    assert [(p["kind"], p["label"]) for p in found] == [
        ("commune", "Namur"),
        ("locality", "Jambes, 5100 Namur"),
    ]
    assert places(client, "Namur", kind="address") == []  # asked, but no address among them


def test_only_the_asked_kinds_ask_the_geocoder(client, geocoder):
    geocoder.body = [RUE_DE_FER]
    places(client, "Citadelle", kind="location")
    places(client, "Namur", kind=["commune", "province"])
    assert geocoder.questions == []


def test_too_short_a_text_does_not_ask_the_geocoder(client, geocoder):
    geocoder.body = [RUE_DE_FER]
    assert GEOCODER_MIN_CHARACTERS == 3
    assert "address" not in {p["kind"] for p in places(client, "Na")}
    assert geocoder.questions == []
    assert "address" in {p["kind"] for p in places(client, "Nam")}
    assert len(geocoder.questions) == 1


def test_the_geocoder_keeps_its_slots_when_the_app_finds_many(client, geocoder, create_location):
    for number in range(12):
        create_location(4.8617, 50.4596, name=f"Namur lieu {number:02d}")
    geocoder.body = [
        {**RUE_DE_FER, "address": {**RUE_DE_FER["address"], "house_number": str(number)}}
        for number in range(1, 6)
    ]
    found = places(client, "Namur", limit=10)
    kinds = [place["kind"] for place in found]
    assert len(found) == 10 and kinds.count("address") == GEOCODER_SLOTS
    assert kinds[-GEOCODER_SLOTS:] == ["address"] * GEOCODER_SLOTS
    few = places(client, "Citadelle", limit=10)  # nothing of the app's own: all addresses
    assert [place["kind"] for place in few] == ["address"] * 5


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, {"error": "down"}), (200, {"not": "a list"}), (200, "<html>")],
)
def test_a_failing_geocoder_still_gives_the_communes(client, geocoder, status, body):
    geocoder.status, geocoder.body = status, body
    found = places(client, "Namur")
    assert found[0]["label"] == "Namur"
    assert {place["kind"] for place in found} == {"commune", "province"}
    assert len(geocoder.questions) == 1


def test_a_geocoder_that_hangs_is_given_up(client, geocoder):
    geocoder.body = [RUE_DE_FER]
    geocoder.hold = threading.Event()  # answers only when the test ends
    found = places(client, "Namur")
    assert [place["kind"] for place in found] == ["commune", "province"]
    assert len(geocoder.questions) == 1 and not geocoder.answered.is_set()


def test_a_geocoder_that_answers_a_byte_at_a_time_is_given_up(app, geocoder):
    geocoder.body = [RUE_DE_FER] * 20  # ~8 kB at 20 bytes a second: minutes, not 0.5 s
    geocoder.drip = True
    assert Geocoder(geocoder.url, timeout_s=0.5).search("Namur", "fr", 5) == []
    assert not geocoder.answered.is_set()


def test_no_geocoder_url_no_question(app, client, geocoder):
    app.config["GEOCODER_URL"] = None
    geocoder.body = [RUE_DE_FER]
    assert "address" not in {p["kind"] for p in places(client, "Namur")}
    assert geocoder.questions == []


def test_near_an_address_uses_the_geocoders_point(client, geocoder, create_location):
    create_location(4.8665, 50.4650, name="Hôtel de ville")
    create_location(4.8617, 50.4596, name="Citadelle")
    geocoder.body = [RUE_DE_FER]
    response = client.get("/api/v1/locations?near=Rue%20de%20Fer%2025,%20Namur&radius_m=2000")
    assert response.status_code == 200, response.json
    names = [feature["properties"]["name"] for feature in response.json["features"]]
    assert names == ["Hôtel de ville", "Citadelle"]
    distance = response.json["features"][0]["properties"]["distance_m"]
    assert distance < 50  # about 25 m from the address the geocoder placed
    geocoder.status = 500
    down = client.get("/api/v1/locations?near=Rue%20de%20Fer%2025,%20Namur")
    assert down.status_code == 400 and down.json["field"] == "near"


def test_near_a_commune_does_not_ask_the_geocoder(client, geocoder, create_location):
    create_location(4.8617, 50.4596, name="Citadelle")
    geocoder.body = [RUE_DE_FER]
    assert client.get("/api/v1/locations?near=Namur").json["numberMatched"] == 1
    assert client.get("/api/v1/locations?near=Citadelle").json["numberMatched"] == 1
    assert geocoder.questions == []
    # A near miss of the app's own gives way to the geocoder's answer.
    client.get("/api/v1/locations?near=Charleroy")
    assert len(geocoder.questions) == 1

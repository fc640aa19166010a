"""Build data/communes/wallonia_communes.geojson from the shared reference data.

Run once by a maintainer when a new boundary set is published (the app never reads ../shared):
    python scripts/prepare_communes.py ../shared/data
It keeps the 262 Walloon communes of the geo6/FPS Finance set and adds the German names of the
nine German-speaking communes from Statbel's REFNIS list.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "communes" / "wallonia_communes.geojson"
KEPT = ("nis", "name_fr", "name_nl", "arr_nis", "arr_fr", "prov_nis", "prov_fr", "population")


def german_names(refnis_csv: Path) -> dict[str, str]:
    """NIS code -> German name, for the units REFNIS flags as German-speaking ("D")."""
    with refnis_csv.open(encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter=";")
        next(rows)
        return {row[0]: row[4] for row in rows if len(row) > 5 and row[5] == "D"}


def main(shared: Path) -> None:
    source = shared / "belgium_admin_geo6" / "wallonia_municipalities.geojson"
    collection = json.loads(source.read_text(encoding="utf-8"))
    names_de = german_names(shared / "statbel_refnis" / "REFNIS_2019.csv")
    for feature in collection["features"]:
        props = feature["properties"]
        kept = {key: props[key] for key in KEPT}
        kept["name_de"] = names_de.get(props["nis"])
        feature["properties"] = kept
    OUTPUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")))
    german = sum(1 for f in collection["features"] if f["properties"]["name_de"])
    print(f"{OUTPUT}: {len(collection['features'])} communes, {german} with a German name")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))

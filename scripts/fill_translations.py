"""Fill the fr and de catalogues from a JSON file {msgid: {"fr": "...", "de": "..."}}.

After `make messages` has added new msgids to the .po files, a developer writes the
translations of a feature in one JSON file and runs:
    .venv/bin/python scripts/fill_translations.py my-strings.json
It lists the msgids still untranslated. A plural's entry is the list of its forms (French has
three in our catalogue). English needs no translation (msgids are English), except where a
msgid names a field as the API does ("must be after starts_at"): an "en" entry words it for
people (the API's detail says it that way too, core.errors.in_english).
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUES = Path(__file__).resolve().parent.parent / "core" / "translations"


def fill(language: str, translations: dict[str, dict[str, str]]) -> list[str]:
    path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    missing = []
    for message in catalogue:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not key:
            continue
        if language in translations.get(key, {}):
            value = translations[key][language]  # a list for a plural: its forms
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
        elif not any(message.string if message.pluralizable else [message.string]) and (
            language != "en"
        ):
            missing.append(key)
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, no_location=True)
    return missing


def main(source: str) -> None:
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    for language in ("fr", "de", "en"):
        for key in fill(language, translations):
            print(f"{language}: untranslated: {key!r}")


if __name__ == "__main__":
    main(sys.argv[1])

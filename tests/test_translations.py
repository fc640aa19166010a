"""Every message the app can show exists in French and German: a msgid left untranslated (or
fuzzy, a guess pybabel made) would show English on a French or German page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "core" / "translations"


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_message_is_translated(language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (
            "fuzzy" in message.flags
            or not (message.string if isinstance(message.string, str) else all(message.string))
        )
    ]
    assert untranslated == []


def test_the_catalogues_know_every_message_of_the_code(tmp_path):
    """A message added to the code without `make messages` would never be translated."""
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
         "-k", "_l", "--ignore-dirs=.venv var node_modules tests", "-o", str(extracted), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with extracted.open("rb") as handle:
        in_code = {ids(message) for message in read_po(handle) if message.id}
    for language in ("fr", "de"):
        with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            known = {ids(message) for message in read_po(handle) if message.id}
        assert in_code - known == set(), language


def ids(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]

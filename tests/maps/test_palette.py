"""One colour, one meaning, on every map (core.mapping.palette): the map modules write no
colour of their own, and no two meanings share one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.mapping import palette
from permits.mapping import STATUS_COLOURS
from shoots.map_layers import SEVERITY_COLOURS

ROOT = Path(__file__).resolve().parents[2]
MAP_MODULES = sorted(
    {
        *ROOT.glob("core/mapping/*.py"),
        *ROOT.glob("maps/*.py"),
        ROOT / "locations/maps.py",
        ROOT / "shoots/maps.py",
        ROOT / "shoots/map_layers.py",
        ROOT / "permits/mapping.py",
        ROOT / "permits/siteplan.py",
    }
    - {ROOT / "core/mapping/palette.py"}
)
HEX_COLOUR = re.compile(r"(?<![\w&])#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def test_no_two_meanings_share_a_colour():
    colours = list(palette.MEANINGS.values())
    assert len(set(colours)) == len(colours), palette.MEANINGS


@pytest.mark.parametrize("module", MAP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_map_module_takes_its_colours_from_the_palette(module):
    assert HEX_COLOUR.findall(module.read_text(encoding="utf-8")) == []


def test_the_colour_helper_finds_a_colour_written_in_a_module():
    # the check above could not fail if the pattern missed the forms colours take in the code
    samples = ['{"color": "#c62828"}', 'fill="#222"', "stroke='#8B0000'"]
    assert all(HEX_COLOUR.search(sample) for sample in samples)
    assert not HEX_COLOUR.search('href="#tm-hatch"') and not HEX_COLOUR.search("&#123;")


def test_statuses_and_findings_are_colours_of_their_meaning():
    meanings = set(palette.MEANINGS.values())
    assert set(STATUS_COLOURS.values()) <= meanings
    assert SEVERITY_COLOURS == {"conflict": palette.CONFLICT, "warning": palette.WARNING}
    # refused is red wherever it is said: a clash, a rejected request
    assert STATUS_COLOURS["rejected"] == palette.CONFLICT
    assert STATUS_COLOURS["approved"] == STATUS_COLOURS["approved_with_conditions"]


def test_the_hatching_of_blackouts_is_the_blackout_colour():
    script = (ROOT / "core/mapping/static/tournages-maps.js").read_text(encoding="utf-8")
    assert f'["stroke", "{palette.BLACKOUT}"]' in script

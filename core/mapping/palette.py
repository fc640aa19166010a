"""What each colour means, on every map, legend and site plan: one colour, one meaning.

People read the maps of several pages in turn (a production's map, the drawing map, the
inbox, the public map, a permit's plan): a colour must say the same thing on all of them.
Every map module takes its colours from here; `tests/maps/test_palette.py` fails on a colour
written anywhere else, and on two meanings sharing a colour.

Red says "refused" (a clash, a rejected request), orange "look at it" (a warning, changes
asked), amber "waiting for the commune", green "approved", grey "not in force" (a draft, a
withdrawal, the version an amendment replaces).
"""

from __future__ import annotations

# What a shoot occupies, and what stands around it.
FOOTPRINT = "#1565c0"  # a shoot's footprint (blue)
PARKING = "#00838f"  # its parking zones (teal, dashed)
OTHER_SHOOT = "#37474f"  # another shoot of the period: occupancy (slate, dashed)
BLACKOUT = "#6a1b9a"  # a blackout's area (purple, hatched)
LOCATION = "#6d4c41"  # a library location's outline (brown)
MARKER = "#2a81cb"  # a point being placed: Leaflet's own marker blue
BOUNDARY = "#212121"  # a commune's boundary (a thin black line)
PROPOSED = "#ad1457"  # an amendment's proposed footprint (magenta)

# What the checks and the communes say.
CONFLICT = "#c62828"  # refused: a clash, a rejected request (red)
WARNING = "#ef6c00"  # look at it: a warning, changes requested (orange)
AWAITING = "#f9a825"  # before the commune: submitted, in review (amber)
APPROVED = "#2e7d32"  # approved, with or without conditions (green)
INACTIVE = "#757575"  # not in force: a draft, a withdrawal, a replaced version (grey)

# A permit's site plan (PDF): the commune's ground and its neighbours'.
OWN_GROUND = "#f4f1e4"
NEIGHBOUR_GROUND = "#e4e4e4"
PLAN_INK = "#333333"  # outlines and text of the plan
PLAN_MUTED = "#888888"  # a neighbouring commune's outline
PLAN_PAPER = "#fafafa"

MEANINGS = {
    "footprint": FOOTPRINT,
    "parking": PARKING,
    "other shoot": OTHER_SHOOT,
    "blackout": BLACKOUT,
    "location": LOCATION,
    "marker": MARKER,
    "boundary": BOUNDARY,
    "proposed": PROPOSED,
    "conflict": CONFLICT,
    "warning": WARNING,
    "awaiting": AWAITING,
    "approved": APPROVED,
    "inactive": INACTIVE,
}

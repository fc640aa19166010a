"""Imports every model so the metadata knows all tables (Alembic autogenerate, tests).

The feature packages sit above core (docs/architecture.md), so their models are found by name, as
create_app finds their init_app, rather than imported here.
"""

import importlib
import importlib.util

from core import FEATURE_PACKAGES

for package in ("core.auth", "core.communes", *FEATURE_PACKAGES):
    if importlib.util.find_spec(f"{package}.models") is not None:
        importlib.import_module(f"{package}.models")

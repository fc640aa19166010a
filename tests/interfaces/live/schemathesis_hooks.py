"""Hooks of the schemathesis runs (SCHEMATHESIS_HOOKS), for what a JSON Schema cannot say."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.hook
def before_load_schema(ctx: Any, raw_schema: dict[str, Any]) -> None:
    """OGC API – Features Part 1 declares the items' `limit` maximum and requires a larger
    value to be served as that maximum, not refused (tests/interfaces/test_ogc_conformance.py
    checks that): schemathesis would read the declared maximum as a bound to refuse."""
    for path, methods in raw_schema.get("paths", {}).items():
        if path.startswith("/ogc/collections/") and path.endswith("/items"):
            for parameter in methods.get("get", {}).get("parameters", []):
                if parameter.get("name") == "limit":
                    parameter["schema"].pop("maximum", None)

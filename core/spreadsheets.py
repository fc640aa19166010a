"""CSV cells that spreadsheets cannot take for formulas (OWASP "CSV injection")."""

from __future__ import annotations

from typing import Any

# Excel, LibreOffice and Google Sheets start a formula with any of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """VALUE as a CSV cell: text starting like a formula gets a leading apostrophe, which
    spreadsheets show as text and do not display; numbers and other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    return {name: safe_cell(value) for name, value in row.items()}

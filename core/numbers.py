"""How a number is shown to people: in their language's style (Babel), `1,2 km` in French and
German, `1.2 km` in English; a thousands separator where the language has one. Machine
formats (the API, CSV, coordinates to copy into a GPS) keep the dot."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from core.dates import language


def number(value: float | int | None, decimals: int = 0, locale: str | None = None) -> str:
    """VALUE rounded to DECIMALS places, as LOCALE (the request's language) writes it."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=language(locale))


def metres(value: float | None, locale: str | None = None) -> str:
    """A length as a decree writes it: whole metres without decimals (`33`), else one (`16,5`)."""
    if value is None:
        return ""
    return number(value, 0 if float(value).is_integer() else 1, locale)


def money(value: Decimal | float | int | None, locale: str | None = None) -> str:
    """VALUE in euros as LOCALE writes an amount: `148,00 €` in French and German."""
    if value is None:
        return ""
    return format_currency(value, "EUR", locale=language(locale))

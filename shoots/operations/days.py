"""Shoot days: the Brussels calendar days a period touches, the one count of "days" that the
saturation rule (shoots.operations.conflicts), the fees (permits.fees) and the statistics use.
A period from 22:00 to 02:00 touches two days; one ending at midnight does not touch the next
(half-open)."""

from __future__ import annotations


def brussels_days(period: str) -> str:
    """SQL of a set-returning call: each Brussels calendar day the tstzrange PERIOD (an SQL
    expression: a column, never user text) touches, as `day`."""
    return (
        f"generate_series((lower({period}) AT TIME ZONE 'Europe/Brussels')::date, "
        f"((upper({period}) - interval '1 microsecond') AT TIME ZONE 'Europe/Brussels')::date, "
        "interval '1 day') AS day"
    )

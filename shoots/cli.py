"""`tournages shoots …`: the conflict report from the command line."""

from __future__ import annotations

import json

import click

from core.db import db
from core.errors import ApiError
from shoots.operations import report
from shoots.operations.shoots import period_filter

shoots_cli = click.Group("shoots", help="Shoot schedules and their conflicts.")


@shoots_cli.command("report")
@click.option("--from", "starts", required=True, help="Brussels time, e.g. 2027-06-01T00:00")
@click.option("--to", "ends", required=True, help="Brussels time, e.g. 2027-07-01T00:00")
@click.option("--commune", help="NIS code of a commune")
def report_command(starts: str, ends: str, commune: str | None) -> None:
    """Every conflicting or nearby pair of shoots in a period, one JSON object per line."""
    try:
        start, end = period_filter(starts, ends)
    except ApiError as exc:
        raise click.BadParameter(exc.detail) from exc
    for pair in report.conflict_report(db.session, start, end, commune):  # type: ignore[arg-type]
        click.echo(json.dumps(pair, ensure_ascii=False))

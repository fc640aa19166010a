"""`tournages locations import FILE [--dry-run] [--crs EPSG:…]`."""

from __future__ import annotations

from pathlib import Path

import click

from core.db import commit, db
from core.errors import ApiError
from locations import importing
from locations.models import LocationStatus

locations_cli = click.Group("locations", help="The location library.")


@locations_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; store nothing.")
@click.option("--crs", default="EPSG:4326", show_default=True, help="EPSG:4326, 3812 or 31370.")
@click.option("--publish", is_flag=True, help="Publish the locations (default: drafts).")
def import_command(path: Path, dry_run: bool, crs: str, publish: bool) -> None:
    """Import locations from a GeoJSON or CSV file, all or nothing."""
    content = path.read_bytes()
    try:
        report = importing.import_locations(
            db.session,
            content,
            file_format=importing.detect_format(path.name, content),
            crs=importing.parse_crs(crs),
            user=None,
            dry_run=dry_run,
            status=LocationStatus.PUBLISHED if publish else LocationStatus.DRAFT,
        )
    except importing.ImportRejected as exc:
        db.session.rollback()
        _print_rejections(exc.extra["report"]["results"])
        raise click.ClickException(exc.detail) from exc
    except ApiError as exc:
        db.session.rollback()
        raise click.ClickException(exc.detail) from exc
    summary = report.as_dict()
    if dry_run:
        db.session.rollback()
        _print_rejections(summary["results"])
        click.echo(
            f"Dry run: {summary['accepted']} rows would be created, "
            f"{summary['rejected']} rejected; nothing stored."
        )
    else:
        commit(db.session)
        click.echo(f"Imported {summary['created']} locations.")


def _print_rejections(results: list[dict]) -> None:
    for result in results:
        if result["result"] == "rejected":
            click.echo(f"row {result['row']} ({result['name']}): {result['reason']}", err=True)

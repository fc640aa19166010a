"""`tournages outbox send`: deliver the pending notifications (run it from cron)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app

from core.cli import run_as_unit_of_work
from core.db import db, unit_of_work
from permits.leadtime import set_notice
from permits.notifications import deliver_due

outbox_cli = click.Group("outbox", help="Notifications waiting to be sent.")
permits_cli = click.Group("permits", help="Permit requests: the communes' settings.")


@permits_cli.command("notice")
@click.argument("commune")
@click.argument("working_days", type=int)
@click.option("--email", help="Address of the commune's office for notifications ('' clears).")
def permits_notice(commune: str, working_days: int, email: str | None) -> None:
    """Set COMMUNE's (NIS code) minimum notice in working days."""
    settings = run_as_unit_of_work(lambda: set_notice(db.session, commune, working_days, email))
    click.echo(
        f"{settings.commune_nis}: {settings.notice_working_days} working days of notice, "
        f"notifications to {settings.notification_email or 'its officers only'}."
    )


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send the messages that are due; failures are retried later with backoff."""
    with unit_of_work(db.session):
        report = deliver_due(db.session, current_app.config, datetime.now(UTC))
    if report.kept:
        click.echo(f"No SMTP server configured (TOURNAGES_SMTP_HOST): {report.kept} kept.")
    else:
        click.echo(f"Sent {report.sent}, failed {report.failed} (retried later).")

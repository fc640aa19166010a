"""`tournages outbox send`: deliver the pending notifications (run it from cron)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app

from core.db import db
from permits.notifications import deliver_due

outbox_cli = click.Group("outbox", help="Notifications waiting to be sent.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send the messages that are due; failures are retried later with backoff."""
    report = deliver_due(db.session, current_app.config, datetime.now(UTC))
    db.session.commit()
    if report.kept:
        click.echo(f"No SMTP server configured (TOURNAGES_SMTP_HOST): {report.kept} kept.")
    else:
        click.echo(f"Sent {report.sent}, failed {report.failed} (retried later).")

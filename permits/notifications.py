"""Notifications go through an outbox: written in the same transaction as the change they
announce, sent later by `tournages outbox send`, retried with backoff, never deleted."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.auth.models import Role, User
from permits.models import (
    STATUS_LABELS,
    AmendmentReview,
    Audience,
    OutboxMessage,
    PermitCommuneSettings,
    PermitRequest,
)
from permits.services import services_of
from shoots.models import Production

MAX_BACKOFF = timedelta(hours=6)
Recipients = list[tuple[str, int | None]]


def _officers(session: Session, commune_nis: str) -> Recipients:
    users = session.scalars(
        select(User).where(
            User.role == Role.OFFICER,
            User.commune_nis == commune_nis,
            User.is_enabled.is_(True),
        )
    )
    recipients = [(u.email, u.id) for u in users]
    office = session.get(PermitCommuneSettings, commune_nis)
    if office is not None and office.notification_email:
        recipients.append((office.notification_email, None))
    return recipients


def _applicants(production: Production) -> Recipients:
    recipients = [(u.email, u.id) for u in production.coordinators if u.is_enabled]
    if production.contact_email:
        recipients.append((production.contact_email, None))
    return recipients


def _request_text(permit: PermitRequest, comment: str) -> tuple[str, str]:
    status = str(STATUS_LABELS[permit.status])
    commune = permit.commune.name(permit.language)
    subject = _(
        "Permit request %(id)s (%(commune)s): %(status)s",
        id=permit.id,
        commune=commune,
        status=status,
    )
    lines = [
        _("Production: %(title)s", title=permit.production.title),
        _("Commune: %(commune)s", commune=commune),
        _("Status: %(status)s", status=status),
    ]
    if comment:
        lines.append(_("Comment: %(comment)s", comment=comment))
    lines.append(url_for("permits.show", request_id=permit.id, _external=True))
    return subject, "\n".join(lines)


def _review_text(review: AmendmentReview, comment: str) -> tuple[str, str]:
    amendment = review.amendment
    status = str(STATUS_LABELS[review.status])
    commune = review.commune.name(review.language)
    subject = _(
        "Amendment %(id)s of shoot %(shoot)s (%(commune)s): %(status)s",
        id=amendment.id,
        shoot=amendment.shoot_id,
        commune=commune,
        status=status,
    )
    lines = [
        _("Production: %(title)s", title=review.production.title),
        _("Commune: %(commune)s", commune=commune),
        _("Status: %(status)s", status=status),
        _("Why the shoot changes: %(reason)s", reason=amendment.reason),
    ]
    if review.request_id:
        lines.append(_("It amends permit request %(id)s.", id=review.request_id))
    else:
        lines.append(_("The shoot comes onto this commune's ground: approving makes a request."))
    if comment:
        lines.append(_("Comment: %(comment)s", comment=comment))
    lines.append(url_for("permits.amendment", amendment_id=amendment.id, _external=True))
    return subject, "\n".join(lines)


def notify_move(
    session: Session,
    subject: PermitRequest | AmendmentReview,
    audience: Audience,
    comment: str,
) -> None:
    """Queue the messages a move on a request or an amendment's review calls for, to AUDIENCE,
    in the commune's language."""
    if audience is Audience.NOBODY:
        return
    if audience is Audience.OFFICERS:
        recipients = _officers(session, subject.commune_nis)
    else:
        recipients = _applicants(subject.production)
    with force_locale(subject.language):
        if isinstance(subject, AmendmentReview):
            title, body = _review_text(subject, comment)
            request_id = subject.request_id
        else:
            title, body = _request_text(subject, comment)
            request_id = subject.id
    _queue(session, recipients, title, body, request_id)


def copy_services(session: Session, permit: PermitRequest, kinds: tuple[str, ...]) -> list[str]:
    """Queue a copy of the submitted PERMIT to each service of KINDS its commune's directory
    lists with a mailbox, in the commune's language; returns the kinds that have none (the
    request's page says the officers must tell them)."""
    directory = services_of(session, permit.commune_nis)
    reached = [directory[kind] for kind in kinds if kind in directory and directory[kind].email]
    with force_locale(permit.language):
        title, body = _request_text(permit, "")
        note = _("You receive this copy as the commune's rules ask for your service.")
    for service in reached:
        _queue(session, [(service.email, None)], title, f"{note}\n\n{body}", permit.id)
    return [kind for kind in kinds if kind not in {s.kind for s in reached}]


def _queue(
    session: Session, recipients: Recipients, subject: str, body: str, request_id: int | None
) -> None:
    seen: set[str] = set()
    for address, user_id in recipients:
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        session.add(
            OutboxMessage(
                request_id=request_id,
                recipient=address,
                recipient_user_id=user_id,
                subject=subject,
                body=body,
            )
        )
    session.flush()


def introduce(session: Session, productions: list[Production], message: str) -> int:
    """Relay the film commission's MESSAGE to the coordinators of each production, one message
    per person, none naming another's address (competitors keep their files, see
    core.auth.policy.production_view). Returns how many messages were queued."""
    queued = 0
    for production in productions:
        for coordinator in production.coordinators:
            # In the film commission's language, as the message it wrote.
            subject = _("The film commission puts you in touch with another production")
            footer = _("Reply to the film commission: it relays your answer.")
            session.add(
                OutboxMessage(
                    recipient=coordinator.email,
                    recipient_user_id=coordinator.id,
                    subject=subject,
                    body=f"{message}\n\n{footer}",
                )
            )
            queued += 1
    session.flush()
    return queued


def messages_for(session: Session, user: User, limit: int = 50) -> list[OutboxMessage]:
    """The user's notifications, newest first (shown in the app whether sent or not)."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                or_(
                    OutboxMessage.recipient_user_id == user.id,
                    OutboxMessage.recipient == user.email,
                )
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    kept: int = 0  # no SMTP server configured


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def _send(message: OutboxMessage, config: dict[str, Any]) -> None:
    email = EmailMessage()
    email["From"] = config["SMTP_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<permit-outbox-{message.id}@tournages>"  # lets servers drop repeats
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(email)


def deliver_due(
    session: Session, config: dict[str, Any], now: datetime, limit: int = 200
) -> DeliveryReport:
    """Send the messages whose time has come; a failure only postpones the message.

    Rows are locked with SKIP LOCKED so two senders never send the same message twice.
    """
    due = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    report = DeliveryReport()
    if not config.get("SMTP_HOST"):
        report.kept = len(due)
        return report
    for message in due:
        message.attempts += 1
        try:
            _send(message, config)
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            message.next_attempt_at = now + backoff(message.attempts)
            report.failed += 1
        else:
            message.sent_at = now
            message.last_error = None
            report.sent += 1
    session.flush()
    return report

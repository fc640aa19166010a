import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from markupsafe import escape
from sqlalchemy import select

from core.db import db
from permits.models import OutboxMessage
from permits.notifications import backoff, deliver_due
from permits.workflow import apply_transition


class Mailbox:
    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def mailbox(smtp_port):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


def _config(port: int) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_FROM": "tournages@test.be"}


def _submitted(permit, coordinator) -> list[OutboxMessage]:
    apply_transition(db.session, permit.id, "submit", coordinator)
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))))


def test_messages_are_sent_over_smtp(namur_permit, coordinator, officer, mailbox, smtp_port):
    (message,) = _submitted(namur_permit, coordinator)
    now = datetime.now(UTC)
    report = deliver_due(db.session, _config(smtp_port), now)
    assert (report.sent, report.failed) == (1, 0)
    assert message.sent_at == now and message.attempts == 1
    (envelope,) = mailbox.received
    assert envelope.rcpt_tos == [officer.email]
    content = envelope.content.decode()
    assert f"/permits/{namur_permit.id}" in content and "Le Fleuve" in content
    assert deliver_due(db.session, _config(smtp_port), now).sent == 0  # never sent twice


def test_failures_are_retried_with_backoff_and_never_lose_the_message(
    namur_permit, coordinator, officer, smtp_port
):
    (message,) = _submitted(namur_permit, coordinator)
    now = datetime.now(UTC)
    down = deliver_due(db.session, _config(smtp_port), now)  # nothing listens yet
    assert (down.sent, down.failed) == (0, 1)
    assert message.sent_at is None and message.attempts == 1
    assert message.last_error and message.next_attempt_at == now + timedelta(minutes=1)
    assert deliver_due(db.session, _config(smtp_port), now).failed == 0  # not due yet

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        later = deliver_due(db.session, _config(smtp_port), now + timedelta(minutes=2))
    finally:
        controller.stop()
    assert later.sent == 1 and message.sent_at is not None and message.attempts == 2
    assert len(box.received) == 1


def test_backoff_doubles_up_to_six_hours():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(30) == timedelta(hours=6)


def test_without_smtp_messages_are_kept_and_shown(
    runner, namur_permit, coordinator, officer, client, login
):
    (message,) = _submitted(namur_permit, coordinator)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "1 kept" in result.output
    assert message.sent_at is None and message.attempts == 0
    login(officer)
    inbox = client.get("/permits/")
    assert str(escape(message.subject)) in inbox.get_data(as_text=True)

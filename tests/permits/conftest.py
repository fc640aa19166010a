"""Fixtures of the permits tests: shoots on known ground, requests ready to submit."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from pypdf import PdfWriter

from core.auth import operations as auth_operations
from core.db import db
from permits.models import PermitRequest
from permits.operations import attach_insurance, create_requests

NAMUR = "92094"
PROFONDEVILLE = "92101"
EUPEN = "63023"
CITADEL = (4.8617, 50.4596)  # well inside Namur
BORDER = (4.869318, 50.389675)  # on the Namur / Profondeville border
PROFONDEVILLE_CENTRE = (4.8680, 50.3780)
EUPEN_CENTRE = (6.0350, 50.6280)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """The role matrices sign many users in; production-strength Argon2 would take minutes."""
    monkeypatch.setattr(
        auth_operations, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", display_name="Claire Coord")


@pytest.fixture
def production(create_production, coordinator):
    return create_production(
        coordinators=[coordinator],
        title="Le Fleuve",
        listed=True,  # its title may be public once approved: the public tests look for it
        contact_email="prod@example.be",
        contact_phone="+32 81 00 00 00",
    )


@pytest.fixture
def officer(make_user):
    return make_user("officer", commune=NAMUR)


@pytest.fixture
def request_shoots(app, coordinator, production) -> Callable[..., list[PermitRequest]]:
    """Factory: the draft requests of some shoots of `production`, insurance attached."""

    def make(*shoots, insured: bool = True, **fields) -> list[PermitRequest]:
        permits = create_requests(
            db.session, production, [s.id for s in shoots], coordinator, **fields
        )
        if insured:
            attach_insurance(db.session, permits[0], "insurance.pdf", pdf_bytes())
        return permits

    return make


@pytest.fixture
def namur_permit(create_shoot, production, request_shoots) -> PermitRequest:
    shoot = create_shoot(*CITADEL, production=production, crew_size=40, vehicle_count=6)
    (permit,) = request_shoots(shoot, public_domain_use="Trottoir rue des Remparts, 8 h")
    return permit

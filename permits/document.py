"""The request document: one template for the printable page and the PDF (WeasyPrint), in the
commune's language (German for the German-speaking communes, French otherwise)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from sqlalchemy.orm import Session

from core.auth.models import User
from permits.findings import request_findings, visible_findings
from permits.models import STATUS_LABELS, PermitRequest
from permits.operations import shared_shoots
from permits.siteplan import site_plans
from shoots.models import Shoot
from shoots.operations.conflicts import Findings

PARTICULARS = (
    ("night_shoot", _l("night shoot")),
    ("parking_suspension", _l("parking suspension")),
    ("road_closure", _l("road closure")),
    ("special_effects", _l("special effects")),
    ("drones", _l("drones")),
)


def particulars(shoot: Shoot) -> list[str]:
    """What a commune must know about a shoot beyond its place and time."""
    return [str(label) for flag, label in PARTICULARS if getattr(shoot, flag)]


def square_metres(area: float) -> str:
    """2 827 m², kept on one line (narrow no-break space between thousands)."""
    return f"{area:,.0f}".replace(",", "\u202f") + "\u00a0m²"


def document_context(
    session: Session, permit: PermitRequest, viewer: User | None, found: dict[int, Findings]
) -> dict[str, Any]:
    """What the document shows; FOUND: the engine's current findings of the shoots
    (permits.findings.request_findings), annexed as VIEWER may read them."""
    return {
        "permit": permit,
        "production": permit.production,
        "parts": sorted(permit.parts, key=lambda p: (p.shoot.period.lower, p.shoot_id)),
        "shared": shared_shoots(session, permit),
        "site_plans": site_plans(session, permit.id, permit.commune_nis),
        "status_label": STATUS_LABELS[permit.status],
        "particulars": particulars,
        "square_metres": square_metres,
        "lang": permit.language,
        "findings": visible_findings(session, viewer, permit, found),
        "findings_at": datetime.now(UTC),
    }


def render_document(session: Session, permit: PermitRequest, viewer: User | None) -> str:
    context = document_context(session, permit, viewer, request_findings(session, permit))
    with force_locale(permit.language):
        return render_template("permits/document.html", **context)


def render_pdf(session: Session, permit: PermitRequest, viewer: User | None) -> bytes:
    """The document as PDF, followed by the insurance certificate's pages when there is one."""
    from weasyprint import HTML  # imported here: it loads Pango, which only the PDF needs

    document = HTML(string=render_document(session, permit, viewer)).write_pdf()
    if not permit.insurance_pdf:
        return document
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(document)))
    writer.append(PdfReader(io.BytesIO(permit.insurance_pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

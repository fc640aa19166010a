"""The request document: one template for the printable page and the PDF (WeasyPrint), in the
commune's language (German for the German-speaking communes, French otherwise).

It renders a version's data (permits.versions), never the live rows: the current document is
the latest version once the commune has the request, the live request while it is prepared.
The current document carries a dated annex of the engine's findings as its reader may read
them (permits.findings); it is not part of the version (they change with the neighbourhood),
so a version's content hash never depends on who reads it or when.
"""

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
from permits import versions
from permits.fees import FEE_LABELS
from permits.findings import request_findings, visible_findings
from permits.models import STATUS_LABELS, PermitRequest, PermitStatus, RequestVersion
from permits.siteplan import with_basemap
from permits.transitions import ACTION_LABELS
from shoots.activities import ACTIVITY_LABELS

# The activities a version lists; versions frozen before the questionnaire (migration 0014)
# said "night_shoot" for the declared flag.
PARTICULAR_LABELS = {**ACTIVITY_LABELS, "night_shoot": _l("night shoot")}


def square_metres(area: float) -> str:
    """2 827 m², kept on one line (narrow no-break space between thousands)."""
    return f"{area:,.0f}".replace(",", "\u202f") + "\u00a0m²"


def document_context(
    data: dict[str, Any],
    version: RequestVersion | None,
    findings: dict[int, Any] | None = None,
) -> dict[str, Any]:
    """What the document shows; FINDINGS: the annex of current findings by shoot id
    (findings_annex), or None for a version's own document without it."""
    # The site plans are SVG this application drew (permits.siteplan) from geometry alone,
    # frozen with the version (no user text in them), over today's basemap.
    language = data["request"]["language"]
    plans = {shoot["id"]: with_basemap(shoot["site_plan"], language) for shoot in data["shoots"]}
    return {
        "doc": data,
        "version": version,
        "site_plans": plans,
        "status_label": STATUS_LABELS[PermitStatus(data["request"]["status"])],
        "frozen_by": version and ACTION_LABELS.get(version.action, _l("amendment")),
        "particular_labels": PARTICULAR_LABELS,
        "fee_labels": FEE_LABELS,
        "square_metres": square_metres,
        "lang": data["request"]["language"],
        "findings": findings,
        "findings_at": datetime.now(UTC),
    }


def findings_annex(session: Session, permit: PermitRequest, viewer: User | None) -> dict[int, Any]:
    """The engine's current findings of PERMIT's shoots, as VIEWER may read them."""
    return visible_findings(session, viewer, permit, request_findings(session, permit))


def render_html(
    data: dict[str, Any],
    version: RequestVersion | None,
    findings: dict[int, Any] | None = None,
) -> str:
    """The document of DATA (VERSION's, or the live request's when None)."""
    context = document_context(data, version, findings)
    with force_locale(data["request"]["language"]):
        return render_template("permits/document.html", **context)


def render_version_pdf(
    data: dict[str, Any],
    version: RequestVersion | None,
    permit: PermitRequest,
    findings: dict[int, Any] | None = None,
) -> bytes:
    """The document of DATA as PDF, followed by the insurance certificate's pages when the
    stored one is the certificate the document names (same SHA-256)."""
    from weasyprint import HTML  # imported here: it loads Pango, which only the PDF needs

    document = HTML(string=render_html(data, version, findings)).write_pdf()
    certificate = permit.insurance_pdf
    named = data["request"]["insurance"]
    if not certificate or not named or versions.file_hash(certificate) != named["sha256"]:
        return document
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(document)))
    writer.append(PdfReader(io.BytesIO(certificate)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_document(session: Session, permit: PermitRequest, viewer: User | None) -> str:
    """The request's current document (permits.versions.current) with its findings annex."""
    data, version = versions.current(session, permit)
    return render_html(data, version, findings_annex(session, permit, viewer))


def render_pdf(session: Session, permit: PermitRequest, viewer: User | None) -> bytes:
    """The request's current document as PDF, with its findings annex."""
    data, version = versions.current(session, permit)
    return render_version_pdf(data, version, permit, findings_annex(session, permit, viewer))

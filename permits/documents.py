"""Compliance documents: what a production sends that a rule requires (owner's consent,
safety plan, fire-service report, drone authorisation, flight plan).

A document belongs to the production (it then serves all its requests) or to one request. It
is a checked PDF or image, never changed after upload; a newer one of the same kind sits beside
it. A document counts for a request when it covers the request's shoot days: its validity, if
given, starts on or before the first day and ends on or after the last (`covers`). Which kinds a
request needs is the rule table's answer (permits.requirements); `missing_documents` is the one
comparison of the two, for the submission check, the request's page and its API.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.config import BRUSSELS
from core.errors import InvalidInput, PayloadTooLarge
from locations.photos import decode_image
from permits.models import (
    DOCUMENT_LABELS,
    ComplianceDocument,
    DocumentKind,
    PermitRequest,
    PermitShoot,
)
from permits.operations import check_pdf
from shoots.models import Production, Shoot

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


def media_type_of(data: bytes) -> str:
    """The checked media type of DATA, a readable PDF or image, or a 4xx naming `file`."""
    if not data:
        raise InvalidInput("file", _l("the file is empty"))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(
            "file", _l("must be at most %(mb)s MB", mb=MAX_DOCUMENT_BYTES // 2**20)
        )
    if data.startswith(b"%PDF-"):
        check_pdf(data, "file", MAX_DOCUMENT_BYTES)
        return "application/pdf"
    return IMAGE_TYPES[decode_image(data).format]


def attach_document(
    session: Session,
    production: Production,
    user: User | None,
    kind: str,
    filename: str,
    data: bytes,
    valid_from: date | None = None,
    valid_until: date | None = None,
    request: PermitRequest | None = None,
) -> ComplianceDocument:
    """Store a document of PRODUCTION (for REQUEST only, when given), in the caller's unit of
    work; refuses, naming the field, an unknown kind, a file that is not a PDF or an image,
    and a validity that ends before it starts."""
    if kind not in DocumentKind.__members__.values():
        known = ", ".join(k.value for k in DocumentKind)
        raise InvalidInput("kind", _l("must be one of %(kinds)s", kinds=known))
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput("valid_until", _l("must not be before valid_from"))
    document = ComplianceDocument(
        production_id=production.id,
        request_id=request.id if request else None,
        kind=kind,
        filename=(filename or f"{kind}.pdf")[-200:],
        media_type=media_type_of(data),
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        valid_from=valid_from,
        valid_until=valid_until,
        uploaded_by_id=user.id if user else None,
    )
    session.add(document)
    session.flush()
    return document


def documents_of(session: Session, permit: PermitRequest) -> list[ComplianceDocument]:
    """The documents that may serve PERMIT: its production's and its own, newest first."""
    return list(
        session.scalars(
            select(ComplianceDocument)
            .where(
                ComplianceDocument.production_id == permit.production_id,
                or_(
                    ComplianceDocument.request_id.is_(None),
                    ComplianceDocument.request_id == permit.id,
                ),
            )
            .order_by(ComplianceDocument.id.desc())
        )
    )


@dataclass(frozen=True)
class ShootDays:
    first: date
    last: date  # the day of the last moment (the period's end is not part of it)


def shoot_days(session: Session, permit: PermitRequest) -> ShootDays | None:
    """The first and last Brussels days of PERMIT's shoots (None: it holds none)."""
    start, end = session.execute(
        select(func.min(func.lower(Shoot.period)), func.max(func.upper(Shoot.period)))
        .join(PermitShoot, PermitShoot.shoot_id == Shoot.id)
        .where(PermitShoot.request_id == permit.id)
    ).one()
    if start is None:
        return None
    last_moment = end - timedelta(microseconds=1)
    return ShootDays(start.astimezone(BRUSSELS).date(), last_moment.astimezone(BRUSSELS).date())


def covers(document: ComplianceDocument, days: ShootDays | None) -> bool:
    return cover_spans(document.valid_from, document.valid_until, days)


def cover_spans(valid_from: date | None, valid_until: date | None, days: ShootDays | None) -> bool:
    """Whether a validity (either end open when None) spans every shoot day of DAYS: the one
    coverage rule of compliance documents and of the insurance certificate."""
    if days is None:
        return True
    starts_in_time = valid_from is None or valid_from <= days.first
    lasts = valid_until is None or valid_until >= days.last
    return starts_in_time and lasts


def missing_documents(session: Session, permit: PermitRequest, kinds: tuple[str, ...]) -> list[str]:
    """Which of KINDS no document of PERMIT covers, in the order asked."""
    days = shoot_days(session, permit)
    return uncovered(kinds, documents_of(session, permit), days)


def uncovered(
    kinds: tuple[str, ...], uploaded: list[ComplianceDocument], days: ShootDays | None
) -> list[str]:
    """Which of KINDS none of UPLOADED covers over DAYS, in the order asked."""
    covered = {doc.kind for doc in uploaded if covers(doc, days)}
    return [kind for kind in kinds if kind not in covered]


def refuse_missing(missing: list[str]) -> InvalidInput:
    """The submission's refusal: which documents are missing, named in the reader's language
    (the API's `missing` lists their kinds)."""
    names = LazyString(
        lambda: ", ".join(str(DOCUMENT_LABELS[DocumentKind(kind)]) for kind in missing)
    )
    return InvalidInput(
        "documents",
        _l("attach before submitting, valid for every shoot day: %(names)s", names=names),
        missing=missing,
    )

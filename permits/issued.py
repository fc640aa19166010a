"""What a commune issues once it approves a request: the police ordinance draft (PDF, and an
editable DOCX), and the notice to residents (an A4 letter and an A3 poster). Each is drawn
from an approved version's data (permits.versions), in the commune's language, so it is
regenerated for every approved version (an approved amendment is a new one) and never changes
afterwards. The data is the version's: nothing here reads the live rows but the public title
the notice shows (residents read what the public may, shoots.models.Production.public_title).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.dates import period, when
from core.errors import InvalidInput, NotFound
from core.numbers import metres
from permits import documents
from permits.models import (
    APPROVED_STATUSES,
    DEFAULT_RESIDENT_NOTICE_DAYS,
    PermitCommuneSettings,
    PermitRequest,
    RequestVersion,
)
from permits.settings_row import check_range, settings_row
from permits.siteplan import with_basemap

NoticeSize = Literal["a4", "a3"]
STREET_TOTALS = ("parking_signs", "closure_signs")


def latest_approved(session: Session, permit: PermitRequest) -> RequestVersion | None:
    try:
        return approved_version(session, permit)
    except NotFound:
        return None


def approved_version(
    session: Session, permit: PermitRequest, number: int | None = None
) -> RequestVersion:
    """PERMIT's version NUMBER (the latest when None) if it records an approval, else 404."""
    query = select(RequestVersion).where(
        RequestVersion.request_id == permit.id,
        RequestVersion.status.in_([s.value for s in APPROVED_STATUSES]),
    )
    if number is not None:
        query = query.where(RequestVersion.number == number)
    found = session.scalar(query.order_by(RequestVersion.number.desc()).limit(1))
    if found is None:
        raise NotFound("The request has no approved version: a commune issues after it approves.")
    return found


def _measures(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The version's shoots that still take place, with their street facts (versions frozen
    before the questionnaire have none: no measure)."""
    empty = {"parking_length_m": 0, "parking_spaces": 0, "parking_signs": 0,
             "road_closure": False, "closure_signs": 0, "streets": []}  # fmt: skip
    return [
        {**shoot, "street": shoot.get("street") or empty}
        for shoot in data["shoots"]
        if shoot["status"] != "cancelled"
    ]


def _context(version: RequestVersion) -> dict[str, Any]:
    data = version.data
    measures = _measures(data)
    return {
        "doc": data,
        "version": version,
        "lang": data["request"]["language"],
        "measures": measures,
        # SVG this application drew from geometry alone, frozen with the version.
        "plans": {
            s["id"]: with_basemap(s["site_plan"], data["request"]["language"]) for s in measures
        },
        "totals": {name: sum(s["street"][name] for s in measures) for name in STREET_TOTALS},
    }


@dataclass(frozen=True)
class Paragraph:
    kind: Literal["draft", "title", "text", "orders", "article", "signatures"]
    text: str


def ordinance_text(context: dict[str, Any]) -> list[Paragraph]:
    """The draft's text, paragraph by paragraph, in the current locale: the PDF and the DOCX
    both write these."""
    request, production = context["doc"]["request"], context["doc"]["production"]
    approved = when(request["decided_at"], "long") if request["decided_at"] else ""
    text = [
        Paragraph("draft", _("DRAFT — to be completed, signed and published by the commune")),
        Paragraph("title", _("Temporary police ordinance on traffic and parking for a film shoot")),
        Paragraph("text", _("The Mayor,")),
        Paragraph("text", _("Having regard to the New Municipal Law, in particular its articles "
                            "130bis, 133 and 135 § 2;")),
        Paragraph("text", _("Having regard to the Royal Decree of 1 December 1975 on the general "
                            "rules of road traffic;")),
        Paragraph("text", _("Having regard to the request of %(company)s for the production "
                            "“%(title)s” (request no. %(id)s), approved on %(date)s;",
                            company=production["company"], title=production["title"],
                            id=request["id"], date=approved)),
        Paragraph("text", _("Whereas the shoot requires measures to keep traffic safe and "
                            "residents informed;")),
        Paragraph("orders", _("ORDERS:")),
    ]  # fmt: skip
    articles = [*_street_articles(context["measures"]), *_closing_articles(context["totals"])]
    text += [
        Paragraph("article", _("Article %(n)s.", n=n) + " " + article)
        for n, article in enumerate(articles, start=1)
    ]
    text.append(Paragraph("signatures", _("The Director-General,") + "\t" + _("The Mayor,")))
    return text


def _street_articles(measures: list[dict[str, Any]]) -> list[str]:
    articles = []
    for index, shoot in enumerate(measures, start=1):
        street = shoot["street"]
        where = (
            _("in %(streets)s", streets=", ".join(street["streets"]))
            if street["streets"]
            else _("in the area shown on plan %(n)s", n=index)
        )
        when_ = period(shoot["start"], shoot["end"])
        if street["parking_length_m"]:
            length = metres(street["parking_length_m"])
            articles.append(
                _("Parking is forbidden from %(period)s", period=when_) + f" {where}, "
                + _("over %(length)s m (%(spaces)s spaces), except for the vehicles of the "
                    "production.", length=length, spaces=street["parking_spaces"])
            )  # fmt: skip
        if street["road_closure"]:
            articles.append(
                _("Traffic is forbidden from %(period)s", period=when_) + f" {where}, "
                + _("except for emergency services and residents' access.")
            )  # fmt: skip
    return articles


def _closing_articles(totals: dict[str, int]) -> list[str]:
    return [
        _("The production places and removes the signs at its own cost: %(parking)s E1 signs "
          "with an additional panel stating the dates and hours, and %(closure)s C3 signs, at "
          "least 48 hours before the measures apply.",
          parking=totals["parking_signs"], closure=totals["closure_signs"]),
        _("Infringements of this ordinance are punished according to the law on road traffic "
          "police."),
        _("This ordinance is published as the rules on municipal acts require, and "
          "sent to the police zone."),
    ]  # fmt: skip


def ordinance_html(version: RequestVersion) -> str:
    context = _context(version)
    with force_locale(context["lang"]):
        return render_template(
            "permits/ordinance.html", **context, paragraphs=ordinance_text(context)
        )


def notice_html(version: RequestVersion, public_title: str | None, size: NoticeSize) -> str:
    with force_locale(version.data["request"]["language"]):
        title = public_title or _("A film production")
        return render_template("permits/notice.html", **_context(version), title=title, size=size)


def as_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDFs need

    return HTML(string=html).write_pdf()


DOCX_STYLES = {"title": "Title", "orders": "Heading 2"}


def ordinance_docx(version: RequestVersion, letterhead: bytes | None = None) -> bytes:
    """The ordinance draft as a Word document the commune edits, on its LETTERHEAD (a DOCX of
    its own whose header, footer and styles are kept) or a blank one."""
    from docx import Document  # python-docx, only for this download

    document = Document(io.BytesIO(letterhead)) if letterhead else Document()
    context = _context(version)
    with force_locale(context["lang"]):
        paragraphs = ordinance_text(context)
    available = {style.name for style in document.styles}
    for paragraph in paragraphs:
        style = DOCX_STYLES.get(paragraph.kind)
        document.add_paragraph(paragraph.text, style=style if style in available else None)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---- the residents' notice: by when, and how it was delivered --------------------------------

MAX_RESIDENT_NOTICE_DAYS = 60
MAX_DELIVERY_TEXT = 200


def notice_days_of(session: Session, commune_nis: str) -> int:
    settings = session.get(PermitCommuneSettings, commune_nis)
    return settings.resident_notice_days if settings else DEFAULT_RESIDENT_NOTICE_DAYS


def notice_deadline(session: Session, permit: PermitRequest) -> date | None:
    """The last day residents may receive the notice: the commune's number of days before the
    first shoot day (Brussels), None for a request without shoots."""
    days = documents.shoot_days(session, permit)
    if days is None:
        return None
    return days.first - timedelta(days=notice_days_of(session, permit.commune_nis))


def record_delivery(
    session: Session, permit: PermitRequest, delivered_at: datetime, method: str
) -> PermitRequest:
    """The production says when and how the residents got the notice (letterboxes, a poster,
    a meeting…), in the caller's unit of work."""
    method = method.strip()
    if not method:
        raise InvalidInput("method", _l("say how the notice was delivered"))
    if len(method) > MAX_DELIVERY_TEXT:
        raise InvalidInput("method", _l("must be at most %(n)s characters", n=MAX_DELIVERY_TEXT))
    if delivered_at > datetime.now(UTC) + timedelta(minutes=5):
        raise InvalidInput("delivered_at", _l("cannot be in the future"))
    permit.resident_notice_delivered_at = delivered_at
    permit.resident_notice_method = method
    session.flush()
    return permit


MIN_SPACE_M, MAX_SPACE_M = 2.0, 20.0


def set_street_rules(session: Session, commune_nis: str, space_m: float, notice_days: int) -> None:
    """Set COMMUNE_NIS's parking-space length (permits.measures) and its residents' notice."""
    check_range("parking_space_m", space_m, MIN_SPACE_M, MAX_SPACE_M)
    check_range("resident_notice_days", notice_days, 0, MAX_RESIDENT_NOTICE_DAYS)
    settings = settings_row(session, commune_nis)
    settings.parking_space_m = space_m
    settings.resident_notice_days = notice_days
    session.flush()


MAX_TEMPLATE_BYTES = 2 * 1024 * 1024


def set_ordinance_template(session: Session, commune_nis: str, data: bytes | None) -> None:
    """Store COMMUNE_NIS's Word template for the ordinance draft (None: back to a blank
    document), refusing, naming `file`, anything python-docx cannot open."""
    if data is not None:
        if not data or len(data) > MAX_TEMPLATE_BYTES:
            raise InvalidInput("file", _l("must be a Word document of at most %(mb)s MB", mb=2))
        from docx import Document

        try:
            Document(io.BytesIO(data))
        except Exception:
            raise InvalidInput("file", _l("is not a Word document (.docx)")) from None
    settings_row(session, commune_nis).ordinance_template = data
    session.flush()


def ordinance_template_of(session: Session, commune_nis: str) -> bytes | None:
    settings = session.get(PermitCommuneSettings, commune_nis)
    return settings.ordinance_template if settings else None

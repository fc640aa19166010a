"""Web pages of permit requests: the inbox, the request page and document, the public list."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from core.auth.models import User
from core.auth.policy import acting_user, allowed, authorize
from core.db import db
from core.errors import ApiError, InvalidInput
from core.errors import NotFound as ApiNotFound
from core.forms import described
from core.validation import parse, query_data
from permits import leadtime, notifications, operations, workflow
from permits.document import document_context, render_document, render_pdf
from permits.forms import INBOX_LABELS, InsuranceForm, PermitRequestForm, TransitionForm
from permits.mapping import inbox_map, public_map
from permits.models import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    STATUS_LABELS,
    OutboxMessage,
    PermitRequest,
    PermitShoot,
)
from permits.schemas import PermitCreate, PermitQuery, TransitionBody
from shoots.models import Production, Shoot, ShootStatus, production_coordinators

bp = Blueprint("permits", __name__, url_prefix="/permits")


def load_visible(request_id: int) -> tuple[PermitRequest, User]:
    """The request if the user may see it; otherwise 401 for visitors, 404 for everyone else
    (whether it exists is private too)."""
    user = acting_user()
    if user is None:
        authorize("permits.list")  # the sign-in answer, before anything is looked up
    permit = db.session.get(PermitRequest, request_id)
    if permit is None or not allowed(user, "permits.view", permit):
        raise NotFound()
    return permit, user  # type: ignore[return-value]


def load_production_for(production_id: int) -> Production:
    """A production the user coordinates, or 404."""
    production = db.session.get(Production, production_id)
    if production is None or not allowed(acting_user(), "permits.create_for", production):
        raise ApiNotFound(_l("No production %(id)s among yours.", id=production_id))
    return production


def create_from(body: PermitCreate, user: User) -> list[PermitRequest]:
    """The requests of the selected shoots of a production the user coordinates."""
    return operations.create_requests(
        db.session,
        load_production_for(body.production_id),
        body.shoot_ids,
        user,
        public_domain_use=body.public_domain_use,
        notes=body.notes,
    )


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.get("/")
def index():
    user = authorize("permits.list")
    # An HTML form sends its empty fields too: they mean "any".
    filled = {
        name: [v for v in value if v] if isinstance(value, list) else value
        for name, value in query_data(PermitQuery).items()
        if value not in ("", [""])
    }
    try:
        query = parse(PermitQuery, filled)
    except ApiError as exc:
        flash(described(exc, INBOX_LABELS), "error")
        query = PermitQuery()
    wanted = operations.RequestFilter(query.commune, query.status, query.start, query.end)
    rows = operations.find_requests(db.session, user, wanted)
    commune = user.commune_nis or query.commune
    return render_template(
        "permits/index.html",
        rows=rows,
        map_html=inbox_map(db.session, [r["request"] for r in rows], commune),
        query=query,
        statuses=STATUS_LABELS,
        messages=notifications.messages_for(db.session, user, limit=10),
    )


def _requestable_shoots(user: User) -> list[tuple[Production, list[Shoot]]]:
    """The user's productions with their planned future shoots not yet in a live request."""
    in_request = (
        select(PermitShoot.shoot_id)
        .join(PermitRequest)
        .where(PermitRequest.status.not_in(CLOSED_STATUSES))
    )
    productions = db.session.scalars(
        select(Production)
        .join(production_coordinators)
        .where(production_coordinators.c.user_id == user.id)
        .order_by(Production.title)
    ).all()
    now = datetime.now(UTC)
    result = []
    for production in productions:
        shoots = db.session.scalars(
            select(Shoot)
            .where(
                Shoot.production_id == production.id,
                Shoot.id.not_in(in_request),
                Shoot.status == ShootStatus.PLANNED,
                func.lower(Shoot.period) > now,
            )
            .order_by(Shoot.period)
        ).all()
        result.append((production, list(shoots)))
    return result


@bp.route("/new", methods=["GET", "POST"])
def new():
    user = authorize("permits.create")
    form = PermitRequestForm()
    if not form.validate_on_submit():
        return _new_page(user, form, 400 if form.errors else 200)
    try:
        with db.session.begin_nested():  # a refused attempt leaves nothing to commit
            permits = create_from(parse(PermitCreate, form.values()), user)
    except ApiError as exc:
        return _new_page(user, form, form.refuse(exc))
    communes = ", ".join(p.commune.name_fr for p in permits)
    flash(
        _(
            "%(count)s request(s) created, one per commune: %(communes)s.",
            count=len(permits),
            communes=communes,
        ),
        "success",
    )
    return redirect(url_for("permits.show", request_id=permits[0].id))


def _new_page(user: User, sent: PermitRequestForm, status: int):
    """One form per production; the one sent, if refused, with its error and its values."""
    forms = []
    for production, shoots in _requestable_shoots(user):
        if sent.is_submitted() and sent.is_for(production):
            form = sent
        else:
            data = {"production_id": str(production.id), "shoot_ids": [s.id for s in shoots]}
            form = PermitRequestForm(formdata=None, data=data)
        form.offer(production, shoots)
        forms.append((production, shoots, form))
    # Sent for a production not offered (not the user's, or nothing left to request): its
    # errors go above the page.
    astray = sent.is_submitted() and all(form is not sent for _p, _s, form in forms)
    return render_template("permits/new.html", forms=forms, astray=sent if astray else None), status


@bp.get("/<int:request_id>")
def show(request_id: int):
    permit, user = load_visible(request_id)
    return _request_page(permit, user)


def _request_page(
    permit: PermitRequest,
    user: User,
    status: int = 200,
    *,
    transition_form: TransitionForm | None = None,
    insurance_form: InsuranceForm | None = None,
):
    """The request's page; a refused decision or certificate comes back to it, with its form."""
    lead = None
    if permit.status in EDITABLE_STATUSES:
        lead = leadtime.check(db.session, permit, datetime.now(UTC))
    return render_template(
        "permits/show.html",
        **document_context(db.session, permit),
        transitions=workflow.available_transitions(user, permit),
        action_labels=workflow.ACTION_LABELS,
        lead=lead,
        siblings=operations.siblings(db.session, permit),
        audit=operations.audit_lines(db.session, permit),
        outbox=_outbox_of(permit),
        can_attach=permit.status in EDITABLE_STATUSES
        and allowed(user, "permits.act_as_applicant", permit),
        statuses=STATUS_LABELS,
        transition_form=transition_form or TransitionForm(formdata=None),
        insurance_form=insurance_form or InsuranceForm(formdata=None),
    ), status


def _outbox_of(permit: PermitRequest) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.request_id == permit.id)
            .order_by(OutboxMessage.id.desc())
        )
    )


@bp.get("/<int:request_id>/document")
def document(request_id: int):
    permit, _user = load_visible(request_id)
    return render_document(db.session, permit)


@bp.get("/<int:request_id>.pdf")
def pdf(request_id: int) -> Response:
    permit, _user = load_visible(request_id)
    return pdf_response(render_pdf(db.session, permit), f"permit-{permit.id}.pdf")


@bp.get("/<int:request_id>/insurance.pdf")
def insurance(request_id: int) -> Response:
    permit, _user = load_visible(request_id)
    if not permit.insurance_pdf:
        raise NotFound()
    return pdf_response(permit.insurance_pdf, permit.insurance_filename or "insurance.pdf")


@bp.post("/<int:request_id>/transition")
def transition(request_id: int):
    permit, user = load_visible(request_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, transition_form=form)
    try:
        with db.session.begin_nested():  # a refused transition leaves nothing to commit
            body = parse(TransitionBody, form.values())
            workflow.apply_transition(db.session, request_id, body.action, user, body.comment)
    except ApiError as exc:
        return _request_page(permit, user, form.refuse(exc), transition_form=form)
    flash(_("Done: %(action)s.", action=workflow.ACTION_LABELS[body.action]), "success")
    return redirect(url_for("permits.show", request_id=request_id))


def receive_insurance(permit: PermitRequest, upload: FileStorage | None) -> list[PermitRequest]:
    """Attach an uploaded certificate to PERMIT (and its editable siblings)."""
    authorize("permits.act_as_applicant", permit)
    if upload is None:
        raise InvalidInput("file", _l("send the certificate as multipart field 'file'"))
    return operations.attach_insurance(db.session, permit, upload.filename or "", upload.read())


@bp.post("/<int:request_id>/insurance")
def upload_insurance(request_id: int):
    permit, user = load_visible(request_id)
    form = InsuranceForm()
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, insurance_form=form)
    try:
        with db.session.begin_nested():  # a refused upload leaves nothing to commit
            receive_insurance(permit, form.file.data)
    except ApiError as exc:
        return _request_page(permit, user, form.refuse(exc), insurance_form=form)
    flash(_("Insurance certificate attached."), "success")
    return redirect(url_for("permits.show", request_id=request_id))


@bp.get("/public")
def public():
    authorize("permits.public")
    shoots = operations.upcoming_approved_shoots(db.session, datetime.now(UTC))
    return render_template("permits/public.html", shoots=shoots, map_html=public_map(shoots))

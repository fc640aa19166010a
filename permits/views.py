"""Web pages of permit requests: the inbox, the request page and document, the public list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from core.auth.models import User
from core.auth.policy import acting_user, allowed, authorize
from core.communes.models import Commune
from core.communes.operations import active_communes
from core.config import BRUSSELS
from core.db import db
from core.errors import ApiError, InvalidInput
from core.errors import NotFound as ApiNotFound
from core.forms import ActionForm, Form, described
from core.validation import parse, query_data
from permits import (
    amendments,
    conditions,
    documents,
    fees,
    issued,
    leadtime,
    notifications,
    operations,
    requirements,
    services,
    versions,
    workflow,
)
from permits.checklist import checklist
from permits.commune_settings import DEFAULTS, commune_settings, save_commune_settings
from permits.document import (
    document_context,
    render_document,
    render_html,
    render_pdf,
    render_version_pdf,
)
from permits.findings import (
    attention,
    request_findings,
    summarize,
    visible_findings,
)
from permits.forms import (
    INBOX_LABELS,
    AmendmentDecisionForm,
    CommuneSettingsForm,
    ConditionForm,
    DeliveryForm,
    DocumentForm,
    FeeStatusForm,
    InsuranceForm,
    PermitRequestForm,
    RuleForm,
    ServiceForm,
    TariffForm,
    TemplateForm,
    TransitionForm,
)
from permits.mapping import amendment_map, inbox_map, public_map, request_map
from permits.models import (
    AMENDMENT_STATUS_LABELS,
    CLOSED_STATUSES,
    DOCUMENT_LABELS,
    EDITABLE_STATUSES,
    FEE_STATUS_LABELS,
    SERVICE_LABELS,
    STATUS_LABELS,
    Amendment,
    ComplianceDocument,
    FeeStatus,
    OutboxMessage,
    PermitRequest,
    PermitShoot,
    PermitStatus,
    RequestVersion,
    ServiceKind,
)
from permits.public import public_shoots
from permits.schemas import (
    AmendmentTransitionBody,
    IssuedQuery,
    PermitCreate,
    PermitQuery,
    TransitionBody,
)
from permits.transitions import AWAITING_DECISION
from shoots.activities import ACTIVITIES, ACTIVITY_LABELS
from shoots.map_layers import street_impacts
from shoots.models import Production, Shoot, production_coordinators
from shoots.operations.inputs import local_iso, parse_time

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


def load_amendment(amendment_id: int) -> tuple[Amendment, User]:
    """The amendment if the user may see it; 401 for visitors, 404 for everyone else."""
    user = acting_user()
    if user is None:
        authorize("permits.list")
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None or not allowed(user, "permits.view_amendment", amendment):
        raise NotFound()
    return amendment, user  # type: ignore[return-value]


def load_version(request_id: int, number: int) -> tuple[PermitRequest, RequestVersion]:
    permit, _user = load_visible(request_id)
    return permit, versions.version(db.session, permit.id, number)


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


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
        attention=attention(db.session, [r["request"] for r in rows]),
        map_html=inbox_map(db.session, [r["request"] for r in rows], commune),
        query=query,
        statuses=STATUS_LABELS,
        messages=notifications.messages_for(db.session, user, limit=10),
        awaiting=amendments.awaiting(db.session, user),
    )


def _requestable_shoots(user: User) -> list[tuple[Production, list[Shoot]]]:
    """The user's productions with their live future shoots not yet in a live request."""
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
                Shoot.is_live,
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
    permits, refused = form.attempt(lambda: create_from(parse(PermitCreate, form.values()), user))
    if refused is not None:
        return _new_page(user, form, refused)
    communes = ", ".join(p.commune.name() for p in permits)
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
    document_form: DocumentForm | None = None,
    delivery_form: DeliveryForm | None = None,
):
    """The request's page; a refused decision or certificate comes back to it, with its form."""
    lead = None
    if permit.status in EDITABLE_STATUSES:
        lead = leadtime.check(db.session, permit, datetime.now(UTC))
    found = request_findings(db.session, permit)
    return render_template(
        "permits/show.html",
        permit=permit,
        **document_context(
            *versions.current(db.session, permit),
            visible_findings(db.session, user, permit, found),
        ),
        versions=versions.versions_of(db.session, permit.id),
        amendments=amendments.amendments_of(db.session, permit),
        amendment_statuses=AMENDMENT_STATUS_LABELS,
        findings_map=request_map(db.session, user, permit, found),
        summary=summarize(found),
        transitions=workflow.available_transitions(user, permit),
        action_labels=workflow.ACTION_LABELS,
        lead=lead,
        siblings=operations.siblings(db.session, permit),
        audit=operations.audit_lines(db.session, permit),
        outbox=_outbox_of(permit),
        can_attach=permit.status in EDITABLE_STATUSES
        and allowed(user, "permits.act_as_applicant", permit),
        statuses=STATUS_LABELS,
        transition_form=_offering(transition_form or TransitionForm(formdata=None), permit),
        insurance_form=insurance_form or InsuranceForm(formdata=None),
        document_form=document_form or DocumentForm(formdata=None, prefix="document"),
        checklist=checklist(db.session, permit),
        may_upload=allowed(user, "permits.act_as_applicant", permit)
        and permit.status not in CLOSED_STATUSES,
        activity_labels=ACTIVITY_LABELS,
        document_labels=DOCUMENT_LABELS,
        service_labels=SERVICE_LABELS,
        quote=fees.quote(db.session, permit),
        fee_statuses=FEE_STATUS_LABELS,
        fee_form=FeeStatusForm(formdata=None, prefix="fee", data={"status": permit.fee_status}),
        may_set_fees=allowed(user, "permits.act_as_officer", permit),
        issued_version=issued.latest_approved(db.session, permit),
        notice_deadline=issued.notice_deadline(db.session, permit),
        notice_days=issued.notice_days_of(db.session, permit.commune_nis),
        delivery_form=delivery_form or DeliveryForm(formdata=None, prefix="delivery"),
        may_record_delivery=allowed(user, "permits.act_as_applicant", permit),
        unsent_siblings=[
            s for s in operations.siblings(db.session, permit) if s.status in workflow.SENDING
        ],
    ), status


def _offering(form: TransitionForm, permit: PermitRequest) -> TransitionForm:
    """FORM with the standard conditions of PERMIT's commune to tick, in the page's language
    (German on German pages, French otherwise: the two languages communes word them in)."""
    language = "de" if str(get_locale()) == "de" else "fr"
    form.offer(conditions.conditions_for(db.session, permit.commune_nis), language)
    return form


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
    permit, user = load_visible(request_id)
    return render_document(db.session, permit, user)


@bp.get("/<int:request_id>.pdf")
def pdf(request_id: int) -> Response:
    permit, user = load_visible(request_id)
    return pdf_response(render_pdf(db.session, permit, user), f"permit-{permit.id}.pdf")


@bp.get("/<int:request_id>/versions")
def version_list(request_id: int):
    permit, _user = load_visible(request_id)
    return render_template(
        "permits/versions.html",
        permit=permit,
        versions=versions.versions_of(db.session, permit.id),
        statuses=STATUS_LABELS,
        action_labels=workflow.ACTION_LABELS,
    )


@bp.get("/<int:request_id>/versions/<int:number>")
def version_document(request_id: int, number: int):
    _permit, version = load_version(request_id, number)
    return render_html(version.data, version)


@bp.get("/<int:request_id>/versions/<int:number>.pdf")
def version_pdf(request_id: int, number: int) -> Response:
    permit, version = load_version(request_id, number)
    data = render_version_pdf(version.data, version, permit)
    return pdf_response(data, f"permit-{permit.id}-v{version.number}.pdf")


@bp.get("/<int:request_id>/insurance.pdf")
def insurance(request_id: int) -> Response:
    permit, _user = load_visible(request_id)
    if not permit.insurance_pdf:
        raise NotFound()
    return pdf_response(permit.insurance_pdf, permit.insurance_filename or "insurance.pdf")


def _issued_version(permit: PermitRequest) -> RequestVersion:
    """The approved version a download asks for (?version=N), the latest by default."""
    wanted = parse(IssuedQuery, query_data(IssuedQuery))
    return issued.approved_version(db.session, permit, wanted.version)


@bp.get("/<int:request_id>/ordinance.<any(pdf, docx):fmt>")
def ordinance(request_id: int, fmt: str) -> Response:
    """The police ordinance draft of an approved version, in the commune's language."""
    permit, _user = load_visible(request_id)
    version = _issued_version(permit)
    name = f"ordinance-{permit.id}-v{version.number}"
    if fmt == "pdf":
        return pdf_response(issued.as_pdf(issued.ordinance_html(version)), f"{name}.pdf")
    template = issued.ordinance_template_of(db.session, permit.commune_nis)
    return Response(
        issued.ordinance_docx(version, template),
        mimetype=DOCX,
        headers={"Content-Disposition": f'attachment; filename="{name}.docx"'},
    )


@bp.get("/<int:request_id>/notice-<any(a4, a3):size>.pdf")
def resident_notice(request_id: int, size: issued.NoticeSize) -> Response:
    """The notice to residents of an approved version: a letter (A4) or a poster (A3)."""
    permit, _user = load_visible(request_id)
    version = _issued_version(permit)
    html = issued.notice_html(version, permit.production.public_title, size)
    return pdf_response(issued.as_pdf(html), f"notice-{permit.id}-v{version.number}-{size}.pdf")


@bp.post("/<int:request_id>/transition")
def transition(request_id: int):
    permit, user = load_visible(request_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, transition_form=form)

    def apply() -> TransitionBody:
        body = parse(TransitionBody, form.values())
        workflow.apply_transition(
            db.session, request_id, body.action, user, body.comment, body.conditions
        )
        return body

    body, refused = form.attempt(apply)
    if refused is not None:
        return _request_page(permit, user, refused, transition_form=form)
    flash(_("Done: %(action)s.", action=workflow.ACTION_LABELS[body.action]), "success")
    return redirect(url_for("permits.show", request_id=request_id))


def receive_insurance(
    permit: PermitRequest,
    upload: FileStorage | None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> list[PermitRequest]:
    """Attach an uploaded certificate to PERMIT (and its editable siblings), with its cover."""
    authorize("permits.act_as_applicant", permit)
    if upload is None:
        raise InvalidInput("file", _l("send the certificate as multipart field 'file'"))
    return operations.attach_insurance(
        db.session, permit, upload.filename or "", upload.read(), valid_from, valid_until
    )


def receive_document(
    permit: PermitRequest, user: User, upload: FileStorage | None, values: dict[str, Any]
) -> ComplianceDocument:
    """Attach an uploaded compliance document to PERMIT's production (or PERMIT only, for
    scope "request"); VALUES: kind, valid_from, valid_until, scope."""
    authorize("permits.act_as_applicant", permit)
    if upload is None:
        raise InvalidInput("file", _l("send the document as multipart field 'file'"))
    return documents.attach_document(
        db.session,
        permit.production,
        user,
        values["kind"],
        upload.filename or "",
        upload.read(),
        values.get("valid_from"),
        values.get("valid_until"),
        request=permit if values.get("scope") == "request" else None,
    )


@bp.get("/<int:request_id>/documents/<int:document_id>")
def document_file(request_id: int, document_id: int) -> Response:
    """A document that may serve the request, to whoever may read the request; sent as an
    attachment, under its checked media type (never as the uploader named it)."""
    permit, _user = load_visible(request_id)
    found = next(
        (d for d in documents.documents_of(db.session, permit) if d.id == document_id), None
    )
    if found is None:
        raise NotFound()
    return Response(
        found.content,
        mimetype=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="document-{found.id}'
            f'{documents.EXTENSIONS[found.media_type]}"'
        },
    )


@bp.post("/<int:request_id>/documents")
def upload_document(request_id: int):
    permit, user = load_visible(request_id)
    form = DocumentForm(prefix="document")
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, document_form=form)
    _attached, refused = form.attempt(
        lambda: receive_document(permit, user, form.file.data, form.values())
    )
    if refused is not None:
        return _request_page(permit, user, refused, document_form=form)
    flash(_("Document attached."), "success")
    return redirect(url_for("permits.show", request_id=request_id, _anchor="requirements"))


@bp.post("/<int:request_id>/submit-together")
def submit_together(request_id: int):
    """The transition form's other button: send this request and its siblings at once."""
    permit, user = load_visible(request_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, transition_form=form)
    sent, refused = form.attempt(
        lambda: workflow.submit_together(
            db.session, request_id, form.action.data or "", user, form.comment.data or ""
        )
    )
    if refused is not None:
        return _request_page(permit, user, refused, transition_form=form)
    flash(
        ngettext(
            "%(num)s request sent, each to its commune.",
            "%(num)s requests sent, each to its commune.",
            len(sent or []),
        ),
        "success",
    )
    return redirect(url_for("permits.show", request_id=request_id))


@bp.post("/<int:request_id>/notice-delivery")
def notice_delivery(request_id: int):
    permit, user = load_visible(request_id)
    authorize("permits.act_as_applicant", permit)
    form = DeliveryForm(prefix="delivery")
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, delivery_form=form)
    _done, refused = form.attempt(
        lambda: issued.record_delivery(
            db.session,
            permit,
            parse_time("delivered_at", form.delivered_at.local_text()),
            form.method.data or "",
        )
    )
    if refused is not None:
        return _request_page(permit, user, refused, delivery_form=form)
    flash(_("The delivery of the residents' notice is recorded."), "success")
    return redirect(url_for("permits.show", request_id=request_id, _anchor="issued"))


@bp.post("/<int:request_id>/fees")
def fee_status(request_id: int):
    permit, user = load_visible(request_id)
    authorize("permits.act_as_officer", permit)
    form = FeeStatusForm(prefix="fee")
    if form.validate_on_submit():
        fees.set_fee_status(db.session, permit, form.status.data or "", user)
        flash(
            _("Fees: %(status)s.", status=FEE_STATUS_LABELS[FeeStatus(permit.fee_status)]),
            "success",
        )
    return redirect(url_for("permits.show", request_id=request_id, _anchor="fees"))


@bp.post("/<int:request_id>/insurance")
def upload_insurance(request_id: int):
    permit, user = load_visible(request_id)
    form = InsuranceForm()
    if not form.validate_on_submit():
        return _request_page(permit, user, 400, insurance_form=form)
    _attached, refused = form.attempt(
        lambda: receive_insurance(
            permit, form.file.data, form.valid_from.data, form.valid_until.data
        )
    )
    if refused is not None:
        return _request_page(permit, user, refused, insurance_form=form)
    flash(_("Insurance certificate attached."), "success")
    return redirect(url_for("permits.show", request_id=request_id))


@bp.get("/amendments/<int:amendment_id>")
def amendment(amendment_id: int):
    found, user = load_amendment(amendment_id)
    return _amendment_page(found, user)


def _amendment_page(
    found: Amendment, user: User, status: int = 200, *, form: AmendmentDecisionForm | None = None
):
    """The amendment's page; a refused decision comes back to it, with its form."""
    after = amendments.proposed_state(db.session, found)
    return render_template(
        "permits/amendment.html",
        amendment=found,
        before=found.previous,
        after=after,
        map_html=amendment_map(found.previous, after),
        moves=amendments.allowed_moves(user, found),
        action_labels=workflow.ACTION_LABELS,
        statuses=STATUS_LABELS,
        amendment_statuses=AMENDMENT_STATUS_LABELS,
        events=[event for review in found.reviews for event in review.events],
        form=form or AmendmentDecisionForm(formdata=None),
    ), status


@bp.post("/amendments/<int:amendment_id>/transition")
def amendment_transition(amendment_id: int):
    found, user = load_amendment(amendment_id)
    form = AmendmentDecisionForm()
    if not form.validate_on_submit():
        return _amendment_page(found, user, 400, form=form)

    def decide() -> AmendmentTransitionBody:
        body = parse(AmendmentTransitionBody, form.values())
        workflow.decide_amendment(db.session, amendment_id, body.action, user, body.comment)
        return body

    body, refused = form.attempt(decide)
    if refused is not None:
        return _amendment_page(found, user, refused, form=form)
    flash(_("Done: %(action)s.", action=workflow.ACTION_LABELS[body.action]), "success")
    return redirect(url_for("permits.amendment", amendment_id=amendment_id))


# Path segments that are one of a few words: any other is a 404 (the OpenAPI lists them).
ACTIVITY_PATH = f"any({', '.join(ACTIVITIES)})"
SERVICE_PATH = f"any({', '.join(kind.value for kind in ServiceKind)})"


def _configured_commune(nis: str) -> Commune:
    """The commune NIS, if the user may configure it (else 403; unknown: 404)."""
    commune = db.session.get(Commune, nis) if len(nis) <= 5 else None
    if commune is None:
        raise NotFound()
    authorize("communes.configure", commune.nis)
    return commune


@bp.get("/communes/<nis>/rules")
def rules(nis: str):
    return _rules_page(_configured_commune(nis))


def _rules_page(
    commune: Commune,
    status: int = 200,
    refused: tuple[str, Form] | None = None,
):
    """The rule of every activity as a form of its own, and a form per service of the
    directory; a refused one comes back with its errors (REFUSED: its activity or kind)."""
    forms: dict[str, Any] = {}
    rules = requirements.rules_for(db.session, commune.nis)
    for code, rule in rules.items():
        forms[code] = RuleForm(formdata=None, prefix=code, data=rule.__dict__)
    directory = services.services_of(db.session, commune.nis)
    service_forms: dict[str, Any] = {
        kind.value: ServiceForm(formdata=None, prefix=kind.value, obj=directory.get(kind.value))
        for kind in ServiceKind
    }
    tariff = fees.tariff_of(db.session, commune.nis)
    tariff_form = TariffForm(formdata=None, prefix="tariff", obj=tariff)
    offered = conditions.conditions_for(db.session, commune.nis)
    condition_forms: dict[str, Any] = {
        c.code: ConditionForm(formdata=None, prefix=c.code, obj=c) for c in offered
    }
    new_condition = ConditionForm(formdata=None, prefix="new")
    template_form = TemplateForm(formdata=None, prefix="template")
    if refused is not None:
        key, form = refused
        if isinstance(form, RuleForm):
            forms[key] = form
        elif isinstance(form, ServiceForm):
            service_forms[key] = form
        elif isinstance(form, TariffForm):
            tariff_form = form
        elif isinstance(form, TemplateForm):
            template_form = form
        elif key == "new":
            new_condition = form
        else:
            condition_forms[key] = form
    return render_template(
        "permits/rules.html",
        commune=commune,
        rules=rules,
        forms=forms,
        service_forms=service_forms,
        tariff_form=tariff_form,
        template_form=template_form,
        has_template=issued.ordinance_template_of(db.session, commune.nis) is not None,
        condition_forms=condition_forms,
        new_condition=new_condition,
        offered_conditions={c.code: c for c in offered},
        directory=directory,
        activity_labels=ACTIVITY_LABELS,
        document_labels=DOCUMENT_LABELS,
        service_labels=SERVICE_LABELS,
    ), status


def _saved_on_rules_page(
    commune: Commune,
    key: str,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    message: str,
) -> Any:
    """Validate FORM (the rule or service KEY) and SAVE its values: back to the page with the
    form's errors when refused, else to its place on the page with MESSAGE."""
    if not form.validate_on_submit():
        return _rules_page(commune, 400, (key, form))
    _saved, refused = form.attempt(lambda: save(form.values()))
    if refused is not None:
        return _rules_page(commune, refused, (key, form))
    flash(message, "success")
    return redirect(url_for("permits.rules", nis=commune.nis, _anchor=key))


def _acted_on_rules_page(commune: Commune, act: Callable[[], None], message: str, key: str):
    """A button of the page (reset a rule, remove a service), with its CSRF token."""
    if ActionForm().validate_on_submit():
        act()
        flash(message, "success")
    return redirect(url_for("permits.rules", nis=commune.nis, _anchor=key))


@bp.post("/communes/<nis>/ordinance-template")
def ordinance_template(nis: str):
    """The commune's Word template for the ordinance draft: upload one, or remove it."""
    commune = _configured_commune(nis)
    form = TemplateForm(prefix="template")
    if form.remove.data and form.validate_on_submit():
        issued.set_ordinance_template(db.session, commune.nis, None)
        flash(_("The ordinance draft is written on a blank document again."), "success")
        return redirect(url_for("permits.rules", nis=commune.nis, _anchor="template"))
    return _saved_on_rules_page(
        commune,
        "template",
        form,
        lambda _values: issued.set_ordinance_template(
            db.session, commune.nis, form.file.data.read() if form.file.data else b""
        ),
        _("The ordinance draft is now written on your template."),
    )


@bp.post(f"/communes/<nis>/rules/<{ACTIVITY_PATH}:activity>")
def save_rule(nis: str, activity: str):
    commune = _configured_commune(nis)

    def save(values: dict[str, Any]) -> object:
        rule = requirements.Rule(activity, commune_nis=commune.nis, **values)
        return requirements.save_rule(db.session, commune.nis, rule)

    return _saved_on_rules_page(
        commune, activity, RuleForm(prefix=activity), save, _("The rule is saved.")
    )


@bp.post(f"/communes/<nis>/rules/<{ACTIVITY_PATH}:activity>/reset")
def reset_rule(nis: str, activity: str):
    commune = _configured_commune(nis)
    return _acted_on_rules_page(
        commune,
        lambda: requirements.reset_rule(db.session, commune.nis, activity),
        _("The default rule applies again."),
        activity,
    )


@bp.post(f"/communes/<nis>/services/<{SERVICE_PATH}:kind>")
def save_service(nis: str, kind: str):
    commune = _configured_commune(nis)
    return _saved_on_rules_page(
        commune,
        kind,
        ServiceForm(prefix=kind),
        lambda values: services.save_service(db.session, commune.nis, kind, values),
        _("The service is saved."),
    )


@bp.post(f"/communes/<nis>/services/<{SERVICE_PATH}:kind>/remove")
def remove_service(nis: str, kind: str):
    commune = _configured_commune(nis)
    return _acted_on_rules_page(
        commune,
        lambda: services.remove_service(db.session, commune.nis, kind),
        _("The service is removed from the directory."),
        kind,
    )


@bp.post("/communes/<nis>/tariff")
def save_tariff(nis: str):
    commune = _configured_commune(nis)
    return _saved_on_rules_page(
        commune,
        "tariff",
        TariffForm(prefix="tariff"),
        lambda values: fees.save_tariff(db.session, commune.nis, values),
        _("The fees are saved."),
    )


@bp.post("/communes/<nis>/conditions/<code:condition>")
def save_condition(nis: str, condition: str):
    """A condition's wording (an existing code), or a new one (CONDITION "new": its code typed)."""
    commune = _configured_commune(nis)
    form = ConditionForm(prefix=condition)

    def save(values: dict[str, Any]) -> None:
        code = (values["code"] or "").strip() if condition == "new" else condition
        worded = conditions.Condition(code, values["text_fr"] or "", values["text_de"] or "")
        if condition == "new" and not code:
            raise InvalidInput("code", _l("is required"))
        conditions.save_condition(db.session, commune.nis, worded)

    return _saved_on_rules_page(commune, condition, form, save, _("The condition is saved."))


@bp.post("/communes/<nis>/conditions/<code:condition>/withdraw")
def withdraw_condition(nis: str, condition: str):
    commune = _configured_commune(nis)
    return _acted_on_rules_page(
        commune,
        lambda: conditions.withdraw_condition(db.session, commune.nis, condition),
        _("The condition is no longer offered."),
        "conditions",
    )


@bp.get("/public")
def public():
    authorize("permits.public")
    shoots = public_shoots(db.session)  # the public map's and OGC's query and fields
    return render_template(
        "permits/public.html",
        shoots=shoots,
        map_html=public_map(shoots),
        iso=local_iso,
        street_impacts=street_impacts,
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """A commune's settings: an officer's own commune; an administrator's choice (?commune=)."""
    user = authorize("communes.configure")
    nis = user.commune_nis or request.args.get("commune", "")
    commune = db.session.get(Commune, nis) if nis else None
    if commune is None and user.commune_nis is None:  # an administrator chooses the commune
        communes = active_communes(db.session)
        return render_template("permits/settings.html", commune=None, communes=communes)
    authorize("communes.configure", nis)
    form = CommuneSettingsForm(data=commune_settings(db.session, nis))
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        _saved, refused = form.attempt(
            lambda: save_commune_settings(db.session, nis, form.values())
        )
        if refused is None:
            flash(_("The settings of %(commune)s are saved.", commune=commune.name()), "success")
            return redirect(url_for("permits.settings", commune=nis))
        status = refused
    return render_template(
        "permits/settings.html", commune=commune, form=form, defaults=DEFAULTS
    ), status


# ---- the home page ------------------------------------------------------------------------------


def home_panel(user: User | None) -> dict[str, Any] | None:
    """The home page's permits panel: USER's requests by status and, for a commune's officer,
    the requests awaiting decision by their first shoot (the date a decision must come by)."""
    if user is None:
        return None
    counts = operations.requests_by_status(db.session, user)
    deadlines = []
    if user.commune_nis:
        wanted = operations.RequestFilter(status=list(AWAITING_DECISION))
        rows = operations.find_requests(db.session, user, wanted)
        today = datetime.now(BRUSSELS).date()
        deadlines = [
            {**row, "days_left": (row["first_start"].astimezone(BRUSSELS).date() - today).days}
            for row in sorted((r for r in rows if r["first_start"]), key=lambda r: r["first_start"])
        ]
    return {
        "counts": [(s, STATUS_LABELS[s], counts[s]) for s in PermitStatus if s in counts],
        "deadlines": deadlines[:5],
    }


def public_home_panel(user: User | None) -> dict[str, Any] | None:
    """The home page of an anonymous visitor: the next approved shoots, as the public list."""
    if user is not None:
        return None
    return {"shoots": public_shoots(db.session, limit=5)}

"""JSON API of permit requests: thin views over permits.operations and permits.workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from core.auth.policy import authorize
from core.communes.models import Commune
from core.db import db
from core.errors import InvalidInput, NotFound
from core.validation import Access, Answer, validated
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
from permits.document import render_pdf, render_version_pdf
from permits.findings import request_findings, visible_findings
from permits.models import (
    EDITABLE_STATUSES,
    ComplianceDocument,
    PermitRequest,
    PermitShoot,
    RequestVersion,
)
from permits.schemas import (
    AmendmentList,
    AmendmentOut,
    AmendmentQuery,
    AmendmentTransitionBody,
    Attached,
    ConditionIn,
    ConditionList,
    DeliveryIn,
    DocumentOut,
    DocumentUpload,
    FeesOut,
    FeeStatusIn,
    History,
    InsuranceUpload,
    IntroductionBody,
    PermitCreate,
    PermitCreated,
    PermitDetail,
    PermitList,
    PermitQuery,
    PermitSummary,
    Queued,
    RuleIn,
    RuleList,
    RuleOut,
    ServiceIn,
    ServiceList,
    TariffIn,
    TariffOut,
    TransitionBody,
    VersionDetail,
    VersionList,
)
from permits.views import (
    ACTIVITY_PATH,
    SERVICE_PATH,
    create_from,
    load_amendment,
    load_version,
    load_visible,
    pdf_response,
    receive_document,
    receive_insurance,
)
from shoots.activities import declared
from shoots.models import Shoot
from shoots.operations import productions
from shoots.operations.inputs import parse_time

bp = Blueprint("permits_api", __name__, url_prefix="/api/v1/permits")
introductions_bp = Blueprint("introductions_api", __name__, url_prefix="/api/v1")
amendments_bp = Blueprint("amendments_api", __name__, url_prefix="/api/v1/amendments")
PDF = "application/pdf"


@introductions_bp.post("/introductions")
@validated(
    body=IntroductionBody,
    answers=(Answer(202, Queued),),
    errors=(404,),
    summary="Put two productions in touch (the film commission)",
)
def introduce(body: IntroductionBody):
    authorize("productions.introduce")
    found = [productions.get_production(db.session, pid) for pid in body.productions]
    if found[0].id == found[1].id:
        raise InvalidInput("productions", "must be two different productions")
    queued = notifications.introduce(db.session, found, body.message)
    return jsonify({"queued": queued}), 202


def _time(value: datetime | None) -> str | None:
    return value.astimezone(leadtime.BRUSSELS).isoformat() if value else None


def summary(permit: PermitRequest, first: datetime | None, last: datetime | None, count: int):
    return PermitSummary(
        id=permit.id,
        group_id=str(permit.group_id),
        status=permit.status,
        commune_nis=permit.commune_nis,
        commune=permit.commune.name(permit.language),
        production_id=permit.production_id,
        production=permit.production.title,
        is_late=permit.is_late,
        first_start=_time(first),
        last_end=_time(last),
        shoot_count=count,
    ).model_dump(mode="json")


def _summary_of(permit: PermitRequest) -> dict[str, Any]:
    periods = [part.shoot.period for part in permit.parts]  # none once amendments moved them all
    return summary(
        permit,
        min((p.lower for p in periods), default=None),
        max((p.upper for p in periods), default=None),
        len(periods),
    )


@bp.post("")
@validated(
    body=PermitCreate,
    response=PermitCreated,
    errors=(404, 409),  # 404: a shoot that does not exist or the user may not see
    summary="Request permits for shoots",
)
def create(body: PermitCreate):
    user = authorize("permits.create")
    permits = create_from(body, user)
    created = {"group_id": str(permits[0].group_id), "permits": [_summary_of(p) for p in permits]}
    return jsonify(created), 201


@bp.get("")
@validated(query=PermitQuery, response=PermitList, summary="Permit requests visible to the user")
def list_permits(query: PermitQuery):
    user = authorize("permits.list")
    wanted = operations.RequestFilter(query.commune, query.status, query.start, query.end)
    rows = operations.find_requests(db.session, user, wanted)
    return jsonify(
        {
            "permits": [
                summary(r["request"], r["first_start"], r["last_end"], r["shoot_count"])
                for r in rows
            ]
        }
    )


def _shoot(
    part: PermitShoot,
    geometries: tuple[Any, Any],
    elsewhere: list[int],
    findings: dict[str, Any] | None,
):
    """FINDINGS: the engine's current conflicts and warnings as the caller may read them, or
    None when the shoot is no longer live."""
    shoot: Shoot = part.shoot
    return {
        "shoot_id": shoot.id,
        "start": _time(shoot.period.lower),
        "end": _time(shoot.period.upper),
        "location": shoot.location.name if shoot.location else None,
        "address": shoot.location.address if shoot.location else None,
        "footprint_area_m2": part.footprint_area_m2,
        "parking_area_m2": part.parking_area_m2,
        "footprint": geometries[0],
        "parking": geometries[1],
        "crew_size": shoot.crew_size,
        "vehicle_count": shoot.vehicle_count,
        "particulars": list(declared(shoot)),
        "notes": shoot.notes,
        "also_in_requests": elsewhere,
        "live": findings is not None,
        "findings": findings,
    }


def detail(permit: PermitRequest, user) -> dict[str, Any]:
    production = permit.production
    shared = operations.shared_shoots(db.session, permit)
    geometries = operations.part_geometries(db.session, permit.id)
    found = visible_findings(db.session, user, permit, request_findings(db.session, permit))
    body: dict[str, Any] = {
        **_summary_of(permit),
        "production": versions.production_particulars(production),
        "public_domain_use": permit.public_domain_use,
        "notes": permit.notes,
        "submitted_at": _time(permit.submitted_at),
        "decided_at": _time(permit.decided_at),
        "decision_comment": permit.decision_comment,
        "decision_conditions": permit.decision_conditions,
        "notice_working_days": permit.notice_working_days,
        "insurance_certificate": permit.insurance_filename,
        "version": permit.version,
        "shoots": [
            _shoot(
                part,
                geometries[part.shoot_id],
                [o.id for o in shared.get(part.shoot_id, [])],
                found.get(part.shoot_id),
            )
            for part in permit.parts
        ],
        "siblings": [
            {"id": s.id, "commune_nis": s.commune_nis, "status": s.status.value}
            for s in operations.siblings(db.session, permit)
        ],
        "allowed_actions": [t.action for t in workflow.available_transitions(user, permit)],
        "links": {
            "self": url_for("permits_api.get_permit", request_id=permit.id),
            "pdf": url_for("permits_api.get_pdf", request_id=permit.id),
            "history": url_for("permits_api.history", request_id=permit.id),
            "versions": url_for("permits_api.list_versions", request_id=permit.id),
        },
        "amendments": [
            {"id": a.id, "shoot_id": a.shoot_id, "status": a.status.value}
            for a in amendments.amendments_of(db.session, permit)
        ],
        "checklist": checklist_json(permit),
        "fees": {**fees.quote(db.session, permit).as_json(), "status": permit.fee_status},
        "resident_notice": _resident_notice(permit),
    }
    if permit.status in EDITABLE_STATUSES:
        check = leadtime.check(db.session, permit, datetime.now(UTC))
        body["lead_time"] = {
            "fast_track": check.fast_track,
            "working_days": check.working_days,
            "first_shoot_day": check.first_shoot_day.isoformat() if check.first_shoot_day else None,
            "earliest_allowed_day": check.earliest_allowed_day.isoformat(),
            "late_if_submitted_now": check.late,
        }
    return body


@bp.get("/<int:request_id>")
@validated(
    response=PermitDetail,
    summary="One permit request with its shoots, siblings and allowed actions",
)
def get_permit(request_id: int):
    permit, user = load_visible(request_id)
    return jsonify(detail(permit, user))


@bp.get("/<int:request_id>.pdf")
@validated(answers=(Answer(200, media_type=PDF),), summary="The request document as PDF")
def get_pdf(request_id: int) -> Response:
    permit, user = load_visible(request_id)
    return pdf_response(render_pdf(db.session, permit, user), f"permit-{permit.id}.pdf")


@bp.post("/<int:request_id>/transitions")
@validated(
    body=TransitionBody,
    answers=(Answer(200, PermitDetail),),
    errors=(409,),
    summary="Move the request through the workflow",
)
def transition(request_id: int, body: TransitionBody):
    permit, user = load_visible(request_id)
    if body.with_siblings:
        workflow.submit_together(db.session, request_id, body.action, user, body.comment)
    else:
        permit = workflow.apply_transition(
            db.session, request_id, body.action, user, body.comment, body.conditions
        )
    return jsonify(detail(permit, user))


@bp.post("/<int:request_id>/insurance")
@validated(
    form=InsuranceUpload,
    answers=(Answer(200, Attached),),
    errors=(409,),
    summary="Attach the insurance certificate (multipart field 'file', a PDF)",
)
def upload_insurance(request_id: int, form: InsuranceUpload):
    permit, _user = load_visible(request_id)
    updated = receive_insurance(permit, form.file, form.valid_from, form.valid_until)
    return jsonify({"attached_to": [p.id for p in updated]})


def _document(permit: PermitRequest, document: ComplianceDocument, covering: bool) -> dict:
    return {
        "id": document.id,
        "kind": document.kind,
        "filename": document.filename,
        "media_type": document.media_type,
        "sha256": document.sha256,
        "valid_from": document.valid_from and document.valid_from.isoformat(),
        "valid_until": document.valid_until and document.valid_until.isoformat(),
        "scope": "request" if document.request_id else "production",
        "uploaded_at": _time(document.uploaded_at),
        "covers_the_shoot_days": covering,
        "url": url_for("permits.document_file", request_id=permit.id, document_id=document.id),
    }


def _resident_notice(permit: PermitRequest) -> dict[str, Any]:
    deadline = issued.notice_deadline(db.session, permit)
    approved = issued.latest_approved(db.session, permit)
    links = {}
    if approved is not None:
        links = {
            "ordinance_pdf": url_for("permits.ordinance", request_id=permit.id, fmt="pdf"),
            "ordinance_docx": url_for("permits.ordinance", request_id=permit.id, fmt="docx"),
            "notice_a4": url_for("permits.resident_notice", request_id=permit.id, size="a4"),
            "notice_a3": url_for("permits.resident_notice", request_id=permit.id, size="a3"),
        }
    return {
        "deliver_by": deadline.isoformat() if deadline else None,
        "delivered_at": _time(permit.resident_notice_delivered_at),
        "method": permit.resident_notice_method,
        "approved_version": approved.number if approved else None,
        "links": links,
    }


def checklist_json(permit: PermitRequest) -> dict[str, Any]:
    found = checklist(db.session, permit)
    return {
        "activities": list(found.needs.activities),
        "extra_working_days": found.needs.extra_working_days,
        "fast_track": found.needs.fast_track,
        "fast_track_blockers": list(found.needs.fast_track_blockers),
        "documents": [{"kind": n.kind, "covered": n.covered} for n in found.documents],
        "services": [
            {
                "kind": n.kind,
                "name": n.service.name if n.service else None,
                "copied_by_email": n.reachable,
            }
            for n in found.services
        ],
        "uploaded": [_document(permit, d, d.id in found.covering) for d in found.uploaded],
        "ready_to_submit": found.complete,
    }


@bp.post("/<int:request_id>/documents")
@validated(
    form=DocumentUpload,
    answers=(Answer(201, DocumentOut),),
    errors=(413,),
    summary="Attach a compliance document (multipart: file, kind, validity, scope)",
)
def upload_document(request_id: int, form: DocumentUpload):
    permit, user = load_visible(request_id)
    document = receive_document(permit, user, form.file, form.model_dump(exclude={"file"}))
    days = documents.shoot_days(db.session, permit)
    return jsonify(_document(permit, document, documents.covers(document, days))), 201


@bp.get("/<int:request_id>/history")
@validated(response=History, summary="The request's timeline and audit trail")
def history(request_id: int):
    permit, _user = load_visible(request_id)
    events = [
        {
            "at": _time(e.at),
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "comment": e.comment,
            "actor": e.actor.email if e.actor else None,
        }
        for e in permit.events
    ]
    audit = [
        {
            "at": _time(line.entry.at),
            "table": line.entry.table_name,
            "row_id": line.entry.row_id,
            "operation": line.entry.operation,
            "actor": line.actor,
            "changes": {k: {"before": b, "after": a} for k, (b, a) in line.changes.items()},
        }
        for line in operations.audit_lines(db.session, permit)
    ]
    return jsonify({"id": permit.id, "timeline": events, "audit": audit})


# ---- versions ---------------------------------------------------------------------------------


def _version_json(permit: PermitRequest, version: RequestVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "action": version.action,
        "status": version.status,
        "amendment_id": version.amendment_id,
        "created_at": _time(version.created_at),
        "content_hash": version.content_hash,
        "links": {
            "self": url_for("permits_api.get_version", request_id=permit.id, number=version.number),
            "pdf": url_for(
                "permits_api.get_version_pdf", request_id=permit.id, number=version.number
            ),
        },
    }


@bp.get("/<int:request_id>/versions")
@validated(
    response=VersionList,
    summary="The request's frozen versions (submissions, decisions, amendments)",
)
def list_versions(request_id: int):
    permit, _user = load_visible(request_id)
    found = versions.versions_of(db.session, permit.id)
    return jsonify({"id": permit.id, "versions": [_version_json(permit, v) for v in found]})


@bp.get("/<int:request_id>/versions/<int:number>")
@validated(
    response=VersionDetail,
    summary="One frozen version with its data (the document's content)",
)
def get_version(request_id: int, number: int):
    permit, version = load_version(request_id, number)
    return jsonify({**_version_json(permit, version), "data": version.data})


@bp.get("/<int:request_id>/versions/<int:number>.pdf")
@validated(
    answers=(Answer(200, media_type=PDF),), summary="The document of one frozen version as PDF"
)
def get_version_pdf(request_id: int, number: int) -> Response:
    permit, version = load_version(request_id, number)
    data = render_version_pdf(version.data, version, permit)
    return pdf_response(data, f"permit-{permit.id}-v{version.number}.pdf")


# ---- amendments -------------------------------------------------------------------------------


@amendments_bp.get("")
@validated(query=AmendmentQuery, response=AmendmentList, summary="Amendments visible to the user")
def list_amendments(query: AmendmentQuery):
    user = authorize("permits.list")
    found = amendments.visible_amendments(db.session, user, query.status)
    return jsonify({"amendments": [amendments.amendment_json(db.session, a, user) for a in found]})


@amendments_bp.get("/<int:amendment_id>")
@validated(
    response=AmendmentOut,
    summary="One amendment: the shoot before and after, each commune's decision",
)
def get_amendment(amendment_id: int):
    amendment, user = load_amendment(amendment_id)
    return jsonify(amendments.amendment_json(db.session, amendment, user))


@amendments_bp.post("/<int:amendment_id>/transitions")
@validated(
    body=AmendmentTransitionBody,
    answers=(Answer(200, AmendmentOut),),
    errors=(409,),
    summary="Decide an amendment (an officer: their commune's review) or withdraw it",
)
def amendment_transition(amendment_id: int, body: AmendmentTransitionBody):
    _amendment, user = load_amendment(amendment_id)
    amendment = workflow.decide_amendment(db.session, amendment_id, body.action, user, body.comment)
    return jsonify(amendments.amendment_json(db.session, amendment, user))


# ---- a commune's rule table and services directory --------------------------------------------


def _commune(nis: str) -> Commune:
    commune = db.session.get(Commune, nis) if len(nis) <= 5 else None
    if commune is None:
        raise NotFound(f"No commune {nis}.")
    return commune


def _rule_list(nis: str) -> dict[str, Any]:
    rules = requirements.rules_for(db.session, nis).values()
    return {"commune_nis": nis, "rules": [_rule(rule) for rule in rules]}


def _rule(rule: requirements.Rule) -> dict[str, Any]:
    return {
        "activity": rule.activity,
        "extra_working_days": rule.extra_working_days,
        "documents": list(rule.documents),
        "services": list(rule.services),
        "allows_fast_track": rule.allows_fast_track,
        "own": rule.commune_nis is not None,
    }


@bp.get("/communes/<nis>/rules")
@validated(
    response=RuleList,
    errors=(404,),
    summary="A commune's rules for special activities",
    access=Access.PUBLIC,
)
def commune_rules(nis: str):
    """Public: a production reads a commune's rules before it asks."""
    return jsonify(_rule_list(_commune(nis).nis))


@bp.put(f"/communes/<nis>/rules/<{ACTIVITY_PATH}:activity>")
@validated(
    body=RuleIn, response=RuleOut, errors=(404,), summary="Set a commune's own rule (officers)"
)
def put_commune_rule(nis: str, activity: str, body: RuleIn):
    authorize("communes.configure", _commune(nis).nis)
    rule = requirements.Rule(activity, commune_nis=nis, **_rule_values(body))
    return jsonify(_rule(requirements.save_rule(db.session, nis, rule)))


def _rule_values(body: RuleIn) -> dict[str, Any]:
    return {
        "extra_working_days": body.extra_working_days,
        "documents": tuple(body.documents),
        "services": tuple(body.services),
        "allows_fast_track": body.allows_fast_track,
    }


@bp.delete(f"/communes/<nis>/rules/<{ACTIVITY_PATH}:activity>")
@validated(
    response=RuleList, errors=(404,), summary="Drop a commune's own rule: the default applies"
)
def delete_commune_rule(nis: str, activity: str):
    authorize("communes.configure", _commune(nis).nis)
    requirements.reset_rule(db.session, nis, activity)
    return jsonify(_rule_list(nis))


def _service_list(nis: str) -> dict[str, Any]:
    found = services.services_of(db.session, nis).values()
    return {
        "commune_nis": nis,
        "services": [
            {
                "kind": s.kind,
                "name": s.name,
                "address": s.address,
                "email": s.email,
                "phone": s.phone,
            }
            for s in found
        ],
    }


@bp.get("/communes/<nis>/services")
@validated(
    response=ServiceList,
    errors=(404,),
    summary="A commune's services directory",
    access=Access.PUBLIC,
)
def commune_services(nis: str):
    """Public: official offices' contacts, as the communes publish them."""
    return jsonify(_service_list(_commune(nis).nis))


@bp.put(f"/communes/<nis>/services/<{SERVICE_PATH}:kind>")
@validated(body=ServiceIn, response=ServiceList, errors=(404,), summary="Set a service (officers)")
def put_commune_service(nis: str, kind: str, body: ServiceIn):
    authorize("communes.configure", _commune(nis).nis)
    services.save_service(db.session, nis, kind, body.model_dump())
    return jsonify(_service_list(nis))


@bp.delete(f"/communes/<nis>/services/<{SERVICE_PATH}:kind>")
@validated(response=ServiceList, errors=(404,), summary="Remove a service (officers)")
def delete_commune_service(nis: str, kind: str):
    authorize("communes.configure", _commune(nis).nis)
    services.remove_service(db.session, nis, kind)
    return jsonify(_service_list(nis))


def _condition_list(nis: str) -> dict[str, Any]:
    return {
        "commune_nis": nis,
        "conditions": [
            {
                "code": c.code,
                "text_fr": c.text_fr,
                "text_de": c.text_de,
                "position": c.position,
                "own": c.own,
            }
            for c in conditions.conditions_for(db.session, nis)
        ],
    }


@bp.get("/communes/<nis>/conditions")
@validated(
    response=ConditionList,
    errors=(404,),
    summary="A commune's standard conditions",
    access=Access.PUBLIC,
)
def commune_conditions(nis: str):
    """Public: what a commune's decisions often impose."""
    return jsonify(_condition_list(_commune(nis).nis))


@bp.put("/communes/<nis>/conditions/<code:condition>")
@validated(
    body=ConditionIn, response=ConditionList, errors=(404,), summary="Word a standard condition"
)
def put_commune_condition(nis: str, condition: str, body: ConditionIn):
    authorize("communes.configure", _commune(nis).nis)
    worded = conditions.Condition(condition, body.text_fr, body.text_de, body.position)
    conditions.save_condition(db.session, nis, worded)
    return jsonify(_condition_list(nis))


@bp.delete("/communes/<nis>/conditions/<code:condition>")
@validated(response=ConditionList, errors=(404,), summary="Stop offering a standard condition")
def delete_commune_condition(nis: str, condition: str):
    authorize("communes.configure", _commune(nis).nis)
    conditions.withdraw_condition(db.session, nis, condition)
    return jsonify(_condition_list(nis))


@bp.put("/<int:request_id>/fees")
@validated(body=FeeStatusIn, response=FeesOut, summary="Say the fees are paid, unpaid or waived")
def put_fee_status(request_id: int, body: FeeStatusIn):
    permit, user = load_visible(request_id)
    authorize("permits.act_as_officer", permit)
    fees.set_fee_status(db.session, permit, body.status, user)
    return jsonify({**fees.quote(db.session, permit).as_json(), "status": permit.fee_status})


def _tariff(nis: str) -> dict[str, Any]:
    found = fees.tariff_of(db.session, nis)
    return {
        "commune_nis": nis,
        "per_day": str(found.per_day),
        "per_m2_day": str(found.per_m2_day),
        "per_sign": str(found.per_sign),
        "per_parking_space_day": str(found.per_parking_space_day),
        "urgency_surcharge_percent": found.urgency_surcharge_percent,
        "exempt_types": list(found.exempt_types),
    }


@bp.get("/communes/<nis>/tariff")
@validated(response=TariffOut, errors=(404,), summary="A commune's fees", access=Access.PUBLIC)
def commune_tariff(nis: str):
    """Public: what filming on the commune's public domain costs."""
    return jsonify(_tariff(_commune(nis).nis))


@bp.put("/communes/<nis>/tariff")
@validated(body=TariffIn, response=TariffOut, errors=(404,), summary="Set a commune's fees")
def put_commune_tariff(nis: str, body: TariffIn):
    authorize("communes.configure", _commune(nis).nis)
    fees.save_tariff(db.session, nis, body.model_dump(mode="json"))
    return jsonify(_tariff(nis))


@bp.put("/<int:request_id>/notice-delivery")
@validated(body=DeliveryIn, response=PermitDetail, summary="Record the residents' notice delivery")
def put_notice_delivery(request_id: int, body: DeliveryIn):
    permit, user = load_visible(request_id)
    authorize("permits.act_as_applicant", permit)
    delivered_at = parse_time("delivered_at", body.delivered_at)
    issued.record_delivery(db.session, permit, delivered_at, body.method)
    return jsonify(detail(permit, user))

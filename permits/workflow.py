"""The approval workflow: the moves of permits.transitions applied to requests and to
amendments' reviews, each under a row lock, with what they entail (submission checks, frozen
versions, amendments settled)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from core.auth.models import User
from core.auth.policy import allowed
from core.errors import Conflict, InvalidInput, NotFound
from permits import (
    amendments,
    conditions,
    documents,
    leadtime,
    notifications,
    operations,
    requirements,
    versions,
)
from permits.models import (
    CLOSED_STATUSES,
    STATUS_LABELS,
    Amendment,
    AmendmentReview,
    PermitRequest,
)
from permits.models import PermitStatus as S
from permits.transitions import (
    ACTION_LABELS,
    ACTIONS,
    AMENDMENT_ACTIONS,
    APPLICANT,
    OFFICER,
    TRANSITIONS,
    Transition,
    find,
    possible,
    record,
)

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "AMENDMENT_ACTIONS",
    "APPLICANT",
    "OFFICER",
    "TRANSITIONS",
    "Transition",
    "apply_transition",
    "available_transitions",
    "decide_amendment",
]


def available_transitions(user: User | None, permit: PermitRequest) -> list[Transition]:
    """The moves USER may make on PERMIT now (what the page offers as buttons)."""
    return possible(user, permit)


def _moves_on(transition: Transition) -> bool:
    return transition.target is not S.WITHDRAWN  # taking a request back is not its next step


def waiting_for(session: Session, user: User) -> int:
    """How many requests and amendment reviews wait for USER: those where USER may make a
    move that takes them on (submit a draft, resubmit, take into review, decide), as the
    request's page would offer it; the home page's count."""
    statuses = list(dict.fromkeys(t.source for t in TRANSITIONS if _moves_on(t)))
    rows = operations.find_requests(session, user, operations.RequestFilter(status=statuses))
    requests = sum(any(_moves_on(t) for t in possible(user, row["request"])) for row in rows)
    return requests + len(amendments.awaiting(session, user))


def _checked(
    subject: PermitRequest | AmendmentReview, action: str, user: User, explained: bool
) -> Transition:
    """The move ACTION on SUBJECT, if it exists from its state (409 otherwise, naming the state
    and what the user could do), the user may make it (403), and it is EXPLAINED (a comment,
    or conditions) when it must be."""
    what = "request" if isinstance(subject, PermitRequest) else "amendment review"
    transition = find(subject, action)
    if transition is None:
        named = {"action": ACTION_LABELS[action], "status": STATUS_LABELS[subject.status]}
        impossible = (
            _l("“%(action)s” is not possible on a request that is %(status)s.", **named)
            if what == "request"
            else _l(
                "“%(action)s” is not possible on an amendment review that is %(status)s.", **named
            )
        )
        raise Conflict(
            impossible,
            current_status=subject.status.value,
            allowed_actions=[t.action for t in possible(user, subject)],
        )
    if not allowed(user, transition.who, subject):
        raise Forbidden(f"Your role does not allow '{action}' on this {what}.")
    if transition.needs_comment and not explained:
        raise InvalidInput(
            "comment", _l("is required for “%(action)s”", action=ACTION_LABELS[action])
        )
    return transition


def apply_transition(
    session: Session,
    request_id: int,
    action: str,
    user: User,
    comment: str = "",
    condition_codes: Sequence[str] = (),
) -> PermitRequest:
    """Move the request; the row lock makes concurrent moves wait and then see the new state,
    so of two officers deciding at once one wins and the other gets a 409. CONDITION_CODES:
    the commune's standard conditions an approval with conditions imposes (permits.conditions),
    besides or instead of the COMMENT."""
    if action not in ACTIONS:
        raise InvalidInput("action", _l("must be one of %(actions)s", actions=", ".join(ACTIONS)))
    permit = session.scalar(
        select(PermitRequest)
        .where(PermitRequest.id == request_id)
        .with_for_update(of=PermitRequest)
        .execution_options(populate_existing=True)
    )
    if permit is None:
        raise NotFound(f"No permit request {request_id}.")
    comment = comment.strip()
    imposed = conditions.picked(session, permit.commune_nis, condition_codes, permit.language)
    transition = _checked(permit, action, user, bool(comment or imposed))
    if imposed and transition.target is not S.APPROVED_WITH_CONDITIONS:
        raise InvalidInput(
            "conditions",
            _l("only an approval with conditions imposes conditions"),
        )
    if transition.decides:
        permit.decision_conditions = imposed
    needs = None
    if transition.target is S.SUBMITTED:
        needs = _check_submission(session, permit)
    record(session, permit, transition, user, comment)
    if needs is not None:
        notifications.copy_services(session, permit, needs.services)
    if transition.freezes:
        versions.freeze(session, permit, action, user)
    if transition.target in CLOSED_STATUSES:
        amendments.close_with_request(session, permit, user)
    return permit


# What sends a request the production is preparing: a draft is submitted, a request sent
# back is resubmitted.
SENDING = {S.DRAFT: "submit", S.CHANGES_REQUESTED: "resubmit"}


def submit_together(
    session: Session, request_id: int, action: str, user: User, comment: str = ""
) -> list[PermitRequest]:
    """Send the request and every sibling of its selection that the production is preparing,
    in one unit of work: all of them, or none (the first refusal names its request). Each
    commune still decides its own. Requests are locked in id order, as every move locks one,
    so two coordinators sending at once wait for each other and the second gets a 409."""
    if action not in SENDING.values():
        raise InvalidInput("with_siblings", _l("only a submission sends the siblings too"))
    permit = session.get(PermitRequest, request_id)
    if permit is None:
        raise NotFound(f"No permit request {request_id}.")
    group = [permit, *operations.siblings(session, permit)]
    sent = []
    for member in sorted(group, key=lambda p: p.id):
        action = SENDING.get(member.status)
        if action is None and member.id != permit.id:
            continue  # already before its commune, or closed
        try:
            own = action if member.id == permit.id else SENDING[member.status]
            sent.append(apply_transition(session, member.id, own, user, comment))
        except InvalidInput as refused:
            raise InvalidInput(
                refused.field or "action",
                _l(
                    "request %(id)s (%(commune)s): %(reason)s",
                    id=member.id,
                    commune=member.commune.name(),
                    reason=refused.reason,
                ),
                **{**refused.extra, "request_id": member.id},
            ) from None
    return sent


def _check_submission(session: Session, permit: PermitRequest) -> requirements.Requirements:
    """Refuse a request without what its commune's rules ask (naming it); record its notice."""
    if not permit.insurance_filename:
        raise InvalidInput("insurance", _l("upload the insurance certificate before submitting"))
    days = documents.shoot_days(session, permit)
    if not documents.cover_spans(permit.insurance_valid_from, permit.insurance_valid_until, days):
        raise InvalidInput(
            "insurance", _l("the insurance certificate does not cover every shoot day")
        )
    needs = requirements.requirements_for(session, permit)
    missing = documents.missing_documents(session, permit, needs.documents)
    if missing:
        raise documents.refuse_missing(missing)
    now = datetime.now(UTC)
    check = leadtime.check(session, permit, now)
    permit.submitted_at = now
    permit.is_late = check.late
    permit.notice_working_days = check.working_days
    return needs


def decide_amendment(
    session: Session, amendment_id: int, action: str, user: User, comment: str = ""
) -> Amendment:
    """Move an amendment: an officer moves their commune's review; the production withdraws
    every review still open. The amendment's lock serialises moves on it, so the last
    approval sees all the others and applies the amendment (permits.amendments.settle)."""
    if action not in AMENDMENT_ACTIONS:
        actions = ", ".join(AMENDMENT_ACTIONS)
        raise InvalidInput("action", _l("must be one of %(actions)s", actions=actions))
    amendment, reviews = amendments.locked(session, amendment_id)
    comment = comment.strip()
    if action == "withdraw":
        targets = [r for r in reviews if r.status in amendments.OPEN_STATUSES] or reviews[:1]
    else:
        own = amendments.review_of(user, reviews)
        if own is None:
            raise Forbidden("Only the officers of a commune concerned decide this amendment.")
        targets = [own]
    moves = [(review, _checked(review, action, user, bool(comment))) for review in targets]
    for review, transition in moves:
        record(session, review, transition, user, comment)
    amendments.settle(session, amendment, reviews, user)
    return amendment

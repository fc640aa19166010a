"""The approval workflow: every allowed move in one table, applied under a row lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from core.auth.models import User
from core.auth.policy import allowed
from core.errors import Conflict, InvalidInput, NotFound
from permits import leadtime, notifications
from permits.models import STATUS_LABELS, PermitEvent, PermitRequest
from permits.models import PermitStatus as S

APPLICANT = "permits.act_as_applicant"
OFFICER = "permits.act_as_officer"


@dataclass(frozen=True)
class Transition:
    source: S
    action: str
    target: S
    who: str  # the policy action the user needs (core/auth/policy.py)
    needs_comment: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, "submit", S.SUBMITTED, APPLICANT),
    Transition(S.CHANGES_REQUESTED, "resubmit", S.SUBMITTED, APPLICANT),
    Transition(S.SUBMITTED, "take_into_review", S.IN_REVIEW, OFFICER),
    Transition(S.IN_REVIEW, "request_changes", S.CHANGES_REQUESTED, OFFICER, needs_comment=True),
    Transition(S.IN_REVIEW, "approve", S.APPROVED, OFFICER),
    Transition(S.IN_REVIEW, "approve_with_conditions", S.APPROVED_WITH_CONDITIONS, OFFICER, True),
    Transition(S.IN_REVIEW, "reject", S.REJECTED, OFFICER, needs_comment=True),
    *(
        Transition(source, "withdraw", S.WITHDRAWN, APPLICANT)
        for source in (
            S.DRAFT,
            S.SUBMITTED,
            S.IN_REVIEW,
            S.CHANGES_REQUESTED,
            S.APPROVED,
            S.APPROVED_WITH_CONDITIONS,
        )
    ),
)
ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
DECISIONS = frozenset({"approve", "approve_with_conditions", "reject", "request_changes"})

ACTION_LABELS = {
    "submit": _l("Submit"),
    "resubmit": _l("Resubmit"),
    "take_into_review": _l("Take into review"),
    "request_changes": _l("Request changes"),
    "approve": _l("Approve"),
    "approve_with_conditions": _l("Approve with conditions"),
    "reject": _l("Reject"),
    "withdraw": _l("Withdraw"),
}


def available_transitions(user: User | None, permit: PermitRequest) -> list[Transition]:
    """The moves USER may make on PERMIT now (what the page offers as buttons)."""
    return [t for t in TRANSITIONS if t.source is permit.status and allowed(user, t.who, permit)]


def _transition(status: S, action: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source is status and t.action == action), None)


def apply_transition(
    session: Session, request_id: int, action: str, user: User, comment: str = ""
) -> PermitRequest:
    """Move the request; the row lock makes concurrent moves wait and then see the new state,
    so of two officers deciding at once one wins and the other gets a 409."""
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
    transition = _transition(permit.status, action)
    if transition is None:
        possible = [t.action for t in available_transitions(user, permit)]
        raise Conflict(
            _l(
                "“%(action)s” is not possible on a request that is %(status)s.",
                action=ACTION_LABELS[action],
                status=STATUS_LABELS[permit.status],
            ),
            current_status=permit.status.value,
            allowed_actions=possible,
        )
    if not allowed(user, transition.who, permit):
        raise Forbidden(f"Your role does not allow '{action}' on this request.")
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise InvalidInput(
            "comment", _l("is required for “%(action)s”", action=ACTION_LABELS[action])
        )
    _apply(session, permit, transition, user, comment)
    return permit


def _apply(
    session: Session, permit: PermitRequest, transition: Transition, user: User, comment: str
) -> None:
    now = datetime.now(UTC)
    if transition.target is S.SUBMITTED:
        if not permit.insurance_filename:
            raise InvalidInput(
                "insurance", _l("upload the insurance certificate before submitting")
            )
        check = leadtime.check(session, permit, now)
        permit.submitted_at = now
        permit.is_late = check.late
        permit.notice_working_days = check.working_days
    if transition.action in DECISIONS:
        permit.decided_at = now
        permit.decision_comment = comment or None
    from_status = permit.status
    permit.status = transition.target
    session.add(
        PermitEvent(
            request=permit,
            action=transition.action,
            from_status=from_status.value,
            to_status=transition.target.value,
            comment=comment,
            actor_id=user.id,
        )
    )
    session.flush()
    notifications.notify_transition(session, permit, transition.action, comment)

"""The workflow's moves: every one in one table, with what it means. The API's schema, the
buttons' labels, the notifications and the frozen versions are all derived from it.

A move applies to a permit request and, for the moves marked `amends`, to an amendment's
review by one commune (permits.amendments): the same actions and the same record for both.
Applying a move (locks, submission checks, versions, amendments) is permits.workflow's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import allowed
from permits import notifications
from permits.models import AmendmentReview, Audience, PermitEvent, PermitRequest
from permits.models import PermitStatus as S

APPLICANT = "permits.act_as_applicant"
OFFICER = "permits.act_as_officer"
# Where the applicant may still take a request back (an amendment: while under review).
WITHDRAWABLE = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.CHANGES_REQUESTED,
    S.APPROVED,
    S.APPROVED_WITH_CONDITIONS,
)


@dataclass(frozen=True)
class Transition:
    source: S
    action: str
    target: S
    who: str  # the policy action the user needs (core/auth/policy.py)
    label: LazyString
    needs_comment: bool = False
    decides: bool = False  # the commune's decision: dated, its comment kept as the decision's
    notifies: Audience = Audience.NOBODY
    amends: bool = False  # also moves an amendment's review

    @property
    def freezes(self) -> bool:
        """A submission, a decision or the withdrawal of what the commune has before it
        freezes a version of the request (permits.versions)."""
        withdrawn = self.target is S.WITHDRAWN and self.source is not S.DRAFT
        return self.decides or self.target is S.SUBMITTED or withdrawn


# The commune decides a request it has before it: taken into review first (which tells the
# production someone works on it), or straight away from the inbox, in one step.
AWAITING_DECISION = (S.SUBMITTED, S.IN_REVIEW)


def _decisions(action: str, target: S, label: LazyString, *, comment: bool, amends: bool):
    return tuple(
        Transition(
            source,
            action,
            target,
            OFFICER,
            label,
            needs_comment=comment,
            decides=True,
            notifies=Audience.APPLICANTS,
            amends=amends,
        )
        for source in AWAITING_DECISION
    )


TRANSITIONS: tuple[Transition, ...] = (
    # An amendment's reviews are submitted by the coordinator proposing it.
    Transition(
        S.DRAFT, "submit", S.SUBMITTED, APPLICANT, _l("Submit"), notifies=Audience.OFFICERS,
        amends=True,
    ),
    Transition(
        S.CHANGES_REQUESTED, "resubmit", S.SUBMITTED, APPLICANT, _l("Resubmit"),
        notifies=Audience.OFFICERS,
    ),
    Transition(S.SUBMITTED, "take_into_review", S.IN_REVIEW, OFFICER, _l("Take into review"),
               amends=True),
    # An amendment is not sent back for changes: the production withdraws it and proposes again.
    *_decisions("request_changes", S.CHANGES_REQUESTED, _l("Request changes"), comment=True,
                amends=False),
    *_decisions("approve", S.APPROVED, _l("Approve"), comment=False, amends=True),
    *_decisions("approve_with_conditions", S.APPROVED_WITH_CONDITIONS,
                _l("Approve with conditions"), comment=True, amends=True),
    *_decisions("reject", S.REJECTED, _l("Reject"), comment=True, amends=True),
    *(
        Transition(
            source, "withdraw", S.WITHDRAWN, APPLICANT, _l("Withdraw"),
            notifies=Audience.OFFICERS, amends=source in (S.SUBMITTED, S.IN_REVIEW),
        )
        for source in WITHDRAWABLE
    ),
)  # fmt: skip

ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
# What may be asked of an amendment (proposing it submits its reviews).
AMENDMENT_ACTIONS = tuple(
    dict.fromkeys(t.action for t in TRANSITIONS if t.amends and t.source is not S.DRAFT)
)
ACTION_LABELS = {t.action: t.label for t in TRANSITIONS}

Subject = PermitRequest | AmendmentReview


def _applies(transition: Transition, subject: Subject) -> bool:
    return transition.source is subject.status and (
        isinstance(subject, PermitRequest) or transition.amends
    )


def possible(user: User | None, subject: Subject) -> list[Transition]:
    """The moves USER may make on SUBJECT now (what a page offers as buttons)."""
    return [t for t in TRANSITIONS if _applies(t, subject) and allowed(user, t.who, subject)]


def find(subject: Subject, action: str) -> Transition | None:
    return next((t for t in TRANSITIONS if _applies(t, subject) and t.action == action), None)


def record(
    session: Session, subject: Subject, transition: Transition, user: User | None, comment: str
) -> None:
    """Make the move on SUBJECT (locked by the caller): its new status, the decision's date
    and comment, the timeline's event and the notifications, in the caller's transaction."""
    if transition.decides:
        subject.decided_at = datetime.now(UTC)
        subject.decision_comment = comment or None
    from_status = subject.status
    subject.status = transition.target
    review = subject if isinstance(subject, AmendmentReview) else None
    session.add(
        PermitEvent(
            request=subject.request if review else subject,
            review=review,
            action=transition.action,
            from_status=from_status.value,
            to_status=transition.target.value,
            comment=comment,
            actor_id=user.id if user else None,
        )
    )
    session.flush()
    notifications.notify_move(session, subject, transition.notifies, comment)
